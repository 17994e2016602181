package dev.cms.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium for the console test: the flags this machine needs, a fresh profile,
 * numbered screenshots and the browser's console log.
 */
final class ConsoleBrowser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  final ChromeDriver driver;
  private final Path profile;
  private final Path shots;

  ConsoleBrowser(Path shots) throws IOException {
    this.shots = Files.createDirectories(shots);
    this.profile = Files.createTempDirectory("console-it-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,800",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    // Chromium's DevTools events (Network.requestWillBeSent …): which requests the page makes
    logs.enable(LogType.PERFORMANCE, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    // Selenium Manager cannot download drivers here: name Debian's chromedriver explicitly
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    this.driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
  }

  /** Signs in on the console's sign-in page (opening {@code base/console/} first). */
  void signIn(String base, String name, String password) {
    driver.get(base + "/console/");
    await(30)
        .until(
            org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated(
                By.id("signin:name")));
    WebElement n = find("#signin\\:name");
    n.clear();
    n.sendKeys(name);
    WebElement p = find("#signin\\:password");
    p.clear();
    p.sendKeys(password);
    find("#signin\\:signInBtn").click();
  }

  /** Signs in and waits for the console page. */
  void signInToConsole(String base, String name, String password) {
    signIn(base, name, password);
    await(30)
        .until(
            org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated(
                By.id("f:createBtn")));
  }

  WebDriverWait await(int seconds) {
    WebDriverWait w = new WebDriverWait(driver, Duration.ofSeconds(seconds));
    w.pollingEvery(Duration.ofMillis(200));
    return w;
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  /**
   * Clicks the element, finding it again if an AJAX update (a pushed event re-renders parts of the
   * page) replaced it between finding and clicking.
   */
  void click(String css) {
    await(10)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            d -> {
              d.findElement(By.cssSelector(css)).click();
              return true;
            });
  }

  /** The element's text, read again if a pushed update replaced the element meanwhile. */
  String text(String css) {
    return await(10)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> d.findElement(By.cssSelector(css)).getText());
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Saves {@code NN-step.png} in the screenshot directory. */
  Path screenshot(String name) throws IOException {
    Path target = shots.resolve(name + ".png");
    Path tmp = driver.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    return target;
  }

  /**
   * The HTTP requests the page sent since the last call whose URL contains {@code part}, from
   * Chromium's performance log (each read drains it; WebSocket frames are not requests).
   */
  List<String> requestsSince(String part) {
    List<String> urls = new java.util.ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE).getAll()) {
      try {
        var m = Gateway.JSON.readTree(e.getMessage()).path("message");
        if (m.path("method").asText().equals("Network.requestWillBeSent")) {
          String url = m.path("params").path("request").path("url").asText();
          if (url.contains(part)) {
            urls.add(m.path("params").path("request").path("method").asText() + " " + url);
          }
        }
      } catch (IOException ignored) {
        // not a DevTools event
      }
    }
    return urls;
  }

  /** The browser console's entries so far (each read drains them). */
  List<LogEntry> consoleLog() {
    return driver.manage().logs().get(LogType.BROWSER).getAll();
  }

  @Override
  public void close() {
    driver.quit();
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover profile in /tmp is harmless
    }
  }
}
