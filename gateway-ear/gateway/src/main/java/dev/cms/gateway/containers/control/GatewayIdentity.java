package dev.cms.gateway.containers.control;

import dev.cms.gateway.config.Settings;
import dev.cms.gateway.security.Secrets;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This gateway's id, written on its containers' labels so that several gateways can share an
 * engine: {@code CMS_GATEWAY_ID}, or one generated once and kept in {@code <data dir>/gateway-id}.
 */
@ApplicationScoped
public class GatewayIdentity {

  @Inject Settings settings;

  private String id;

  @PostConstruct
  void init() {
    id = settings.gatewayId().orElseGet(this::stored);
  }

  private String stored() {
    Path file = settings.dataDir().resolve("gateway-id");
    try {
      if (Files.exists(file)) {
        return Files.readString(file).strip();
      }
      Files.createDirectories(file.getParent());
      String generated = "gw-" + Secrets.id(10);
      Files.writeString(file, generated + "\n");
      return generated;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }

  public String id() {
    return id;
  }
}
