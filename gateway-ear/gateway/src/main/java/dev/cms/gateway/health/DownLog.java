package dev.cms.gateway.health;

import java.util.Objects;
import java.util.logging.Logger;

/** Logs why a readiness check is down when that changes, not on every probe. */
final class DownLog {
  private static final Logger LOG = Logger.getLogger(DownLog.class.getName());

  private final String check;
  private volatile String last;

  DownLog(String check) {
    this.check = check;
  }

  void up() {
    if (last != null) {
      last = null;
      LOG.info(() -> "readiness check " + check + " is UP again");
    }
  }

  void down(Exception e) {
    String why = String.valueOf(e.getMessage());
    if (!Objects.equals(why, last)) {
      last = why;
      LOG.warning(() -> "readiness check " + check + " is DOWN: " + why);
    }
  }
}
