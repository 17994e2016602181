package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The console's whole journey in headless Chromium against the real uber-jar and a real container:
 * sign in as admin, create, type in the terminal, upload an app, build and run it, see it in the
 * preview, see a refused upload's reason, terminate. Screenshots of every step land in {@code
 * target/console-screenshots/}.
 */
class ConsoleIT {

  static final String APP_TEXT = "Hello from the console journey app";
  static final String SERVER_JS =
      """
      const http = require('http');
      http.createServer((req, res) => {
        res.writeHead(200, {'content-type': 'text/html; charset=utf-8'});
        res.end('<!DOCTYPE html><html><body style="font-family:sans-serif">'
          + '<h1>%s</h1><p>served on ' + req.url + '</p></body></html>');
      }).listen(3000, () => console.log('app listening on 3000'));
      """
          .formatted(APP_TEXT);

  /** A running console to test instead of booting cms.jar, e.g. {@code http://localhost:8080}. */
  static final String EXTERNAL = System.getProperty("console.it.base", "");

  ConsoleBrowser browser;
  final List<LogEntry> consoleLog = new ArrayList<>();
  String containerId;
  String base;

  @BeforeEach
  void browser() throws Exception {
    assumeTrue(
        Files.isExecutable(ConsoleBrowser.CHROMIUM),
        "no /usr/bin/chromium: the console journey needs Debian's chromium and chromium-driver");
    base = EXTERNAL.isBlank() ? Gateway.shared().base() : EXTERNAL;
    Path target = Path.of(System.getProperty("cms.jar", "target/cms.jar")).toAbsolutePath();
    browser = new ConsoleBrowser(target.getParent().resolve("console-screenshots"));
  }

  @AfterEach
  void close(TestInfo info) throws Exception {
    if (browser == null) {
      return;
    }
    try {
      drainConsole();
      System.out.println("browser console of " + info.getDisplayName() + ":");
      consoleLog.forEach(e -> System.out.println("  " + e));
    } finally {
      browser.close();
      if (containerId != null && EXTERNAL.isBlank()) {
        Gateway.shared().delete("/api/v1/containers/" + containerId, Gateway.shared().adminToken());
      }
    }
  }

  @Test
  void aUserCreatesTypesUploadsRunsPreviewsAndTerminates() throws Exception {
    Path dir = Files.createTempDirectory("console-it-");
    Path appZip = dir.resolve("app.zip");
    Files.write(appZip, zip(Map.of("server.js", SERVER_JS, "package.json", packageJson())));
    Path evilZip = dir.resolve("evil.zip");
    Files.write(evilZip, zip(Map.of("../evil", "outside")));

    try {
      // open the console: the three windows with their empty states
      browser.signInToConsole(base, "admin", adminPassword());
      assertThat(browser.find("#cms-term-empty").getText()).contains("No terminal yet");
      assertThat(browser.find("#cms-preview-state").getText()).contains("Nothing to preview yet");
      assertThat(browser.find("#cms-messages").getText()).contains("Nothing yet");
      browser.screenshot("00-opened");

      // create: the badge turns RUNNING and the shell attaches
      browser.click("#f\\:createBtn");
      browser
          .await(150)
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.id("cms-current-badge"), "RUNNING"));
      containerId = browser.text("#cms-current-id").strip();
      assertThat(containerId).startsWith("c-");
      browser.await(60).until(d -> browser.find("#cms-conn").getText().equals("connected"));
      assertThat(messages()).contains("Created " + containerId);
      browser.await(30).until(d -> termText().contains("$"));
      browser.screenshot("01-created");

      // type in the real terminal
      WebElement input = browser.find(".cms-term-active .xterm-helper-textarea");
      browser.click(".cms-term-active .xterm-screen");
      input.sendKeys("echo hello-$((40+2))" + Keys.ENTER);
      browser.await(30).until(d -> termText().contains("hello-42"));
      browser.screenshot("02-terminal");

