package dev.cms.gateway.security;

import dev.cms.gateway.config.Settings;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-container client tokens: HMAC-SHA256 of the container id under a key kept in {@code <data
 * dir>/client-token-key}. Derived, so the owner of a container can fetch its token again (to attach
 * a second browser tab) without the gateway storing tokens; records keep only a hash.
 */
@ApplicationScoped
public class ClientTokens {

  @Inject Settings settings;

  private byte[] key;

  @PostConstruct
  void init() {
    try {
      key = KeyFiles.loadOrCreate(settings.dataDir().resolve("client-token-key"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the client token key", e);
    }
  }

  /** The client token of a container. */
  public String tokenFor(String containerId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] h = mac.doFinal(("client-token:" + containerId).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
