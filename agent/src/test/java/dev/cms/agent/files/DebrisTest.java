package dev.cms.agent.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up sweep of what interrupted uploads of an earlier agent left behind. */
class DebrisTest {
  @TempDir Path tmp;

  private static final Instant START = Instant.now();
  private static final Instant BEFORE = START.minus(Duration.ofMinutes(5));

  private Path old(Path p) throws IOException {
    Files.setLastModifiedTime(p, FileTime.from(BEFORE));
    return p;
  }

  private Path file(String relative) throws IOException {
    Path p = tmp.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, "x");
    return p;
  }

  @Test
  void leftoversOfAnEarlierAgentAreRemovedEverywhereUnderTheRoots() throws Exception {
    // given
    Path upload = old(file("app/site/.index.html.cms-upload-0123456789abcdef"));
    Path staging = tmp.resolve("app/deep/er/.cms-staging-8234567890123456789");
    file("app/deep/er/.cms-staging-8234567890123456789/tree/a/b.txt");
    file("app/deep/er/.cms-staging-8234567890123456789/upload.zip");
    old(staging);
    Path inHome = old(file("home/.bashrc.cms-upload-fedcba9876543210"));
    Path inTmp = tmp.resolve("tmp/.cms-staging-1");
    Files.createDirectories(inTmp);
    old(inTmp);

    // when
    Debris.Result r =
        Debris.sweep(
            List.of(tmp.resolve("app"), tmp.resolve("home"), tmp.resolve("tmp")),
            START,
            Debris.Limits.DEFAULT);

    // then
    assertThat(upload).doesNotExist();
    assertThat(staging).doesNotExist();
    assertThat(inHome).doesNotExist();
    assertThat(inTmp).doesNotExist();
    assertThat(r.removed()).containsExactlyInAnyOrder(upload, staging, inHome, inTmp);
    assertThat(r.complete()).isTrue();
  }

  @Test
  void thisAgentsOwnUploadsAndTheUsersFilesStay() throws Exception {
    Path fresh = file("app/.f.cms-upload-0123456789abcdef"); // made after the start: in flight
    Path freshStaging = Files.createDirectories(tmp.resolve("app/.cms-staging-42"));
    Path lookalikes =
        old(file("app/notes.cms-upload-0123456789abcdef")); // no leading dot: not ours
    Path shortMark = old(file("app/.x.cms-upload-x"));
    Path stagingFile = old(file("app/.cms-staging-7")); // a file, not a staging directory
    Path stagingWord = Files.createDirectories(tmp.resolve("app/.cms-staging-notes"));
    old(stagingWord);

    Debris.Result r = Debris.sweep(List.of(tmp.resolve("app")), START, Debris.Limits.DEFAULT);

    assertThat(r.removed()).isEmpty();
    assertThat(List.of(fresh, freshStaging, lookalikes, shortMark, stagingFile, stagingWord))
        .allMatch(Files::exists);
  }

  @Test
  void theWalkIsBoundedAndFollowsNoLinks() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path elsewhere = old(file("outside/.a.cms-upload-0123456789abcdef"));
    Files.createDirectories(tmp.resolve("app"));
    Files.createSymbolicLink(tmp.resolve("app/link"), outside);
    Path inModules = old(file("app/node_modules/x/.y.cms-upload-0123456789abcdef"));
    Path tooDeep = old(file("app/1/2/3/.z.cms-upload-0123456789abcdef"));

    Debris.Result r =
        Debris.sweep(
            List.of(tmp.resolve("app")), START, new Debris.Limits(3, 1000, Duration.ofSeconds(5)));

    assertThat(r.removed()).isEmpty();
    assertThat(List.of(elsewhere, inModules, tooDeep)).allMatch(Files::exists);

    for (int i = 0; i < 50; i++) {
      file("many/f" + i);
    }
    Debris.Result capped =
        Debris.sweep(
            List.of(tmp.resolve("many")), START, new Debris.Limits(3, 10, Duration.ofSeconds(5)));
    assertThat(capped.complete()).isFalse();
    assertThat(capped.visited()).isLessThanOrEqualTo(11);
  }

  @Test
  void missingAndNestedRootsAreFine() throws Exception {
    Path upload = old(file("app/.a.cms-upload-0123456789abcdef"));
    Debris.Result r =
        Debris.sweep(
            List.of(tmp.resolve("app"), tmp.resolve("app"), tmp, tmp.resolve("missing")),
            START,
            Debris.Limits.DEFAULT);
    assertThat(r.removed()).containsExactly(upload);
  }
}