      // upload the app's zip into /app (zip mode and /app are the defaults)
      assertThat(attr("#f\\:uploadDest", "value")).isEqualTo("/app");
      browser.find("#f\\:upload_input").sendKeys(appZip.toString());
      browser.await(60).until(d -> messages().contains("Unpacked app.zip into /app: 2 entries"));
      browser.screenshot("03-uploaded");

      // Build & Run: its own terminal tab, then the preview loads by itself
      WebElement command = browser.find("#f\\:runCommand");
      command.clear();
      command.sendKeys("node server.js");
      browser.click("#f\\:runBtn");
      browser
          .await(30)
          .until(
              d ->
                  browser.driver.findElements(By.cssSelector("#cms-term-tabs .cms-tab")).size()
                      == 2);
      browser.await(90).until(d -> "loaded".equals(attr("#cms-preview-body", "data-state")));
      browser
          .await(30)
          .until(ExpectedConditions.frameToBeAvailableAndSwitchToIt("cms-preview-frame"));
      browser
          .await(60)
          .until(
              d -> {
                List<WebElement> h1 = d.findElements(By.tagName("h1"));
                return !h1.isEmpty() && h1.get(0).getText().contains(APP_TEXT);
              });
      browser.driver.switchTo().defaultContent();
      assertThat(messages()).contains("Port 3000");
      browser.screenshot("04-preview");

      // a refused upload names its reason
      browser.find("#f\\:upload_input").sendKeys(evilZip.toString());
      browser
          .await(60)
          .until(
              d ->
                  browser
                      .driver
                      .findElements(By.cssSelector("#cms-messages .cms-msg-error"))
                      .stream()
                      .anyMatch(e -> e.getText().contains("dotdot-entry")));
      browser.screenshot("05-refused");

      // the same page at 1920×1080
      browser.driver.manage().window().setSize(new Dimension(1920, 1080));
      browser.await(10).until(d -> browser.find("#cms-term-body").getSize().getWidth() > 700);
      Thread.sleep(500);
      browser.screenshot("06-full-hd");
      browser.driver.manage().window().setSize(new Dimension(1280, 800));

