package dev.cms.domain.protocol;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A handler that keeps what it received and when the stream closed or was reset. */
class Recorder implements StreamHandler {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  final AtomicInteger count = new AtomicInteger();
  final CompletableFuture<Stream> opened = new CompletableFuture<>();
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  final CompletableFuture<String> reset = new CompletableFuture<>();
  volatile int resetCode = -1;
  private final boolean autoCredit;

  Recorder() {
    this(true);
  }

  Recorder(boolean autoCredit) {
    this.autoCredit = autoCredit;
  }

  @Override
  public void onOpen(Stream s) {
    opened.complete(s);
  }

  @Override
  public void onData(Stream s, byte[] data) {
    synchronized (bytes) {
      bytes.write(data, 0, data.length);
    }
    count.addAndGet(data.length);
  }

  @Override
  public void onClose(Stream s) {
    closed.complete(null);
  }

  @Override
  public void onReset(Stream s, int code, String reason) {
    resetCode = code;
    reset.complete(reason);
  }

  @Override
  public boolean autoCredit() {
    return autoCredit;
  }

  byte[] bytes() {
    synchronized (bytes) {
      return bytes.toByteArray();
    }
  }
}
