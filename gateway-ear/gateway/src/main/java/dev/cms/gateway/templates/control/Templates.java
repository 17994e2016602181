package dev.cms.gateway.templates.control;

import dev.cms.gateway.config.Settings;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.runtime.ContainerRuntime;
import dev.cms.gateway.runtime.RuntimeUnavailableException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The templates and the state of their images. {@link #buildAll} (run once in the background at
 * start) makes each image through the runtime, one after the other, the default first; a build that
 * fails marks its template FAILED with the reason, an engine that cannot be reached is tried again
 * with a growing pause. A create asks {@link #choose} for its template's image.
 */
@ApplicationScoped
public class Templates {

  private static final Logger LOG = Logger.getLogger(Templates.class.getName());

  /** How long a client is told to wait before asking again for a template still building. */
  static final long RETRY_AFTER_SECONDS = 10;

  /** A failure's text as the API shows it is cut here (the build's tail is about 4 000). */
  static final int MAX_ERROR_CHARS = 6_000;

  private static final String OUTPUT_MARK = "; last build output:";
  private static final long FIRST_RETRY_MS = 5_000;
  private static final long LAST_RETRY_MS = 60_000;

  @Inject Settings settings;
  @Inject ContainerRuntime runtime;

  /** By name, the default first, then in the configured order; fixed after start. */
  private Map<String, Entry> entries = Map.of();

  private volatile boolean stopping;

  /** The template a create named, and its image (empty: the default AppContainer image). */
  public record Choice(String name, Optional<String> image) {}

  @PostConstruct
  void init() {
    TemplateConfig.Parsed parsed =
        TemplateConfig.parse(settings.templates(), settings::templateSetting);
    parsed.problems().forEach(p -> LOG.severe("CMS_TEMPLATES: " + p));
    Map<String, Entry> all = new LinkedHashMap<>();
    all.put(
        TemplateConfig.DEFAULT,
        new Entry(
            new TemplateDefinition(
                TemplateConfig.DEFAULT,
                "The AppContainer image: the base image with the agent, nothing added",
                null,
                "",
                null)));
    for (TemplateDefinition d : parsed.templates()) {
      Entry e = new Entry(d);
      if (d.configError() != null) {
        e.fail(d.configError());
        LOG.severe(() -> "template " + d.name() + " is unusable: " + d.configError());
      }
      all.put(d.name(), e);
    }
    entries = all;
    LOG.info(() -> "templates: " + String.join(", ", entries.keySet()));
  }

  /** Every template, the default first; {@code admin} sees a failure's whole build output. */
  public List<TemplateView> list(boolean admin) {
    List<TemplateView> out = new ArrayList<>();
    entries.values().forEach(e -> out.add(e.view(admin, settings.baseImage())));
    return out;
  }

  /** One template; 404 when there is none of that name. */
  public TemplateView get(String name, boolean admin) {
    Entry e = name == null ? null : entries.get(name);
    if (e == null) {
      throw ApiException.notFound("no template '" + name + "'; known: " + known());
    }
    return e.view(admin, settings.baseImage());
  }

  /**
   * The template a create names ({@code null} or blank: the default) and its image: 400 when there
   * is no such template, 503 ({@code Retry-After}) while its image is being built, 409 with the
   * reason when its build failed.
   */
  public Choice choose(String name) {
    if (name == null || name.isBlank() || TemplateConfig.DEFAULT.equals(name)) {
      // today's behaviour: the create builds (or waits for) the AppContainer image itself
      return new Choice(TemplateConfig.DEFAULT, Optional.empty());
    }
    Entry e = entries.get(name);
    if (e == null) {
      throw ApiException.badRequest("unknown template '" + name + "'; known: " + known())
          .withRule("unknown-template");
    }
    return switch (e.status) {
      case READY -> new Choice(name, Optional.of(e.image));
      case BUILDING ->
          throw ApiException.unavailable(
                  "template '" + name + "' is still being built; try again shortly", null)
              .withRule("template-building")
              .withRetryAfter(RETRY_AFTER_SECONDS);
      case FAILED ->
          throw ApiException.conflict(
                  "template '" + name + "' failed to build: " + summary(e.error))
              .withRule("template-failed");
    };
  }

  /** Every template's name, the default first (fixed at start). */
  public java.util.Set<String> names() {
    return java.util.Collections.unmodifiableSet(entries.keySet());
  }

  /**
   * The image of a template when it is READY (for a warm pool keyed by template name); empty while
   * it builds, when it failed, or when there is no such template. The default's is the AppContainer
   * image once built.
   */
  public Optional<String> readyImage(String name) {
    Entry e = entries.get(name == null || name.isBlank() ? TemplateConfig.DEFAULT : name);
    return e != null && e.status == TemplateStatus.READY
        ? Optional.ofNullable(e.image)
        : Optional.empty();
  }

  /**
   * Completes when the named template is READY or FAILED, or when the timeout passes (whichever
   * first); at once for the default, an unknown name or a settled template. Holds no thread.
   */
  public CompletableFuture<Void> whenSettled(String name, Duration timeout) {
    Entry e = name == null || TemplateConfig.DEFAULT.equals(name) ? null : entries.get(name);
    if (e == null || e.settled.isDone()) {
      return CompletableFuture.completedFuture(null);
    }
    return e.settled.copy().completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Builds every template's image that is not built yet, the default first; blocks. */
  public void buildAll() {
    for (Entry e : entries.values()) {
      if (stopping) {
        return;
      }
      if (e.status != TemplateStatus.BUILDING) {
        continue;
      }
      build(e);
    }
  }

  /** Ends {@link #buildAll} at its next step (the gateway stops). */
  public void stop() {
    stopping = true;
  }

  private void build(Entry e) {
    String name = e.definition.name();
    long pause = FIRST_RETRY_MS;
    while (!stopping) {
      try {
        String image =
            TemplateConfig.DEFAULT.equals(name)
                ? runtime.ensureImage()
                : runtime.ensureTemplateImage(
                    e.definition.recipe(), settings.templateBuildTimeout());
        e.ready(image);
        LOG.info(() -> "template " + name + " READY: " + image);
        return;
      } catch (RuntimeUnavailableException unreachable) {
        long wait = pause;
        LOG.warning(
            () ->
                "template "
                    + name
                    + ": "
                    + unreachable.getMessage()
                    + "; trying again in "
                    + wait / 1000
                    + " s");
        try {
          Thread.sleep(pause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
        pause = Math.min(pause * 2, LAST_RETRY_MS);
      } catch (RuntimeException failed) {
        String why = String.valueOf(failed.getMessage());
        e.fail(why);
        LOG.severe(() -> "template " + name + " FAILED: " + why);
        return;
      }
    }
  }

  private String known() {
    return String.join(", ", entries.keySet());
  }

  /** A failure without the build's output (that is for admins and the log). */
  private static String summary(String error) {
    int mark = error == null ? -1 : error.indexOf(OUTPUT_MARK);
    return mark < 0 ? String.valueOf(error) : error.substring(0, mark);
  }

  /** One template and where its image is; written by the build thread, read by requests. */
  private static final class Entry {
    final TemplateDefinition definition;
    final CompletableFuture<Void> settled = new CompletableFuture<>();
    volatile TemplateStatus status = TemplateStatus.BUILDING;
    volatile String image;
    volatile String error;

    Entry(TemplateDefinition definition) {
      this.definition = definition;
    }

    void ready(String image) {
      this.image = image;
      this.error = null;
      this.status = TemplateStatus.READY;
      settled.complete(null);
    }

    void fail(String why) {
      this.error = why.length() > MAX_ERROR_CHARS ? why.substring(0, MAX_ERROR_CHARS) : why;
      this.status = TemplateStatus.FAILED;
      settled.complete(null);
    }

    TemplateView view(boolean admin, String appContainerBase) {
      TemplateStatus s = status;
      String base = definition.base() == null ? appContainerBase : definition.base();
      return new TemplateView(
          definition.name(),
          definition.description(),
          base,
          s,
          s == TemplateStatus.READY ? image : null,
          s == TemplateStatus.FAILED ? (admin ? error : summary(error)) : null);
    }
  }
}