      // terminate, confirmed in the dialog: the badge shows DELETED
      browser.click("#f\\:terminateBtn");
      WebElement yes =
          browser
              .await(10)
              .until(
                  ExpectedConditions.elementToBeClickable(By.cssSelector(".ui-confirmdialog-yes")));
      browser
          .await(5)
          .until(
              d ->
                  "1"
                      .equals(
                          browser
                              .find(".ui-confirm-dialog")
                              .getCssValue("opacity"))); // after the fade-in
      browser.screenshot("07-confirm");
      browser.click(".ui-confirmdialog-yes");
      browser
          .await(60)
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.cssSelector("#f\\:containers [data-container='" + containerId + "']"),
                  "DELETED"));
      // located anew while it waits: a pushed update re-renders the badge under our feet
      browser
          .await(10)
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.id("cms-current-badge"), "DELETED"));
      assertThat(messages()).contains("Terminated " + containerId);
      browser.screenshot("08-deleted");
      containerId = null;

      drainConsole();
      assertThat(consoleLog.stream().filter(ConsoleIT::isScriptError).toList())
          .as("JavaScript errors in the browser console")
          .isEmpty();
    } catch (Throwable t) {
      try {
        browser.driver.switchTo().defaultContent();
        browser.screenshot("99-failure");
        System.out.println("messages at failure:\n" + messages());
      } catch (Exception ignored) {
        // the original failure matters
      }
      throw t;
    }
  }

  static final String CAROL_PASSWORD = "carol-password-3";

  /**
   * The page survives a reload and a second tab, and is live without polling: a user's container
   * attached again by its {@code ?c=} URL with the earlier terminal output, the selected terminal
   * and the preview; upload progress the whole way to the result and to a refusal's rule; Build &
   * Run's process in the Processes panel, stopped there with its exit code; a stop through the REST
   * API on the page within 1 s; and no request from the page while nothing happens.
   */
  @Test
  void aReloadAndASecondTabFindTheSameContainerAndChangesArriveLiveWithoutPolling()
      throws Exception {
    assumeTrue(EXTERNAL.isBlank(), "needs the test gateway: it creates a user");
    Gateway gw = Gateway.shared();
    String carol = "carol";
    HttpResponse<String> made =
        gw.post(
            "/api/v1/users",
            gw.adminToken(),
            "{\"name\":\""
                + carol
                + "\",\"password\":\""
                + CAROL_PASSWORD
                + "\",\"role\":\"user\"}");
    assertThat(made.statusCode()).as(made.body()).isIn(201, 409);
    Path dir = Files.createTempDirectory("console-it-live-");
    Path appZip = dir.resolve("app.zip");
    Files.write(appZip, zip(Map.of("server.js", SERVER_JS, "package.json", packageJson())));
    Path evilZip = dir.resolve("evil.zip");
    Files.write(evilZip, zip(Map.of("../evil", "outside")));
    Path big = dir.resolve("big.bin");
    byte[] noise = new byte[40 * 1024 * 1024];
    new java.util.Random(7).nextBytes(noise);
    Files.write(big, noise);
    try {
      browser.signInToConsole(base, carol, CAROL_PASSWORD);
      assertThat(browser.driver.findElements(By.cssSelector("[id$='poll']")))
          .as("no p:poll")
          .isEmpty();
      browser.click("#f\\:createBtn");
      browser
          .await(150)
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.id("cms-current-badge"), "RUNNING"));
      containerId = browser.text("#cms-current-id").strip();
      browser.await(60).until(d -> browser.find("#cms-conn").getText().equals("connected"));
      // the URL names the attached container
      browser.await(10).until(d -> d.getCurrentUrl().endsWith("?c=" + containerId));
      browser.await(30).until(d -> termText().contains("$"));
      browser.click(".cms-term-active .xterm-screen");
      browser
          .find(".cms-term-active .xterm-helper-textarea")
          .sendKeys("echo before-$((6*7))" + Keys.ENTER);
      browser.await(30).until(d -> termText().contains("before-42"));
      browser.screenshot("20-live-attached");

      // upload progress: browser → console → gateway → agent, then the result
      recordUploadStates();
      browser.click("#f\\:uploadMode .ui-button:nth-child(2)"); // single file
      browser.await(10).until(d -> attr("#f\\:uploadDest", "placeholder").contains("server.js"));
      WebElement dest = browser.find("#f\\:uploadDest");
      dest.clear();
      dest.sendKeys("/app/big.bin");
      browser.find("#f\\:upload_input").sendKeys(big.toString());
      browser.await(120).until(d -> "done".equals(attr("#cms-upload-progress", "data-state")));
      assertThat(browser.find("#cms-upload-progress").getText())
          .contains("Wrote big.bin to /app/big.bin");
      assertThat(attr("#cms-upload-progress", "data-percent")).isEqualTo("100");
      @SuppressWarnings("unchecked")
      List<String> states = (List<String>) browser.js("return window.cmsUploadStates;");
      assertThat(states).as("the bar's phases").contains("browser", "container", "done");
      browser.screenshot("21-live-upload-done");
      browser.click("#f\\:uploadMode .ui-button:nth-child(1)"); // zip
      browser.await(10).until(d -> attr("#f\\:uploadDest", "placeholder").equals("/app"));
      dest = browser.find("#f\\:uploadDest");
      dest.clear();
      dest.sendKeys("/app");
      browser.find("#f\\:upload_input").sendKeys(evilZip.toString());
      browser.await(60).until(d -> "refused".equals(attr("#cms-upload-progress", "data-state")));
      assertThat(browser.find("#cms-upload-progress").getText()).contains("dotdot-entry");
      browser.screenshot("22-live-upload-refused");
      browser.find("#f\\:upload_input").sendKeys(appZip.toString());
      browser
          .await(60)
          .until(d -> browser.find("#cms-upload-progress").getText().contains("Unpacked app.zip"));

      // Build & Run: its process in the Processes panel, its preview
      WebElement command = browser.find("#f\\:runCommand");
      command.clear();
      command.sendKeys("node server.js");
      browser.click("#f\\:runBtn");
      browser.await(30).until(d -> processStatus().contains("RUNNING"));
      String process = browser.text("#f\\:processes .cms-proc-id").strip();
      assertThat(process).startsWith("p-");
      browser.await(90).until(d -> "loaded".equals(attr("#cms-preview-body", "data-state")));
      browser.await(30).until(d -> browser.text("#f\\:ports").contains("3000"));
      String portUrl =
          Gateway.JSON
              .readTree(
                  gw.get(
                          "/api/v1/containers/" + containerId + "/ports",
                          gw.sessionToken(carol, CAROL_PASSWORD))
                      .body())
              .findParents("port")
              .stream()
              .filter(p -> p.get("port").asInt() == 3000)
              .map(p -> p.get("url").asText())
              .findFirst()
              .orElse("no port 3000");
      assertThat(attr("#f\\:ports .cms-port-open", "href"))
          .as("the gateway's preview URL of the port")
          .isEqualTo(portUrl);
      browser.screenshot("23-live-running");

      // reload: the same container, its terminals from their log, the run's tab and the preview
      browser.driver.navigate().refresh();
      browser.await(30).until(d -> browser.find("#cms-conn").getText().equals("connected"));
      assertThat(browser.text("#cms-current-id").strip()).isEqualTo(containerId);
      browser
          .await(30)
          .until(
              d ->
                  process.equals(
                      browser
                          .find("#cms-term-tabs .cms-tab-active")
                          .getAttribute("data-terminal")));
      browser.await(30).until(d -> termText().contains("app listening on 3000"));
      browser.await(60).until(d -> "loaded".equals(attr("#cms-preview-body", "data-state")));
      browser.screenshot("24-live-reloaded");
      browser.click("#cms-term-tabs .cms-tab[data-terminal='main']");
      browser.await(30).until(d -> termText().contains("before-42"));
      browser.click(".cms-term-active .xterm-screen");
      browser
          .find(".cms-term-active .xterm-helper-textarea")
          .sendKeys("echo after-$((50+5))" + Keys.ENTER);
      browser.await(30).until(d -> termText().contains("after-55"));
      browser.screenshot("25-live-reload-typed");

      // a second tab of the same session shows the same
      String first = browser.driver.getWindowHandle();
      browser.driver.switchTo().newWindow(WindowType.TAB);
      browser.driver.get(base + "/console/?c=" + containerId);
      browser.await(30).until(d -> browser.find("#cms-conn").getText().equals("connected"));
      assertThat(browser.text("#cms-current-id").strip()).isEqualTo(containerId);
      browser
          .await(30)
          .until(d -> termText().contains("before-42") && termText().contains("after-55"));
      browser.await(60).until(d -> "loaded".equals(attr("#cms-preview-body", "data-state")));
      browser.click(".cms-term-active .xterm-screen");
      browser
          .find(".cms-term-active .xterm-helper-textarea")
          .sendKeys("echo second-$((3*3))" + Keys.ENTER);
      browser.await(30).until(d -> termText().contains("second-9"));
      browser.screenshot("26-live-second-tab");

      // idle: the page sends nothing (no poll), while its sockets stay open
      Thread.sleep(1000);
      browser.requestsSince("/console/");
      Thread.sleep(5000);
      assertThat(browser.requestsSince("/console/"))
          .as("requests to the console in 5 s of idleness")
          .isEmpty();

      // the Processes panel's Stop ends the run and shows its exit code (both tabs)
      browser.click("#f\\:processes .cms-proc-stop");
      browser.await(30).until(d -> processStatus().contains("EXITED"));
      browser
          .await(10)
          .until(d -> browser.text("#f\\:processes .cms-proc-exit").matches("exit -?\\d+"));
      browser.screenshot("27-live-process-stopped");
      browser.driver.switchTo().window(first);
      browser.await(10).until(d -> processStatus().contains("EXITED"));
      browser
          .driver
          .switchTo()
          .window(
              browser.driver.getWindowHandles().stream()
                  .filter(h -> !h.equals(first))
                  .findFirst()
                  .orElseThrow());

      // a stop through the REST API shows on the page within 1 s, pushed, not polled
      browser.requestsSince("/console/");
      HttpResponse<String> stop =
          gw.post(
              "/api/v1/containers/" + containerId + "/stop",
              gw.sessionToken(carol, CAROL_PASSWORD),
              "");
      assertThat(stop.statusCode()).as(stop.body()).isEqualTo(200);
      long answered = System.nanoTime();
      browser
          .await(1)
          .pollingEvery(java.time.Duration.ofMillis(20))
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.id("cms-current-badge"), "STOPPED"));
      long ms = (System.nanoTime() - answered) / 1_000_000;
      System.out.println("REST stop on the page " + ms + " ms after the API answered");
      assertThat(ms).isLessThan(1000);
      List<String> sent = browser.requestsSince("/console/");
      assertThat(sent).as("only the pushed refresh").allMatch(u -> u.startsWith("POST "));
      assertThat(sent.size()).isLessThanOrEqualTo(3);
      browser.screenshot("28-live-rest-stop");

      drainConsole();
      assertThat(consoleLog.stream().filter(ConsoleIT::isScriptError).toList())
          .as("JavaScript errors in the browser console")
          .isEmpty();
    } catch (Throwable t) {
      try {
        browser.driver.switchTo().defaultContent();
        browser.screenshot("99-live-failure");
        System.out.println("messages at failure:\n" + messages());
      } catch (Exception ignored) {
        // the original failure matters
      }
      throw t;
    }
  }

  /** Every state the upload bar takes, in order (a MutationObserver in the page). */
  private void recordUploadStates() {
    browser.js(
        "window.cmsUploadStates = [];"
            + "var el = document.getElementById('cms-upload-progress');"
            + "new MutationObserver(function () {"
            + "  var s = el.getAttribute('data-state'); var a = window.cmsUploadStates;"
            + "  if (a[a.length - 1] !== s) { a.push(s); } })"
            + ".observe(el, {attributes: true, attributeFilter: ['data-state']});");
  }

  /** An attribute of the element, read again if an AJAX update replaced the element meanwhile. */
  private String attr(String css, String name) {
    return browser
        .await(10)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> String.valueOf(d.findElement(By.cssSelector(css)).getAttribute(name)));
  }

  private String processStatus() {
    return browser.text("#f\\:processes .cms-proc-status");
  }

  /** The admin's password: the test gateway's generated one, or {@code -Dconsole.it.password}. */
  private static String adminPassword() throws Exception {
    return EXTERNAL.isBlank()
        ? Gateway.shared().adminPassword()
        : System.getProperty("console.it.password", "");
  }

  private String termText() {
    return browser.find(".cms-term-active .xterm-rows").getText();
  }

  private String messages() {
    return browser.find("#cms-messages").getText();
  }

  private void drainConsole() {
    consoleLog.addAll(browser.consoleLog());
  }

  /** A script error, not a network answer (a 503 while the app starts is expected). */
  private static boolean isScriptError(LogEntry e) {
    return e.getLevel().intValue() >= Level.SEVERE.intValue()
        && !e.getMessage().contains("Failed to load resource");
  }

  private static String packageJson() {
    return "{\"name\":\"journey\",\"version\":\"1.0.0\",\"scripts\":{\"start\":\"node server.js\"}}\n";
  }

  private static byte[] zip(Map<String, String> files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      for (var e : files.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    return out.toByteArray();
  }
}
