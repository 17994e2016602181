package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
      assertThat(browser.find("#f\\:uploadDest").getAttribute("value")).isEqualTo("/app");
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
      browser
          .await(90)
          .until(
              d -> "loaded".equals(browser.find("#cms-preview-body").getAttribute("data-state")));
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
      // located anew while it waits: the poll re-renders the badge under our feet
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
