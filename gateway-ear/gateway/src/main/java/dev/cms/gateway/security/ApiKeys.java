package dev.cms.gateway.security;

import dev.cms.gateway.config.Settings;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The API keys the gateway accepts: {@code CMS_API_KEYS} (comma-separated), or, with none
 * configured, one generated on first start and kept in {@code <data dir>/api-key}. A caller is
 * known by its key's id (a hash prefix), never by the key itself.
 */
@ApplicationScoped
public class ApiKeys {

  private static final Logger LOG = Logger.getLogger(ApiKeys.class.getName());

  @Inject Settings settings;

  private List<byte[]> keys;

  /**
   * Loads (or generates) the keys at start-up, so the key file and its log line exist before any
   * request.
   */
  void atStart(
      @jakarta.enterprise.event.Observes
          @jakarta.enterprise.context.Initialized(ApplicationScoped.class)
          Object ignored) {
    keys.size();
  }

  @PostConstruct
  void init() {
    Optional<String> configured = settings.apiKeys();
    if (configured.isPresent()) {
      keys =
          Arrays.stream(configured.get().split(","))
              .map(String::strip)
              .filter(s -> !s.isEmpty())
              .map(s -> s.getBytes(StandardCharsets.UTF_8))
              .toList();
      LOG.info(() -> keys.size() + " API key(s) configured through CMS_API_KEYS");
    } else {
      keys = List.of(generatedKey().getBytes(StandardCharsets.UTF_8));
    }
  }

  private String generatedKey() {
    Path file = settings.dataDir().resolve("api-key");
    try {
      if (Files.exists(file)) {
        LOG.info(() -> "Using the API key stored in " + file);
        return Files.readString(file).strip();
      }
      Files.createDirectories(file.getParent());
      String key = "cms_" + Secrets.token(32);
      Files.writeString(file, key + "\n");
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: the data directory's own protection applies
      }
      LOG.warning(
          () ->
              "No CMS_API_KEYS configured: generated an API key and stored it in "
                  + file
                  + " (send it as 'Authorization: Bearer <key>')");
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the API key file " + file, e);
    }
  }

  /** The caller id of a presented key, or empty when the key is not one of ours. */
  public Optional<String> callerOf(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Optional.empty();
    }
    byte[] p = presented.getBytes(StandardCharsets.UTF_8);
    byte[] match = null;
    for (byte[] k : keys) {
      // compare with every key, constant time each, so timing does not tell which prefix matched
      if (java.security.MessageDigest.isEqual(k, p)) {
        match = k;
      }
    }
    return match == null ? Optional.empty() : Optional.of(Secrets.idOf(match));
  }
}
