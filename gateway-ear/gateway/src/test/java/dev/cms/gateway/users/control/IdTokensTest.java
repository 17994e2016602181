package dev.cms.gateway.users.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.cms.gateway.problems.ApiException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link IdTokens} against a provider served here: its metadata and keys over real HTTP. */
class IdTokensTest {

  static HttpServer provider;
  static String issuer;
  static RSAKey key;

  @BeforeAll
  static void serve() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    issuer = "http://127.0.0.1:" + provider.getAddress().getPort() + "/realm";
    Map<String, String> docs =
        Map.of(
            "/realm/.well-known/openid-configuration",
            "{\"issuer\":\""
                + issuer
                + "\",\"jwks_uri\":\""
                + issuer
                + "/jwks\",\"id_token_signing_alg_values_supported\":[\"RS256\",\"HS256\"]}",
            "/realm/jwks",
            "{\"keys\":[" + key.toPublicJWK().toJSONString() + "]}");
    provider.createContext(
        "/",
        ex -> {
          String body = docs.get(ex.getRequestURI().getPath());
          byte[] b = (body == null ? "{}" : body).getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(body == null ? 404 : 200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    provider.start();
  }

  @AfterAll
  static void stop() {
    provider.stop(0);
  }

  private static IdTokens tokens() {
    IdTokens t = new IdTokens();
    t.providerUri = java.util.Optional.of(issuer);
    t.clientId = java.util.Optional.of("console");
    t.nameClaim = "preferred_username";
    t.roleClaim = "groups";
    t.adminValues = "cms-admins, root";
    return t;
  }

  private static JWTClaimsSet.Builder claims(String subject) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(subject)
        .audience("console")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)));
  }

  private static String signed(JWTClaimsSet c) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").type(JOSEObjectType.JWT).build(),
            c);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  @Test
  void aTokenTheProviderSignedNamesItsUserAndRoleOnce() throws Exception {
    IdTokens t = tokens();
    String token =
        signed(
            claims("s-1")
                .claim("preferred_username", "carol")
                .claim("groups", List.of("staff", "CMS-Admins"))
                .build());
    IdTokens.Identity id = t.verify(token);
    assertThat(id).isEqualTo(new IdTokens.Identity(issuer, "s-1", "carol", true));
    assertThatThrownBy(() -> t.verify(token))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("presented before");

    IdTokens.Identity plain =
        t.verify(signed(claims("s-2").claim("groups", "staff users").build()));
    assertThat(plain.name()).isEqualTo("s-2");
    assertThat(plain.admin()).isFalse();
  }

  @Test
  void tokensForAnotherClientIssuerOrTimeOrSignedWithASecretAreRefused() throws Exception {
    IdTokens t = tokens();
    assertRefused(t, signed(claims("s").audience("other-client").build()));
    assertRefused(t, signed(claims("s").issuer("http://evil.example/realm").build()));
    assertRefused(
        t,
        signed(
            claims("s")
                .expirationTime(Date.from(Instant.now().minusSeconds(3600)))
                .issueTime(Date.from(Instant.now().minusSeconds(7200)))
                .build()));
    SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims("s").build());
    hs.sign(
        new MACSigner("a-shared-secret-of-thirty-two-bytes!!".getBytes(StandardCharsets.UTF_8)));
    assertRefused(t, hs.serialize());
    assertRefused(t, "not-a-jwt");
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
    SignedJWT forged =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims("s").build());
    forged.sign(new RSASSASigner(stranger));
    assertRefused(t, forged.serialize());
  }

  @Test
  void withoutAProviderTheEndpointSaysSo() {
    IdTokens t = tokens();
    t.providerUri = java.util.Optional.empty();
    assertThatThrownBy(() -> t.verify("x"))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("CMS_OIDC_PROVIDER_URI");
  }

  @Test
  void roleClaimsAreStringsOrArrays() {
    assertThat(IdTokens.roleValues("a, B c")).containsExactly("a", "b", "c");
    assertThat(IdTokens.roleValues(List.of("X", 3, " y "))).containsExactly("x", "y");
    assertThat(IdTokens.roleValues(null)).isEmpty();
  }

  private static void assertRefused(IdTokens t, String token) {
    assertThatThrownBy(() -> t.verify(token))
        .isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(401));
  }
}
