package dev.cms.gateway.commands.control;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Secrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Commands started in the background ({@code POST …/exec?background=true}): each gets an id to wait
 * for, stream (stdout and stderr apart, from the start) or kill. Bounded: at most {@value
 * #MAX_PER_CONTAINER} kept per container and {@value #MAX_ALL} in all; an ended one is kept {@link
 * #KEEP_ENDED} for its result, then forgotten. A command's output is bounded by {@link Commands} (1
 * MiB of each stream), so what a job keeps for late listeners is too.
 */
@ApplicationScoped
public class BackgroundExecs {

  static final int MAX_PER_CONTAINER = 32;
  static final int MAX_ALL = 1024;
  static final Duration KEEP_ENDED = Duration.ofMinutes(10);

  /** The exit code a killed command is reported with (SIGKILL's, as a shell reports it). */
  public static final int KILLED_EXIT_CODE = 137;

  @Inject Commands commands;

  private final Map<String, Job> jobs = new ConcurrentHashMap<>();

  /** How a background command stands. */
  public enum State {
    RUNNING,
    EXITED,
    KILLED,
    FAILED
  }

  /** What the API shows of a background command; {@code result} once it ended. */
  public record JobView(
      String execId, String container, State status, ExecResult result, String error) {}

  /** One piece of a command's output, or its end ({@code end} non-null, last). */
  public record Event(boolean stderr, String text, JobView end) {}

  /** Hears a job's events: every piece so far first, then the rest as it comes, then the end. */
  public interface Listener {
    void on(Event e);
  }

  /** One background command. */
  final class Job {
    final String id;
    final String owner;
    final String container;
    final long startedNanos = System.nanoTime();
    final List<Event> events = new ArrayList<>();
    final List<Listener> listeners = new ArrayList<>();
    volatile Commands.Run run;
    volatile boolean killed;
    volatile JobView end;
    volatile long endedNanos;

    Job(String id, String owner, String container) {
      this.id = id;
      this.owner = owner;
      this.container = container;
    }

    synchronized void output(boolean stderr, byte[] bytes) {
      emit(new Event(stderr, new String(bytes, StandardCharsets.UTF_8), null));
    }

    synchronized void ended(JobView v) {
      if (end != null) {
        return;
      }
      end = v;
      endedNanos = System.nanoTime();
      emit(new Event(false, null, v));
      listeners.clear();
    }

    private void emit(Event e) {
      events.add(e);
      for (Listener l : List.copyOf(listeners)) {
        try {
          l.on(e);
        } catch (RuntimeException ignored) {
          listeners.remove(l); // a listener gone (its client left): it hears no more
        }
      }
    }

    synchronized void listen(Listener l) {
      for (Event e : events) {
        l.on(e);
      }
      if (end == null) {
        listeners.add(l);
      }
    }

    synchronized void unlisten(Listener l) {
      listeners.remove(l);
    }

    JobView view() {
      JobView e = end;
      return e != null ? e : new JobView(id, container, State.RUNNING, null, null);
    }
  }

  /** Starts {@code r} in the background in the owner's container; answers its view (RUNNING). */
  public JobView start(String owner, String container, ExecRequest r) {
    prune();
    long here = jobs.values().stream().filter(j -> j.container.equals(container)).count();
    if (here >= MAX_PER_CONTAINER || jobs.size() >= MAX_ALL) {
      throw ApiException.tooManyRequests(
          "at most "
              + MAX_PER_CONTAINER
              + " background commands are kept per container (ended ones for "
              + KEEP_ENDED.toMinutes()
              + " min); wait for one to be forgotten");
    }
    Job job = new Job("x-" + Secrets.id(12), owner, container);
    Commands.Run run = commands.start(owner, container, r, job::output);
    job.run = run;
    jobs.put(job.id, job);
    run.result()
        .whenComplete(
            (result, failure) -> {
              if (failure == null) {
                job.ended(
                    new JobView(
                        job.id,
                        container,
                        result.exitCode() == KILLED_EXIT_CODE && job.killed
                            ? State.KILLED
                            : State.EXITED,
                        result,
                        null));
              } else if (job.killed) {
                job.ended(new JobView(job.id, container, State.KILLED, killedResult(job), null));
              } else {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                job.ended(
                    new JobView(
                        job.id,
                        container,
                        State.FAILED,
                        null,
                        cause instanceof ApiException a ? a.getMessage() : "the command failed"));
              }
            });
    return job.view();
  }

  private ExecResult killedResult(Job job) {
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    synchronized (job) {
      for (Event e : job.events) {
        if (e.text() != null) {
          (e.stderr() ? err : out).append(e.text());
        }
      }
    }
    return new ExecResult(
        KILLED_EXIT_CODE,
        out.toString(),
        err.toString(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - job.startedNanos),
        false,
        false,
        false);
  }

  /** The owner's background command of that container (404 otherwise). */
  public JobView get(String owner, String container, String execId) {
    return job(owner, container, execId).view();
  }

  /** Completes with the command's view once it ended, or at {@code timeout} with it as it is. */
  public CompletableFuture<JobView> whenEnded(
      String owner, String container, String execId, Duration timeout) {
    Job job = job(owner, container, execId);
    CompletableFuture<JobView> f = new CompletableFuture<>();
    Listener l =
        e -> {
          if (e.end() != null) {
            f.complete(e.end());
          }
        };
    job.listen(l);
    return f.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(
            v -> {
              job.unlisten(l);
              return v != null ? v : job.view();
            });
  }

  /** Streams the command's events to {@code l} (all so far, then live); answers how to stop. */
  public Runnable stream(String owner, String container, String execId, Listener l) {
    Job job = job(owner, container, execId);
    job.listen(l);
    return () -> job.unlisten(l);
  }

  /** Kills a running command (and what it started); an ended one is answered as it ended. */
  public JobView kill(String owner, String container, String execId) {
    Job job = job(owner, container, execId);
    if (job.end == null) {
      job.killed = true;
      job.run.stream()
          .thenAccept(
              s -> {
                s.reset(ErrorCode.CANCELLED, "killed by the API");
                job.ended(new JobView(job.id, container, State.KILLED, killedResult(job), null));
              });
    }
    return job.view();
  }

  private Job job(String owner, String container, String execId) {
    Job job = execId == null ? null : jobs.get(execId);
    if (job == null
        || !job.container.equals(container)
        || (owner != null && !owner.equals(job.owner))) {
      throw ApiException.notFound("no background command '" + execId + "' in " + container);
    }
    return job;
  }

  /** Forgets ended commands kept longer than {@link #KEEP_ENDED}. */
  void prune() {
    long cut = System.nanoTime() - KEEP_ENDED.toNanos();
    jobs.values().removeIf(j -> j.end != null && j.endedNanos - cut < 0);
  }

  /** The owner's view of one job, if it exists (for tests). */
  Optional<JobView> find(String execId) {
    return Optional.ofNullable(jobs.get(execId)).map(Job::view);
  }
}
