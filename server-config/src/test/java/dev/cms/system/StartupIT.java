package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every start of {@code cms.jar} serves: the jar is started {@code cms.startup.runs} times in a row
 * (default 10; {@code -Dcms.startup.runs=30} for the long check), each time on a fresh port with a
 * fresh data directory, and every start must answer {@code /health/ready}, the API and the console.
 * A dead start (Payara's HTTP listener never bound, "GrizzlyProxy is NULL") fails the test; it is
 * not retried. Prints the start-up times (median and max) for PERFORMANCE.md.
 */
class StartupIT {

  @Test
  void everyStartAnswersReadinessAndKeepsTheServerAnonymous() throws Exception {
    int runs = Integer.getInteger("cms.startup.runs", 10);
    List<Long> millis = new ArrayList<>();
    for (int i = 1; i <= runs; i++) {
      Gateway gw = Gateway.dedicated("start" + i, Map.of());
      try {
        gw.start();
        millis.add(gw.lastBoot().toMillis());
        HttpResponse<String> ready = gw.get("/health/ready", null);
        assertThat(ready.statusCode()).as("start %d: %s", i, ready.body()).isEqualTo(200);
        // the listener settings applied before boot still hold
        assertThat(ready.headers().firstValue("Server")).as("Server header").isEmpty();
        assertThat(ready.headers().firstValue("X-Powered-By")).as("X-Powered-By header").isEmpty();
        assertThat(Files.readString(gw.lastLog())).doesNotContain("GrizzlyProxy is NULL");
      } finally {
        gw.stopAndClean();
      }
    }
    List<Long> sorted = millis.stream().sorted().toList();
    System.out.printf(
        "StartupIT: %d of %d starts ready; start to ready median %d ms, min %d ms, max %d ms%n",
        millis.size(),
        runs,
        sorted.get(sorted.size() / 2),
        sorted.get(0),
        sorted.get(sorted.size() - 1));
    assertThat(millis).hasSize(runs);
    assertThat(Duration.ofMillis(sorted.get(sorted.size() - 1))).isLessThan(Duration.ofMinutes(2));
  }
}
