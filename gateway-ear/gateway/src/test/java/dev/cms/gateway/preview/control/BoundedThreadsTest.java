package dev.cms.gateway.preview.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BoundedThreadsTest {

  @Test
  void refusesBeyondTheBoundAndMakesRoomWhenATaskEnds() throws Exception {
    BoundedThreads threads = new BoundedThreads(Thread::new, 2);
    CountDownLatch release = new CountDownLatch(1);
    Runnable blocked =
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    Thread a = threads.newThread(blocked);
    Thread b = threads.newThread(blocked);
    a.start();
    b.start();

    assertThatThrownBy(() -> threads.newThread(() -> {}))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("too-many-relays: all 2 preview relay threads are busy");
    assertThat(threads.inUse()).isEqualTo(2);

    release.countDown();
    a.join(5000);
    b.join(5000);
    assertThat(threads.inUse()).isZero();
    CountDownLatch ran = new CountDownLatch(1);
    threads.newThread(ran::countDown).start();
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aPoolOnItRejectsClearlyInsteadOfGrowing() {
    BoundedThreads threads = new BoundedThreads(Thread::new, 1);
    var pool =
        new java.util.concurrent.ThreadPoolExecutor(
            0, 8, 1, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), threads);
    CountDownLatch release = new CountDownLatch(1);
    try {
      pool.execute(
          () -> {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      assertThatThrownBy(() -> pool.execute(() -> {}))
          .isInstanceOf(RejectedExecutionException.class);
    } finally {
      release.countDown();
      pool.shutdown();
    }
  }
}
