package dev.cms.gateway.health;

import java.util.logging.Logger;

/** Logs why a readiness check went down (once, when it goes down) and when it is up again. */
final class DownLog {
  private static final Logger LOG = Logger.getLogger(DownLog.class.getName());

  private final String check;
  private volatile boolean down;

  DownLog(String check) {
    this.check = check;
  }

  void up() {
    if (down) {
      down = false;
      LOG.info(() -> "readiness check " + check + " is UP again");
    }
  }

  void down(Exception e) {
    if (!down) {
      down = true;
      LOG.warning(() -> "readiness check " + check + " is DOWN: " + e.getMessage());
    }
  }
}
