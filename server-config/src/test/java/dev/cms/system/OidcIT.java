package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The console's OpenID Connect sign-in (issue 10) against a real provider running here ({@code
 * no.nav.security:mock-oauth2-server}) and Payara's own Jakarta Security OIDC mechanism, in
 * headless Chromium: an unauthenticated visit goes to the provider and comes back signed in, the
 * provider's role claim decides admin or user, the gateway keeps the users by issuer and subject, a
 * local user's name cannot be taken over, and a foreign {@code Host} is still answered 421 (nothing
 * goes to the provider). Screenshots land in {@code target/oidc-screenshots/}.
 */
class OidcIT {

  static final String CLIENT_ID = "cms-console";

  static MockOAuth2Server idp;
  static Gateway gw;
  static Path shots;
  static final List<ConsoleBrowser> browsers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        Files.isExecutable(ConsoleBrowser.CHROMIUM),
        "no /usr/bin/chromium: the OIDC journey needs Debian's chromium and chromium-driver");
    idp = new MockOAuth2Server();
    idp.start(InetAddress.getLoopbackAddress(), 0);
    String issuer = idp.issuerUrl("default").toString();
    gw =
        Gateway.dedicated(
            "oidc",
            Map.of(
                "CMS_OIDC_PROVIDER_URI", issuer,
                "CMS_OIDC_CLIENT_ID", CLIENT_ID,
                "CMS_OIDC_CLIENT_SECRET", "a-client-secret",
                "CMS_OIDC_ROLE_CLAIM", "groups",
                "CMS_OIDC_ADMIN_VALUES", "cms-admins"));
    gw.start();
    Path target = Path.of(System.getProperty("cms.jar", "target/cms.jar")).toAbsolutePath();
    shots = target.getParent().resolve("oidc-screenshots");
  }

  @AfterAll
  static void stop() throws Exception {
    for (ConsoleBrowser b : browsers) {
      b.close();
    }
    if (gw != null) {
      gw.stopAndClean();
    }
    if (idp != null) {
      idp.shutdown();
    }
  }

  private static ConsoleBrowser browser() throws Exception {
    ConsoleBrowser b = new ConsoleBrowser(shots);
    browsers.add(b);
    return b;
  }

  /** The provider's next token: for {@code subject}, with a user name and role claim values. */
  private static void nextSignIn(String subject, String name, List<String> groups) {
    idp.enqueueCallback(
        new DefaultOAuth2TokenCallback(
            "default",
            subject,
            "JWT",
            List.of(CLIENT_ID),
            Map.of("preferred_username", name, "groups", groups),
            3600));
  }

  @Test
  void usersOfTheIdentityProviderSignInWithTheRoleFromItsClaim() throws Exception {
    String base = gw.base();

    // carol's groups name the admin value: she lands on the console as an admin
    nextSignIn("carol-subject", "carol", List.of("staff", "cms-admins"));
    ConsoleBrowser carol = browser();
    carol.driver.get(base + "/console/");
    carol.await(60).until(ExpectedConditions.visibilityOfElementLocated(By.id("f:createBtn")));
    carol.screenshot("01-carol-signed-in-through-the-provider");
    assertThat(carol.text("#cms-user-name")).isEqualTo("carol");
    assertThat(carol.driver.findElements(By.cssSelector(".cms-user-role")))
        .extracting(e -> e.getText().toLowerCase(java.util.Locale.ROOT))
        .containsExactly("admin");
    assertThat(carol.driver.getCurrentUrl()).startsWith(base + "/console/");

    // dave's groups do not: a user
    nextSignIn("dave-subject", "dave", List.of("staff"));
    ConsoleBrowser dave = browser();
    dave.driver.get(base + "/console/");
    dave.await(60).until(ExpectedConditions.visibilityOfElementLocated(By.id("f:createBtn")));
    dave.screenshot("02-dave-signed-in-as-a-user");
    assertThat(dave.text("#cms-user-name")).isEqualTo("dave");
    assertThat(dave.driver.findElements(By.cssSelector(".cms-user-role"))).isEmpty();

    // the gateway keeps them as users of their own, with the provider's roles
    HttpResponse<String> users = gw.get("/api/v1/users", gw.adminToken());
    assertThat(users.statusCode()).as(users.body()).isEqualTo(200);
    JsonNode list = Gateway.JSON.readTree(users.body());
    Map<String, String> roles = new java.util.HashMap<>();
    list.forEach(u -> roles.put(u.get("name").asText(), u.get("role").asText()));
    assertThat(roles).containsEntry("carol", "admin").containsEntry("dave", "user");

    // a provider user named like the local admin does not become them
    nextSignIn("mallory-subject", "admin", List.of("cms-admins"));
    ConsoleBrowser mallory = browser();
    mallory.driver.get(base + "/console/");
    mallory.await(60).until(ExpectedConditions.visibilityOfElementLocated(By.id("deniedReason")));
    mallory.screenshot("03-a-taken-name-is-refused");
    assertThat(mallory.text("#deniedReason")).contains("belongs to another user");
    assertThat(mallory.driver.findElements(By.id("f:createBtn"))).isEmpty();

    // a foreign Host is refused before the mechanism sends anyone to the provider
    String probe = gw.rawGet("/console/", "attacker.example:" + gw.port(), "text/html");
    assertThat(probe).startsWith("HTTP/1.1 421");
  }
}
