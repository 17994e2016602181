package dev.cms.gateway.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.gateway.config.HostPort;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostFirewallTest {

  @Test
  void theAllowListIsIpv4HostsWithPorts() {
    assertThat(HostPort.parseList(" 172.18.0.1:5000, 10.0.0.0/8:3128 "))
        .containsExactly(new HostPort("172.18.0.1", 5000), new HostPort("10.0.0.0/8", 3128));
    assertThat(HostPort.parseList("")).isEmpty();
    assertThat(HostPort.parseList(null)).isEmpty();
  }

  @Test
  void aMalformedAllowListEntryIsRefusedNamingIt() {
    assertThatThrownBy(() -> HostPort.parseList("registry.local:5000"))
        .hasMessageContaining("registry.local");
    assertThatThrownBy(() -> HostPort.parseList("1.2.3.4:0")).hasMessageContaining("1.2.3.4:0");
    assertThatThrownBy(() -> HostPort.parseList("1.2.3.4")).hasMessageContaining("host:port");
    assertThatThrownBy(() -> HostPort.parseList("1.2.3.4:1; rm -rf /"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRuleAsIptablesPrintsItSplitsIntoArgumentsKeepingQuotedComments() {
    assertThat(
            HostFirewall.split(
                "-p tcp -m tcp --dport 8081 -m comment --comment \"cms agent-port 8081\" -j ACCEPT"))
        .isEqualTo(
            List.of(
                "-p",
                "tcp",
                "-m",
                "tcp",
                "--dport",
                "8081",
                "-m",
                "comment",
                "--comment",
                "cms agent-port 8081",
                "-j",
                "ACCEPT"));
  }

  @Test
  void aRuleNamesItsAgentPortAndGatewayProcessOrJustThePortInTheOlderForm() {
    var m =
        HostFirewall.OWNER.matcher(
            "-A CMS-INPUT -p tcp -m tcp --dport 8081 -m comment --comment \"cms agent-port 8081 pid"
                + " 4711\" -j ACCEPT");
    assertThat(m.find()).isTrue();
    assertThat(m.group(1)).isEqualTo("8081");
    assertThat(m.group(2)).isEqualTo("4711");
    var old = HostFirewall.OWNER.matcher("--comment \"cms agent-port 9090\" -j ACCEPT");
    assertThat(old.find()).isTrue();
    assertThat(old.group(1)).isEqualTo("9090");
    assertThat(old.group(2)).isNull();
  }
}
