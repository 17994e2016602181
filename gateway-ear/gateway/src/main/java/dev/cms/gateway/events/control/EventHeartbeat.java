package dev.cms.gateway.events.control;

import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;

/** Every 15 s a comment on every event stream: dead clients are found, proxies keep them open. */
@Singleton
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class EventHeartbeat {

  @Inject EventHub hub;

  @Schedule(hour = "*", minute = "*", second = "*/15", persistent = false)
  void beat() {
    hub.heartbeat();
  }
}
