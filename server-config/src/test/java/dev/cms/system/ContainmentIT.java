package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Code in a container, as {@code node}, reaches the internet and the package registry, the agent
 * listener, and nothing else of the host; it can neither read, signal nor attach to the agent; the
 * gateway sets the rules up itself, once, and readiness tells when they are gone.
 */
class ContainmentIT {

  private static Gateway gw;
  private static String id;
  private static JsonNode created;

  @BeforeAll
  static void container() throws Exception {
    gw = Gateway.shared();
    created = gw.create(Gateway.KEY1);
    id = created.get("id").asText();
  }

  @AfterAll
  static void remove() throws Exception {
    if (id != null) {
      gw.delete("/api/v1/containers/" + id, Gateway.KEY1);
    }
  }

  /** Tries each target from inside the container; prints {@code name=ok|fail:<code> <ms>ms}. */
  private static final String PROBE =
      "const net=require('net');const t=JSON.parse(process.argv[1]);let n=Object.keys(t).length;"
          + "for(const [k,[h,p]] of Object.entries(t)){const s0=Date.now();"
          + "const s=net.connect({host:h,port:p,timeout:5000});"
          + "const done=(r)=>{console.log(k+'='+r+' '+(Date.now()-s0)+'ms');s.destroy();"
          + "if(--n===0)process.exit(0)};"
          + "s.on('connect',()=>done('ok'));s.on('timeout',()=>done('fail:timeout'));"
          + "s.on('error',e=>done('fail:'+e.code));}";

  @Test
  void fromInsideOnlyTheAgentListenerAndTheInternetAreReachable() throws Exception {
    try (ServerSocket other = new ServerSocket()) {
      other.bind(new InetSocketAddress("0.0.0.0", 0));
      var t = Gateway.JSON.createObjectNode();
      t.set("main", Gateway.JSON.createArrayNode().add("host.docker.internal").add(gw.port()));
      t.set(
          "agent", Gateway.JSON.createArrayNode().add("host.docker.internal").add(gw.agentPort()));
      t.set(
          "preview",
          Gateway.JSON.createArrayNode().add("host.docker.internal").add(gw.previewPort()));
      t.set(
          "other",
          Gateway.JSON.createArrayNode().add("host.docker.internal").add(other.getLocalPort()));
      t.set("metadata", Gateway.JSON.createArrayNode().add("169.254.169.254").add(80));

      String out = Engine.exec(id, "node", "-e", PROBE, t.toString());

      assertThat(out).contains("agent=ok");
      for (String name : new String[] {"main", "preview", "other", "metadata"}) {
        String line =
            out.lines().filter(l -> l.startsWith(name + "=")).findFirst().orElse(name + "=?");
        assertThat(line).as(out).startsWith(name + "=fail");
        long ms = Long.parseLong(line.replaceAll(".* (\\d+)ms$", "$1"));
        assertThat(ms).as(line).isLessThan(3000);
      }
    }
    // the engine's DNS resolver listens in every container (127.0.0.11, as root): not the user's
    assertThat(Engine.execAsRoot(id, "cat", "/proc/net/tcp")).contains(" 0B00007F:");
    var ports = gw.get("/api/v1/containers/" + id + "/ports", Gateway.KEY1);
    assertThat(ports.statusCode()).isEqualTo(200);
    assertThat(Gateway.JSON.readTree(ports.body())).isEmpty();
    // the registry, through the CA bundle the gateway passed in
    String version = Engine.exec(id, "sh", "-c", "npm view ms version 2>&1").strip();
    assertThat(version).matches("\\d+\\.\\d+\\.\\d+");
  }

