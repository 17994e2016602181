package dev.cms.gateway.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.gateway.runtime.DiskLimitUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerDisksTest {
  @TempDir Path data;

  @Test
  void aRemoteEngineCannotGiveADiskLimitAndTheProblemSaysHowToSwitchItOff() {
    ContainerDisks disks = new ContainerDisks(null, data, 64, "tcp://engine.example:2375");

    assertThatThrownBy(() -> disks.prepare("cms-c-abc"))
        .isInstanceOf(DiskLimitUnavailableException.class)
        .hasMessageContaining("disk limit of 64 MiB")
        .hasMessageContaining("CMS_DISK_MB=0");
    assertThat(Files.exists(data.resolve("disks"))).isFalse();
  }

  @Test
  void zeroSwitchesTheLimitOff() {
    assertThat(new ContainerDisks(null, data, 0, "unix:///var/run/docker.sock").enabled())
        .isFalse();
    assertThat(new ContainerDisks(null, data, 1, "unix:///var/run/docker.sock").enabled()).isTrue();
  }

  @Test
  void namesThatCouldLeaveTheDisksDirectoryAreRefusedOrIgnored() {
    ContainerDisks disks = new ContainerDisks(null, data, 64, "unix:///var/run/docker.sock");

    assertThatThrownBy(() -> disks.prepare("../etc")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> disks.prepare("a/b")).isInstanceOf(IllegalArgumentException.class);
    disks.release("../../etc/passwd"); // nothing happens: not a container name
    disks.ensureMounted("..");
    assertThat(disks.names()).isEmpty();
  }

  @Test
  void mountInfoEscapesAreDecoded() {
    assertThat(ContainerDisks.unescape("/data/my\\040dir/disks/x"))
        .isEqualTo("/data/my dir/disks/x");
    assertThat(ContainerDisks.unescape("/plain")).isEqualTo("/plain");
    assertThat(ContainerDisks.unescape("/odd\\04")).isEqualTo("/odd\\04");
  }

  @Test
  void commandsReportTheirExitAndAtMostAFewKibOfOutput() throws Exception {
    ContainerDisks.Result ok = ContainerDisks.run("sh", "-c", "echo hello; echo oops >&2");
    assertThat(ok.exit()).isZero();
    assertThat(ok.output()).isEqualTo("hello oops");

    ContainerDisks.Result noisy = ContainerDisks.run("sh", "-c", "yes x | head -c 100000; exit 3");
    assertThat(noisy.exit()).isEqualTo(3);
    assertThat(noisy.output().length()).isLessThanOrEqualTo(4096);
  }
}
