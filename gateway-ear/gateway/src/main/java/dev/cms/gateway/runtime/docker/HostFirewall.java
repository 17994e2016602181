package dev.cms.gateway.runtime.docker;

import dev.cms.gateway.config.HostPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Network containment of the containers, as iptables rules on the host for traffic that enters from
 * the containers' bridge ({@code cms-net}):
 *
 * <ul>
 *   <li>to the host itself (any of its addresses; the INPUT chain, not Docker's FORWARD path):
 *       chain {@value #INPUT_CHAIN} accepts replies, the agent listener's port and the operator's
 *       allow-list ({@code CMS_CONTAINER_HOST_ALLOW}), and rejects everything else (TCP with a
 *       reset, so a connect fails at once);
 *   <li>through the host (Docker's {@code DOCKER-USER} chain): chain {@value #FORWARD_CHAIN}
 *       rejects link-local addresses (169.254.0.0/16: cloud metadata); other containers are cut off
 *       by the network itself (inter-container traffic disabled) and Docker's isolation between
 *       networks; everything else (the internet, package registries) passes;
 *   <li>IPv6 from the bridge to the host is rejected altogether (agents dial IPv4).
 * </ul>
 *
 * <p>Idempotent: the chains are the service's own; the rules of this gateway carry the comment
 * {@code cms agent-port <port> pid <gateway pid>} and are replaced, not added again, on each start;
 * the jumps are inserted only when {@code iptables -C} does not find them. Nothing that is not the
 * service's is touched. Several gateways on one host (one agent port each) share the chains.
 */
public final class HostFirewall {

  static final String INPUT_CHAIN = "CMS-INPUT";
  static final String FORWARD_CHAIN = "CMS-FORWARD";
  private static final long TIMEOUT_SECONDS = 10;
  private static final int MAX_OUTPUT = 64 * 1024;
  private static final Logger LOG = Logger.getLogger(HostFirewall.class.getName());

  private final String bridge;
  private final int agentPort;
  private final List<HostPort> allow;
  private final String tag;

  HostFirewall(String bridge, int agentPort, List<HostPort> allow) {
    this.bridge = bridge;
    this.agentPort = agentPort;
    this.allow = List.copyOf(allow);
    this.tag = "cms agent-port " + agentPort + " pid " + ProcessHandle.current().pid();
  }

  /** Installs the rules; returns why they could not be, or empty when they are in place. */
  Optional<String> install() {
    try {
      if (run("iptables", "-L", "INPUT", "-n").code != 0) {
        return Optional.of("iptables does not work here (the gateway needs root and iptables)");
      }
      // the service's input chain: replies, this gateway's allowed ports, then reject the rest
      ensureChain("iptables", INPUT_CHAIN);
      List<String> rules = rules("iptables", INPUT_CHAIN);
      java.util.Set<Integer> listening = listeningPorts();
      for (String rule : rules) {
        java.util.regex.Matcher m = OWNER.matcher(rule);
        if (!m.find()) {
          continue;
        }
        int port = Integer.parseInt(m.group(1));
        // this gateway's own from an earlier start, or those of a gateway that is gone (killed
        // without removing them): its process is dead (a rule of an older release names no
        // process: then nothing listening on its agent port tells). A gateway still booting has
        // its rules in place before its agent listener is bound; they stay.
        boolean gone =
            m.group(2) != null
                ? ProcessHandle.of(Long.parseLong(m.group(2))).map(h -> !h.isAlive()).orElse(true)
                : !listening.contains(port);
        if (port == agentPort || gone) {
          exec("iptables", "-D", INPUT_CHAIN, body(INPUT_CHAIN, rule));
        }
      }
      rules = rules("iptables", INPUT_CHAIN);
      if (rules.stream().noneMatch(r -> r.contains("RELATED,ESTABLISHED"))) {
        exec(
            "iptables",
            "-I",
            INPUT_CHAIN,
            "1",
            "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
      }
      if (rules.stream().noneMatch(r -> r.contains("-p tcp -j REJECT"))) {
        exec("iptables", "-A", INPUT_CHAIN, "-p tcp -j REJECT --reject-with tcp-reset");
      }
      if (rules.stream()
          .noneMatch(
              r ->
                  r.endsWith("-j REJECT --reject-with icmp-port-unreachable")
                      && !r.contains("-p tcp"))) {
        exec("iptables", "-A", INPUT_CHAIN, "-j REJECT --reject-with icmp-port-unreachable");
      }
      for (HostPort hp : allow) {
        exec(
            "iptables",
            "-I",
            INPUT_CHAIN,
            "2",
            "-d " + hp.host() + " -p tcp --dport " + hp.port() + commented() + " -j ACCEPT");
      }
      exec(
          "iptables",
          "-I",
          INPUT_CHAIN,
          "2",
          "-p tcp --dport " + agentPort + commented() + " -j ACCEPT");
      ensureJump("iptables", "INPUT", INPUT_CHAIN);

      // the service's forward chain: no link-local addresses (cloud metadata)
      ensureChain("iptables", FORWARD_CHAIN);
      if (rules("iptables", FORWARD_CHAIN).stream().noneMatch(r -> r.contains("169.254.0.0/16"))) {
        exec(
            "iptables",
            "-I",
            FORWARD_CHAIN,
            "1",
            "-d 169.254.0.0/16 -j REJECT --reject-with icmp-net-unreachable");
      }
      boolean dockerUser = run("iptables", "-S", "DOCKER-USER").code == 0;
      ensureJump("iptables", dockerUser ? "DOCKER-USER" : "FORWARD", FORWARD_CHAIN);

      // IPv6: nothing from the bridge reaches the host
      if (run("ip6tables", "-L", "INPUT", "-n").code == 0) {
        ensureChain("ip6tables", INPUT_CHAIN);
        List<String> v6 = rules("ip6tables", INPUT_CHAIN);
        if (v6.stream().noneMatch(r -> r.contains("RELATED,ESTABLISHED"))) {
          exec(
              "ip6tables",
              "-A",
              INPUT_CHAIN,
              "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        }
        if (v6.stream().noneMatch(r -> r.contains("-j REJECT"))) {
          exec("ip6tables", "-A", INPUT_CHAIN, "-j REJECT");
        }
        ensureJump("ip6tables", "INPUT", INPUT_CHAIN);
      } else {
        LOG.info("ip6tables not usable here: no IPv6 rules (the containers' network is IPv4)");
      }
      return verify();
    } catch (IOException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** Whether the rules are in place; the reason when not. */
  Optional<String> verify() {
    try {
      if (run("iptables", "-C", "INPUT", "-i", bridge, "-j", INPUT_CHAIN).code != 0) {
        return Optional.of("the jump from INPUT to " + INPUT_CHAIN + " for " + bridge + " is gone");
      }
      List<String> in = rules("iptables", INPUT_CHAIN);
      if (in.stream().noneMatch(r -> r.contains("--dport " + agentPort + " ") && r.contains(tag))) {
        return Optional.of(INPUT_CHAIN + " does not admit the agent port " + agentPort);
      }
      if (in.isEmpty() || !in.get(in.size() - 1).contains("-j REJECT")) {
        return Optional.of(INPUT_CHAIN + " does not end by rejecting");
      }
      boolean dockerUser = run("iptables", "-S", "DOCKER-USER").code == 0;
      if (run(
                  "iptables",
                  "-C",
                  dockerUser ? "DOCKER-USER" : "FORWARD",
                  "-i",
                  bridge,
                  "-j",
                  FORWARD_CHAIN)
              .code
          != 0) {
        return Optional.of("the jump to " + FORWARD_CHAIN + " for " + bridge + " is gone");
      }
      if (rules("iptables", FORWARD_CHAIN).stream().noneMatch(r -> r.contains("169.254.0.0/16"))) {
        return Optional.of(FORWARD_CHAIN + " does not reject link-local addresses");
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** Removes this gateway's own rules (the shared chains and jumps stay: they only reject). */
  void removeOwn() {
    try {
      for (String rule : rules("iptables", INPUT_CHAIN)) {
        if (rule.contains("\"" + tag + "\"")) {
          exec("iptables", "-D", INPUT_CHAIN, body(INPUT_CHAIN, rule));
        }
      }
    } catch (IOException e) {
      LOG.fine(() -> "removing the containment rules of agent port " + agentPort + ": " + e);
    }
  }

  static final java.util.regex.Pattern OWNER =
      java.util.regex.Pattern.compile("\"cms agent-port (\\d{1,5})(?: pid (\\d{1,10}))?\"");

  /** The TCP ports something listens on in the host's network namespace. */
  static java.util.Set<Integer> listeningPorts() {
    java.util.Set<Integer> ports = new java.util.HashSet<>();
    for (String f : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(f))) {
          String[] p = line.trim().split("\\s+");
          if (p.length > 3 && "0A".equals(p[3]) && p[1].indexOf(':') > 0) {
            ports.add(Integer.parseInt(p[1].substring(p[1].indexOf(':') + 1), 16));
          }
        }
      } catch (IOException | RuntimeException e) {
        // no IPv6, say
      }
    }
    return ports;
  }

  private static String body(String chain, String rule) {
    return rule.substring(("-A " + chain + " ").length());
  }

  private String commented() {
    return " -m comment --comment \"" + tag + "\"";
  }

  private void ensureChain(String tool, String chain) throws IOException {
    if (run(tool, "-S", chain).code != 0) {
      exec(tool, "-N", chain);
    }
  }

  private void ensureJump(String tool, String from, String chain) throws IOException {
    if (run(tool, "-C", from, "-i", bridge, "-j", chain).code != 0) {
      exec(tool, "-I", from, "1", "-i " + bridge + " -j " + chain);
    }
  }

  /** The chain's rules as {@code iptables -S} prints them, without the chain's own line. */
  private List<String> rules(String tool, String chain) throws IOException {
    Result r = run(tool, "-S", chain);
    if (r.code != 0) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String line : r.output.split("\n")) {
      if (line.startsWith("-A " + chain + " ")) {
        out.add(line.strip());
      }
    }
    return out;
  }

  /**
   * Runs {@code tool} with {@code fixed} arguments, the last of which may hold several
   * space-separated arguments (a rule as {@code -S} prints it; quoted comments kept whole).
   */
  private static void exec(String tool, String... args) throws IOException {
    List<String> argv = new ArrayList<>();
    for (int i = 0; i < args.length - 1; i++) {
      argv.add(args[i]);
    }
    argv.addAll(split(args[args.length - 1]));
    Result r = run(tool, argv.toArray(String[]::new));
    if (r.code != 0) {
      throw new IOException(
          tool + " " + String.join(" ", argv) + " failed (" + r.code + "): " + r.output.strip());
    }
  }

  static List<String> split(String rule) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char c : rule.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ' ' && !quoted) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  private record Result(int code, String output) {}

  private static Result run(String tool, String... args) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(tool);
    argv.add("-w"); // wait for the xtables lock, at most 5 s
    argv.add("5");
    argv.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(tool + " cannot be run: " + e.getMessage(), e);
    }
    try (InputStream in = p.getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() < MAX_OUTPUT) {
          out.write(buf, 0, Math.min(n, MAX_OUTPUT - out.size()));
        }
      }
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(tool + " did not finish within " + TIMEOUT_SECONDS + " s");
      }
      return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException(tool + " interrupted", e);
    }
  }
}
