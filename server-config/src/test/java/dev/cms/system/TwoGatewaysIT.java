package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two gateways share one PostgreSQL database and one API key: the per-owner quota is the
 * database's, so eleven creates at once, spread over both, give exactly ten containers and one 429.
 * Runs in the PostgreSQL execution of the system tests only (H2 is embedded in one gateway).
 */
class TwoGatewaysIT {

  private static final int QUOTA = 10;

  @Test
  void elevenConcurrentCreatesOverTwoGatewaysOnOneDatabaseGiveTenContainersAndOne429()
      throws Exception {
    assumeTrue(Gateway.onPostgresql(), "two gateways share records only on PostgreSQL");
    // given: two gateways (own ports, data dirs and gateway ids) on one fresh database
    Map<String, String> env = new java.util.HashMap<>(Gateway.freshPostgresqlDatabase("two"));
    env.put("CMS_MAX_CONTAINERS_PER_KEY", Integer.toString(QUOTA));
    Gateway a = Gateway.dedicated("two-a", env);
    Gateway b = Gateway.dedicated("two-b", env);
    ExecutorService pool = Executors.newFixedThreadPool(QUOTA + 1);
    try {
      a.start();
      b.start();

      // when: 11 creates released at the same moment, 6 to one gateway and 5 to the other
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i <= QUOTA; i++) {
        Gateway target = i % 2 == 0 ? a : b;
        Callable<HttpResponse<String>> create =
            () -> {
              go.await();
              return target.post("/api/v1/containers", KEY1, null);
            };
        answers.add(pool.submit(create));
      }
      go.countDown();
      List<Integer> codes = new ArrayList<>();
      for (Future<HttpResponse<String>> f : answers) {
        codes.add(f.get(5, TimeUnit.MINUTES).statusCode());
      }

      // then
      assertThat(codes).as("statuses %s", codes).containsOnly(201, 429);
      assertThat(codes.stream().filter(c -> c == 201).count()).isEqualTo(QUOTA);
      assertThat(codes.stream().filter(c -> c == 429).count()).isEqualTo(1);
      // and both gateways see the same ten containers of the key
      List<String> idsA = ids(a);
      assertThat(idsA).hasSize(QUOTA);
      assertThat(ids(b)).containsExactlyInAnyOrderElementsOf(idsA);
    } finally {
      pool.shutdownNow();
      a.stopAndClean();
      b.stopAndClean();
      Gateway.dropPostgresqlDatabase(env.get("CMS_DB_URL"));
    }
  }

  private static List<String> ids(Gateway g) throws Exception {
    List<String> ids = new ArrayList<>();
    Gateway.JSON
        .readTree(g.get("/api/v1/containers", KEY1).body())
        .forEach(c -> ids.add(c.get("id").asText()));
    return ids;
  }
}
