package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;

/**
 * The API described: Payara's {@code /openapi} document (schemas, the bearer scheme on the secured
 * operations) and Swagger UI at {@code /openapi/ui}, rendered by headless Chromium from local
 * assets under the page's CSP.
 */
class OpenApiIT {

  static Gateway gw;
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void boot() throws Exception {
    gw = Gateway.shared();
  }

  @Test
  void theDocumentHasTheRequestSchemasTheProblemShapeAndTheBearerScheme() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(gw.base() + "/openapi"))
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode doc = Gateway.JSON.readTree(r.body());

    JsonNode scheme = doc.at("/components/securitySchemes/apiKey");
    assertThat(scheme.get("type").asText()).isEqualTo("http");
    assertThat(scheme.get("scheme").asText()).isEqualTo("bearer");
    assertThat(scheme.get("description").asText()).contains("cmsk_");

    JsonNode create = doc.at("/paths/~1api~1v1~1containers/post");
    assertThat(create.get("security").toString()).contains("apiKey");
    assertThat(create.at("/responses/400/content").toString()).contains("Problem");

    JsonNode schemas = doc.at("/components/schemas");
    assertThat(schemas.at("/CreateRequest/properties/memoryMb/minimum").asInt()).isEqualTo(64);
    assertThat(schemas.at("/CreateRequest/properties/labels").isMissingNode()).isFalse();
    assertThat(schemas.at("/ExecRequest/properties/command").isMissingNode()).isFalse();
    assertThat(schemas.at("/Problem/properties/violations").isMissingNode()).isFalse();
    assertThat(schemas.at("/Violation/properties/field").isMissingNode()).isFalse();
    // the examples are bodies (objects), not the JSON text the annotations hold
    assertThat(schemas.at("/CreateRequest/example/memoryMb").asInt()).isEqualTo(512);
    assertThat(schemas.at("/ExecRequest/example").isObject()).isTrue();
    // one server, this origin: not Payara's default per app (the console's first)
    assertThat(doc.get("servers")).hasSize(1);
    assertThat(doc.at("/servers/0/url").asText()).isEqualTo("/");
  }

  @Test
  void swaggerUiAtOpenapiUiListsTheOperationsFromLocalAssetsUnderItsCsp() throws Exception {
    HttpResponse<String> page =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(gw.base() + "/openapi/ui/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertThat(csp).contains("script-src 'self'").doesNotContain("script-src 'self' 'unsafe");
    assertThat(page.body()).doesNotContain("<script>").doesNotContain("http://", "https://");

    assumeTrue(
        Files.isExecutable(ConsoleBrowser.CHROMIUM),
        "no /usr/bin/chromium: rendering Swagger UI needs Debian's chromium and chromium-driver");
    Path target = Path.of(System.getProperty("cms.jar", "target/cms.jar")).toAbsolutePath();
    try (ConsoleBrowser browser =
        new ConsoleBrowser(target.getParent().resolve("openapi-screenshots"))) {
      browser.driver.get(gw.base() + "/openapi/ui");
      browser
          .await(60)
          .until(d -> d.findElements(By.cssSelector(".opblock-summary-path")).size() > 20);
      List<String> paths = new ArrayList<>();
      for (WebElement e : browser.driver.findElements(By.cssSelector(".opblock-summary-path"))) {
        paths.add(e.getText().replace("\u200b", ""));
      }
      browser.screenshot("01-swagger-ui");
      assertThat(paths).contains("/api/v1/containers", "/api/v1/containers/{id}/exec");
      // the bearer scheme offers its Authorize button
      assertThat(browser.driver.findElements(By.cssSelector(".btn.authorize"))).isNotEmpty();
      // every request of the page stayed on this origin (no CDN)
      List<String> web =
          browser.requestsSince("http").stream()
              .filter(u -> u.matches("[A-Z]+ https?://.*"))
              .toList();
      assertThat(web).isNotEmpty().allSatisfy(u -> assertThat(u).contains(" " + gw.base() + "/"));
      List<String> refused = new ArrayList<>();
      for (LogEntry e : browser.consoleLog()) {
        if (e.getMessage().contains("Content Security Policy")) {
          refused.add(e.getMessage());
        }
      }
      assertThat(refused).as("CSP refusals in the browser console").isEmpty();
    }
  }
}
