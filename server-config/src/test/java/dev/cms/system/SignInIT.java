package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Sign-in, users and tenancy in headless Chromium against the real uber-jar: the sign-in page, a
 * refused password, the admin with the generated password creating alice and bob, alice's container
 * invisible and unreachable for bob (list, URL, a replayed AJAX request), alice's own API key with
 * the REST API until she revokes it, and the Host-header probe (421, nothing sent to the named
 * address). Screenshots of every step land in {@code target/signin-screenshots/}.
 */
class SignInIT {

  static final String ALICE_PASSWORD = "alice-password-1";
  static final String BOB_PASSWORD = "bob-password-22";

  Gateway gw;
  Path shots;
  final List<ConsoleBrowser> browsers = new ArrayList<>();
  String aliceContainer;

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(
        Files.isExecutable(ConsoleBrowser.CHROMIUM),
        "no /usr/bin/chromium: the sign-in journey needs Debian's chromium and chromium-driver");
    gw = Gateway.shared();
    Path target = Path.of(System.getProperty("cms.jar", "target/cms.jar")).toAbsolutePath();
    shots = target.getParent().resolve("signin-screenshots");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ConsoleBrowser b : browsers) {
      b.close();
    }
    if (aliceContainer != null) {
      gw.delete("/api/v1/containers/" + aliceContainer, gw.adminToken());
    }
  }

  private ConsoleBrowser browser() throws IOException {
    ConsoleBrowser b = new ConsoleBrowser(shots);
    browsers.add(b);
    return b;
  }

  @Test
  void usersSignInAndSeeOnlyTheirOwnContainersAndKeys() throws Exception {
    String base = gw.base();
    ConsoleBrowser admin = browser();
    try {
      // an unauthenticated visitor gets the sign-in page
      admin.driver.get(base + "/console/");
      admin
          .await(30)
          .until(ExpectedConditions.visibilityOfElementLocated(By.id("signin:signInBtn")));
      assertThat(admin.driver.getTitle()).contains("Sign in");
      assertThat(admin.driver.findElements(By.id("f:createBtn"))).isEmpty();
      admin.screenshot("00-sign-in-page");

      // a wrong password: a message, and still no way in
      admin.signIn(base, "admin", "not-the-password");
      admin
          .await(30)
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.id("signin:msgs"), "Wrong user name or password"));
      admin.screenshot("01-wrong-password");
      admin.driver.get(base + "/console/");
      admin
          .await(30)
          .until(ExpectedConditions.visibilityOfElementLocated(By.id("signin:signInBtn")));
      assertThat(admin.driver.findElements(By.id("f:createBtn"))).isEmpty();

      // the admin signs in with the generated password and creates alice and bob
      admin.signInToConsole(base, "admin", gw.adminPassword());
      assertThat(admin.find("#cms-user-name").getText()).isEqualTo("admin");
      admin.screenshot("02-admin-signed-in");
      admin.click("#f\\:usersBtn");
      admin.await(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("users:name")));
      createUser(admin, "alice", ALICE_PASSWORD);
      createUser(admin, "bob", BOB_PASSWORD);
      assertThat(admin.find("#users\\:list").getText()).contains("alice").contains("bob");
      admin.screenshot("03-users-created");
      // the admin's session cookie: HttpOnly (the page's script cannot read it), SameSite=Lax
      assertThat(admin.js("return document.cookie")).asString().doesNotContain("JSESSIONID");

      // alice signs in (a browser of her own) and creates a container
      ConsoleBrowser alice = browser();
      alice.signInToConsole(base, "alice", ALICE_PASSWORD);
      assertThat(alice.find("#cms-user-name").getText()).isEqualTo("alice");
      assertThat(alice.driver.findElements(By.id("f:usersBtn"))).as("no user admin").isEmpty();
      alice.click("#f\\:createBtn");
      alice
          .await(150)
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.id("cms-current-badge"), "RUNNING"));
      aliceContainer = alice.text("#cms-current-id").strip();
      assertThat(aliceContainer).startsWith("c-");
      alice.await(60).until(d -> alice.find("#cms-conn").getText().equals("connected"));
      alice.screenshot("04-alice-created");

      // alice reloads: the same container (named by the URL), the earlier output, typing works
      alice.click(".cms-term-active .xterm-screen");
      alice
          .find(".cms-term-active .xterm-helper-textarea")
          .sendKeys("echo alice-$((20+1))" + org.openqa.selenium.Keys.ENTER);
      alice.await(30).until(d -> term(alice).contains("alice-21"));
      assertThat(alice.driver.getCurrentUrl()).endsWith("/console/?c=" + aliceContainer);
      alice.driver.navigate().refresh();
      alice.await(60).until(d -> alice.find("#cms-conn").getText().equals("connected"));
      assertThat(alice.text("#cms-current-id").strip()).isEqualTo(aliceContainer);
      alice.await(30).until(d -> term(alice).contains("alice-21"));
      alice.click(".cms-term-active .xterm-screen");
      alice
          .find(".cms-term-active .xterm-helper-textarea")
          .sendKeys("echo reloaded-$((30+3))" + org.openqa.selenium.Keys.ENTER);
      alice.await(30).until(d -> term(alice).contains("reloaded-33"));
      alice.screenshot("04b-alice-reloaded");
      // ... and a second tab shows the same
      String firstTab = alice.driver.getWindowHandle();
      alice.driver.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
      alice.driver.get(base + "/console/?c=" + aliceContainer);
      alice.await(60).until(d -> alice.find("#cms-conn").getText().equals("connected"));
      assertThat(alice.text("#cms-current-id").strip()).isEqualTo(aliceContainer);
      alice
          .await(30)
          .until(d -> term(alice).contains("alice-21") && term(alice).contains("reloaded-33"));
      alice.screenshot("04c-alice-second-tab");
      alice.driver.close();
      alice.driver.switchTo().window(firstTab);

      // alice's own AJAX request that attaches her container, recorded in her browser
      alice.driver.get(base + "/console/");
      alice.await(30).until(ExpectedConditions.visibilityOfElementLocated(By.id("f:createBtn")));
      alice.js(
          "window.cmsSent = [];"
              + "var send = XMLHttpRequest.prototype.send;"
              + "XMLHttpRequest.prototype.send = function (b) {"
              + "  window.cmsSent.push(String(b)); return send.apply(this, arguments); };");
      alice.click("#f\\:containers [data-container='" + aliceContainer + "']");
      alice.await(60).until(d -> alice.find("#cms-conn").getText().equals("connected"));
      String aliceRequest =
          (String)
              alice.js(
                  "return window.cmsSent.filter(function (b) {"
                      + " return b.indexOf('rowSelect') >= 0; })[0] || null;");
      assertThat(aliceRequest).contains(aliceContainer);

      // bob does not see it in his list ...
      ConsoleBrowser bob = browser();
      bob.signInToConsole(base, "bob", BOB_PASSWORD);
      assertThat(bob.find("#cms-user-name").getText()).isEqualTo("bob");
      assertThat(bob.find("#f\\:containers").getText())
          .doesNotContain(aliceContainer)
          .contains("No containers yet");
      bob.screenshot("05-bob-list");

      // ... cannot reach it by URL ...
      bob.driver.get(base + "/console/?c=" + aliceContainer);
      bob.await(30)
          .until(d -> bob.find("#cms-messages").getText().contains(aliceContainer + " not found"));
      assertThat(bob.find("#cms-conn").getText()).isNotEqualTo("connected");
      bob.screenshot("06-bob-by-url");

      // over the REST API too: bob's exec on it is "not found", the admin's runs (admins act on
      // every user's containers, files and processes included)
      String exec = "{\"command\":\"echo from-$((6*7))\"}";
      HttpResponse<String> byBob =
          gw.post(
              "/api/v1/containers/" + aliceContainer + "/exec",
              gw.sessionToken("bob", BOB_PASSWORD),
              exec);
      assertThat(byBob.statusCode()).as(byBob.body()).isEqualTo(404);
      HttpResponse<String> byAdmin =
          gw.post("/api/v1/containers/" + aliceContainer + "/exec", gw.adminToken(), exec);
      assertThat(byAdmin.statusCode()).as(byAdmin.body()).isEqualTo(200);
      assertThat(byAdmin.body()).contains("from-42");

      // ... nor by replaying alice's request: with her view state it is refused outright, with
      // his own it finds no such container; neither answer carries a token or a terminal address
      String bobViewState =
          (String)
              bob.js(
                  "return document.querySelector('#f input[name=\"jakarta.faces.ViewState\"]')"
                      + ".value;");
      String asIs = replay(bob, aliceRequest);
      String withBobsState =
          replay(
              bob,
              aliceRequest.replaceAll(
                  "jakarta\\.faces\\.ViewState=[^&]*",
                  "jakarta.faces.ViewState="
                      + java.net.URLEncoder.encode(
                          bobViewState, java.nio.charset.StandardCharsets.UTF_8)));
      for (String answer : List.of(asIs, withBobsState)) {
        // an attach event would read {\"kind\":\"attach\",\"websocketUrl\":…,\"token\":…}
        assertThat(answer).doesNotContain("websocketUrl").doesNotContain("\\\"attach\\\"");
      }
      assertThat(withBobsState).contains(aliceContainer + " not found");
      bob.screenshot("07-bob-replay");

      // alice makes an API key in the console, shown once
      alice.click("#f\\:keysBtn");
      alice.await(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("keys:label")));
      alice.find("#keys\\:label").sendKeys("integration test");
      alice.click("#keys\\:createKeyBtn");
      alice.await(30).until(ExpectedConditions.visibilityOfElementLocated(By.id("cms-new-key")));
      String key = alice.find("#cms-new-key").getText().strip();
      assertThat(key).startsWith("cmsk_");
      alice.screenshot("08-alice-key");

      // with it the REST API shows alice's containers, and only hers
      HttpResponse<String> list = gw.get("/api/v1/containers", key);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.body()).contains(aliceContainer);
      assertThat(gw.get("/api/v1/containers", gw.sessionToken("bob", BOB_PASSWORD)).body())
          .doesNotContain(aliceContainer);
      assertThat(gw.get("/api/v1/containers/" + aliceContainer, Gateway.KEY1).statusCode())
          .as("a service key's view")
          .isEqualTo(404);

      // the list shows its prefix and its last use
      alice.driver.get(base + "/console/");
      alice.await(30).until(ExpectedConditions.visibilityOfElementLocated(By.id("f:keysBtn")));
      alice.click("#f\\:keysBtn");
      alice.await(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("keys:list")));
      WebElement keyList = alice.find("#keys\\:list");
      assertThat(keyList.getText()).contains(key.substring(0, 12)).doesNotContain(key);
      assertThat(alice.find("#keys\\:list .cms-key-used").getText()).isNotEqualTo("never");
      alice.screenshot("09-alice-keys");

      // revoked, it no longer works
      alice.click("#keys\\:list\\:0\\:revokeBtn");
      alice
          .await(30)
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.id("keys:list"), "No API keys yet"));
      alice.screenshot("10-alice-revoked");
      assertThat(gw.get("/api/v1/containers", key).statusCode()).isEqualTo(401);

      // signing out ends the session
      alice.click("#keysDlg .ui-dialog-titlebar-close");
      alice.await(10).until(ExpectedConditions.invisibilityOfElementLocated(By.id("keysDlg")));
      alice.click("#f\\:signOutBtn");
      alice
          .await(30)
          .until(ExpectedConditions.visibilityOfElementLocated(By.id("signin:signInBtn")));
      assertThat(alice.find("body").getText()).contains("You are signed out");
      alice.driver.get(base + "/console/");
      alice
          .await(30)
          .until(ExpectedConditions.visibilityOfElementLocated(By.id("signin:signInBtn")));
      alice.screenshot("11-alice-signed-out");
    } catch (Throwable t) {
      for (int i = 0; i < browsers.size(); i++) {
        try {
          browsers.get(i).screenshot("99-failure-browser-" + i);
        } catch (Exception ignored) {
          // the original failure matters
        }
      }
      throw t;
    }
  }

  @Test
  void aRequestNamingAForeignHostIsMisdirectedAndNothingIsSentThere() throws Exception {
    AtomicInteger arrived = new AtomicInteger();
    try (ServerSocket listener = new ServerSocket(0)) {
      Thread t =
          new Thread(
              () -> {
                while (!listener.isClosed()) {
                  try (Socket s = listener.accept()) {
                    arrived.incrementAndGet();
                  } catch (IOException closed) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
      String host = "127.0.0.1:" + listener.getLocalPort();
      for (String target :
          List.of(
              "/console/", "/console/index.xhtml", "/console/signin.xhtml", "/api/v1/containers")) {
        String answer = gw.rawGet(target, host, "text/html");
        assertThat(answer).as(target).startsWith("HTTP/1.1 421");
      }
      // DNS rebinding: a foreign name, and the container host's name
      assertThat(gw.rawGet("/console/", "rebound.example:" + gw.port(), "*/*"))
          .startsWith("HTTP/1.1 421");
      assertThat(gw.rawGet("/api/v1/containers", "host.docker.internal:" + gw.port(), "*/*"))
          .startsWith("HTTP/1.1 421");
      // the service's own names are answered
      assertThat(gw.rawGet("/console/signin.xhtml", "localhost:" + gw.port(), "text/html"))
          .startsWith("HTTP/1.1 200");
      assertThat(gw.rawGet("/console/signin.xhtml", "127.0.0.1:" + gw.port(), "text/html"))
          .startsWith("HTTP/1.1 200");
      Thread.sleep(1000);
      assertThat(arrived.get()).as("connections to the Host the requests named").isZero();
    }
  }

  @Test
  void failedSignInsOfOneNameAreLimitedWithAClearMessage() throws Exception {
    String body = "{\"name\":\"mallory\",\"password\":\"guess-guess-guess\"}";
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = gw.post("/api/v1/sessions", Gateway.KEY1, body);
      assertThat(r.statusCode()).as("attempt " + (i + 1)).isEqualTo(401);
      assertThat(r.body()).contains("wrong user name or password");
    }
    HttpResponse<String> sixth = gw.post("/api/v1/sessions", Gateway.KEY1, body);
    assertThat(sixth.statusCode()).isEqualTo(429);
    assertThat(sixth.body()).contains("too many failed sign-ins for 'mallory'; try again in");
    // only a service key may check passwords
    String bob = "{\"name\":\"admin\",\"password\":\"x\"}";
    assertThat(gw.post("/api/v1/sessions", gw.adminToken(), bob).statusCode()).isEqualTo(403);
  }

  /** The active terminal's screen text. */
  private static String term(ConsoleBrowser b) {
    return b.text(".cms-term-active .xterm-rows");
  }

  private static void createUser(ConsoleBrowser admin, String name, String password) {
    WebElement n = admin.find("#users\\:name");
    n.clear();
    n.sendKeys(name);
    WebElement p = admin.find("#users\\:password");
    p.clear();
    p.sendKeys(password);
    admin.click("#users\\:createUserBtn");
    admin
        .await(30)
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("users:msgs"), "Created user " + name));
  }

  /** Sends a recorded JSF AJAX body from the browser's page (its session), returns the answer. */
  private static String replay(ConsoleBrowser b, String body) {
    return (String)
        b.js(
            "var x = new XMLHttpRequest();"
                + "x.open('POST', location.pathname, false);"
                + "x.setRequestHeader('Content-Type',"
                + " 'application/x-www-form-urlencoded; charset=UTF-8');"
                + "x.setRequestHeader('Faces-Request', 'partial/ajax');"
                + "x.send(arguments[0]);"
                + "return x.status + ' ' + x.responseText;",
            body);
  }
}