  @Test
  void theUsersShellCanNeitherReadNorSignalNorAttachToTheAgent() throws Exception {
    JsonNode c = created;
    try (TerminalClient t =
        TerminalClient.connect(
            c.get("websocketUrl").asText(),
            "token=" + c.get("token").asText() + "&terminal=priv")) {
      t.type(
          "A=$(for p in /proc/[0-9]*; do grep -qa agent.jar $p/cmdline 2>/dev/null && echo"
              + " ${p#/proc/}; done | head -1); echo AGENT=$A;"
              + " cat /proc/1/environ >/dev/null 2>&1 && echo ENV1=read || echo ENV1=refused;"
              + " cat /proc/$A/environ >/dev/null 2>&1 && echo ENVA=read || echo ENVA=refused;"
              + " head -c1 /proc/$A/mem >/dev/null 2>&1 && echo MEM=read || echo MEM=refused;"
              + " cat /run/cms/agent-credential >/dev/null 2>&1 && echo CRED=read"
              + " || echo CRED=refused;"
              + " kill -STOP $A 2>/dev/null && echo STOP=done || echo STOP=refused;"
              + " kill -QUIT $A 2>/dev/null && echo QUIT=done || echo QUIT=refused;"
              + " ls /tmp/.java_pid$A >/dev/null 2>&1 && echo ATTACH=open || echo ATTACH=none;"
              + " echo UID=$(id -u); grep -E 'CapBnd|CapEff|NoNewPrivs' /proc/self/status;"
              + " echo PRIV=$((1+1))END\r");
      String out = t.awaitText(s -> s.contains("PRIV=2END"), Duration.ofSeconds(20));
      assertThat(out)
          .containsPattern("AGENT=\\d+")
          .contains("ENV1=refused")
          .contains("ENVA=refused")
          .contains("MEM=refused")
          .contains("CRED=refused")
          .contains("STOP=refused")
          .contains("QUIT=refused")
          .contains("ATTACH=none")
          .contains("UID=1000")
          .containsPattern("CapBnd:\\s+0000000000000000")
          .containsPattern("CapEff:\\s+0000000000000000")
          .containsPattern("NoNewPrivs:\\s+1");
    }
    assertThat(gw.container(id, Gateway.KEY1).get("agentConnected").asBoolean()).isTrue();
    // the engine's side (root) sees the link credential the agent keeps
    assertThat(Engine.execAsRoot(id, "cat", "/run/cms/agent-credential"))
        .matches("[A-Za-z0-9]{48}");
  }

  @Test
  void killAllAsTheUserEndsTheUsersProcessesOnlyNotTheContainer() throws Exception {
    JsonNode c = gw.create(Gateway.KEY1);
    String own = c.get("id").asText();
    try {
      try (TerminalClient t =
          TerminalClient.connect(
              c.get("websocketUrl").asText(),
              "token=" + c.get("token").asText() + "&terminal=main")) {
        t.type("echo READY\r");
        t.awaitText(s -> s.contains("READY\r\n"), Duration.ofSeconds(20));
        t.type("kill -9 -1\r");
        Thread.sleep(2000);
      }
      JsonNode after = gw.container(own, Gateway.KEY1);
      assertThat(after.get("status").asText()).isEqualTo("RUNNING");
      assertThat(after.get("agentConnected").asBoolean()).isTrue();
      try (TerminalClient t =
          TerminalClient.connect(
              c.get("websocketUrl").asText(),
              "token=" + c.get("token").asText() + "&terminal=after")) {
        t.type("echo STILL-$((40+2))\r");
        assertThat(t.awaitText(s -> s.contains("STILL-42"), Duration.ofSeconds(20))).isNotEmpty();
      }
    } finally {
      gw.delete("/api/v1/containers/" + own, Gateway.KEY1);
    }
  }

  @Test
  void theRulesGoInOnceAcrossRestartsAndReadinessTellsWhenTheyAreGone() throws Exception {
    Gateway g = Gateway.dedicated("contain", Map.of());
    try {
      g.start();
      String tag = "cms agent-port " + g.agentPort();
      assertThat(count(iptables("-S", "CMS-INPUT"), tag)).isEqualTo(1);
      int jumps = count(iptables("-S", "INPUT"), "-j CMS-INPUT");
      assertThat(jumps).isGreaterThanOrEqualTo(1);

      // a crash leaves the rules; the next start replaces them, not adds to them
      g.kill();
      g.start();
      assertThat(count(iptables("-S", "CMS-INPUT"), tag)).isEqualTo(1);
      assertThat(count(iptables("-S", "INPUT"), "-j CMS-INPUT")).isEqualTo(jumps);

      // behind its back
      String rule =
          iptables("-S", "CMS-INPUT")
              .lines()
              .filter(l -> l.contains(tag))
              .findFirst()
              .orElseThrow()
              .replaceFirst("^-A ", "");
      assertThat(sh("iptables -w 5 -D " + rule)).isZero();
      Instant deadline = Instant.now().plusSeconds(20);
      var ready = g.get("/health/ready", null);
      while (ready.statusCode() == 200 && Instant.now().isBefore(deadline)) {
        Thread.sleep(500);
        ready = g.get("/health/ready", null);
      }
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("containment").contains("DOWN");
      // and nothing is created without it
      var refused = g.post("/api/v1/containers", Gateway.KEY1, "{}");
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    } finally {
      g.stopAndClean();
    }
  }

  private static int count(String text, String needle) {
    return (int) text.lines().filter(l -> l.contains(needle)).count();
  }

  private static String iptables(String... args) throws Exception {
    String[] argv = new String[args.length + 3];
    argv[0] = "iptables";
    argv[1] = "-w";
    argv[2] = "5";
    System.arraycopy(args, 0, argv, 3, args.length);
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    p.waitFor(20, TimeUnit.SECONDS);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int sh(String command) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", command).inheritIO().start();
    return p.waitFor(20, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }
}
