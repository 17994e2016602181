package dev.cms.gateway.users.control;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Secrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks ID tokens of the OpenID Connect provider ({@code CMS_OIDC_PROVIDER_URI}) before the
 * gateway opens a session for their subject: the signature against the provider's published keys
 * (asymmetric algorithms only), the issuer, this service's client id in the audience, the expiry; a
 * token is accepted once. So the console's service key alone cannot open a session for anyone: it
 * needs a token the provider signed for that user, moments ago.
 */
@ApplicationScoped
public class IdTokens {

  private static final Logger LOG = Logger.getLogger(IdTokens.class.getName());
  private static final int MAX_TOKEN_CHARS = 16 * 1024;
  private static final int MAX_DISCOVERY_BYTES = 256 * 1024;
  private static final int MAX_REMEMBERED = 10_000;
  private static final Set<JWSAlgorithm> ASYMMETRIC =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512,
          JWSAlgorithm.EdDSA);

  @Inject
  @ConfigProperty(name = "cms.oidc.provider.uri")
  Optional<String> providerUri;

  @Inject
  @ConfigProperty(name = "cms.oidc.client.id")
  Optional<String> clientId;

  @Inject
  @ConfigProperty(name = "cms.oidc.name.claim", defaultValue = "preferred_username")
  String nameClaim;

  @Inject
  @ConfigProperty(name = "cms.oidc.role.claim", defaultValue = "groups")
  String roleClaim;

  @Inject
  @ConfigProperty(name = "cms.oidc.admin.values", defaultValue = "admin")
  String adminValues;

  private volatile DefaultJWTProcessor<SecurityContext> processor;
  private volatile String issuer;
  private final Map<String, Instant> used = new ConcurrentHashMap<>();

  /** What a checked ID token says about its user. */
  public record Identity(String issuer, String subject, String name, boolean admin) {}

  /**
   * Checks {@code idToken} and answers its user.
   *
   * @throws ApiException 400 when OpenID Connect is not configured here, 401 when the token is not
   *     one the provider signed for this client, has expired or was presented before, 502 when the
   *     provider's metadata cannot be read
   */
  public Identity verify(String idToken) {
    if (provider().isBlank() || client().isBlank()) {
      throw ApiException.badRequest(
              "OpenID Connect is not configured on the gateway (CMS_OIDC_PROVIDER_URI,"
                  + " CMS_OIDC_CLIENT_ID)")
          .withRule("oidc-off");
    }
    if (idToken == null || idToken.isBlank() || idToken.length() > MAX_TOKEN_CHARS) {
      throw refused("idToken must be the provider's signed ID token (at most 16 KiB)");
    }
    JWTClaimsSet claims;
    try {
      claims = processor().process(idToken.strip(), null);
    } catch (ApiException e) {
      throw e;
    } catch (Exception e) {
      throw refused("the ID token was refused: " + e.getMessage());
    }
    Instant exp = claims.getExpirationTime().toInstant();
    forgetExpired();
    if (used.size() >= MAX_REMEMBERED) {
      throw ApiException.tooManyRequests("too many sign-ins at once; try again in a minute")
          .withRule("sign-in-rate");
    }
    if (used.putIfAbsent(Secrets.hash(idToken.strip()), exp) != null) {
      throw refused("this ID token was presented before; sign in again");
    }
    String name = stringClaim(claims, nameClaim).orElse(claims.getSubject());
    Set<String> admins =
        List.of(adminValues.split(",")).stream()
            .map(s -> s.strip().toLowerCase(Locale.ROOT))
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
    boolean admin = roleValues(claims.getClaim(roleClaim)).stream().anyMatch(admins::contains);
    return new Identity(issuer, claims.getSubject(), name, admin);
  }

  private DefaultJWTProcessor<SecurityContext> processor() {
    DefaultJWTProcessor<SecurityContext> p = processor;
    if (p != null) {
      return p;
    }
    synchronized (this) {
      if (processor == null) {
        JsonObject doc = discovery();
        String iss = doc.getString("issuer", "");
        String jwks = doc.getString("jwks_uri", "");
        if (iss.isBlank() || jwks.isBlank()) {
          throw ApiException.badGateway(
              "the provider's metadata names no issuer or jwks_uri: " + provider());
        }
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        JsonValue advertised = doc.get("id_token_signing_alg_values_supported");
        if (advertised instanceof jakarta.json.JsonArray a) {
          for (JsonValue v : a) {
            if (v instanceof JsonString s
                && ASYMMETRIC.contains(JWSAlgorithm.parse(s.getString()))) {
              algorithms.add(JWSAlgorithm.parse(s.getString()));
            }
          }
        }
        if (algorithms.isEmpty()) {
          algorithms.add(JWSAlgorithm.RS256);
        }
        JWKSource<SecurityContext> keys;
        try {
          keys = JWKSourceBuilder.create(new URL(jwks)).retrying(true).build();
        } catch (IOException e) {
          throw ApiException.badGateway("the provider's jwks_uri is not a URL: " + jwks);
        }
        DefaultJWTProcessor<SecurityContext> created = new DefaultJWTProcessor<>();
        created.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        created.setJWTClaimsSetVerifier(
            new DefaultJWTClaimsVerifier<>(
                client(),
                new JWTClaimsSet.Builder().issuer(iss).build(),
                Set.of("sub", "exp", "iat")));
        issuer = iss;
        processor = created;
        LOG.info(() -> "OpenID Connect provider " + iss + ": ID tokens signed with " + algorithms);
      }
      return processor;
    }
  }

  private JsonObject discovery() {
    String base = provider();
    String url =
        base.endsWith("/.well-known/openid-configuration")
            ? base
            : (base.endsWith("/") ? base : base + "/") + ".well-known/openid-configuration";
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpResponse<InputStream> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        byte[] body = in.readNBytes(MAX_DISCOVERY_BYTES + 1);
        if (r.statusCode() != 200 || body.length > MAX_DISCOVERY_BYTES) {
          throw ApiException.badGateway(
              "the provider's metadata " + url + " answered " + r.statusCode());
        }
        try (var reader =
            Json.createReader(new StringReader(new String(body, StandardCharsets.UTF_8)))) {
          return reader.readObject();
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ApiException a) {
        throw a;
      }
      throw ApiException.badGateway("the provider's metadata " + url + " is unreadable: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.badGateway("interrupted while reading the provider's metadata");
    }
  }

  private String provider() {
    return providerUri.map(String::strip).orElse("");
  }

  private String client() {
    return clientId.map(String::strip).orElse("");
  }

  private void forgetExpired() {
    Instant now = Instant.now();
    used.values().removeIf(exp -> exp.isBefore(now));
  }

  private static Optional<String> stringClaim(JWTClaimsSet claims, String name) {
    Object v = claims.getClaim(name);
    return v instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
  }

  /** A role claim's values: a string (space- or comma-separated) or an array of strings. */
  static Set<String> roleValues(Object claim) {
    Set<String> out = new LinkedHashSet<>();
    if (claim instanceof String s) {
      for (String part : s.split("[\\s,]+")) {
        if (!part.isEmpty()) {
          out.add(part.toLowerCase(Locale.ROOT));
        }
      }
    } else if (claim instanceof Collection<?> c) {
      for (Object o : c) {
        if (o instanceof String s && !s.isBlank()) {
          out.add(s.strip().toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  private static ApiException refused(String detail) {
    return new ApiException(401, "Unauthorized", detail, null).withRule("bad-id-token");
  }
}
