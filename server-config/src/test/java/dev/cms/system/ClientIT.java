package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.client.CmsApiException;
import dev.cms.client.CmsClient;
import dev.cms.client.ContainerDeleted;
import dev.cms.client.ContainerView;
import dev.cms.client.CreateContainer;
import dev.cms.client.ExecCommand;
import dev.cms.client.ExecJob;
import dev.cms.client.ExecResult;
import dev.cms.client.FileEntry;
import dev.cms.client.Listing;
import dev.cms.client.Mkdir;
import dev.cms.client.Move;
import dev.cms.client.Snapshot;
import dev.cms.client.TakeSnapshot;
import dev.cms.client.Template;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The typed Java client ({@code cms-client}) as a plain Java SE program uses it, on Jersey's
 * MicroProfile Rest Client, against the real cms.jar and real containers: create and wait, files,
 * exec, a refusal as {@link CmsApiException} with its rule, delete.
 */
class ClientIT {

  private static Gateway gw;
  private static CmsClient cms;
  private static String id;

  @BeforeAll
  static void connect() throws Exception {
    gw = Gateway.shared();
    cms = CmsClient.connect(URI.create(gw.base()), Gateway.KEY1);
    ContainerView c =
        cms.createReady(
            new CreateContainer(
                512, null, 600L, null, null, Map.of("suite", "ClientIT"), null, null));
    id = c.id();
    assertThat(c.status()).isEqualTo("RUNNING");
    assertThat(c.agentConnected()).isTrue();
    assertThat(c.limits().memoryMb()).isEqualTo(512);
    assertThat(c.labels()).containsEntry("suite", "ClientIT");
    assertThat(c.token()).isNotBlank();
    assertThat(c.websocketUrl()).contains(id);
    assertThat(c.createdAt()).isNotNull();
  }

  @AfterAll
  static void remove() {
    if (cms == null) {
      return;
    }
    try {
      if (id != null) {
        ContainerDeleted d = cms.containers().delete(id);
        assertThat(d.deleted()).isTrue();
        assertThat(d.status()).isEqualTo("DELETED");
        assertThat(cms.containers().get(id).status()).isEqualTo("DELETED");
      }
    } finally {
      cms.close();
    }
  }

  @Test
  void theCreatedContainerIsListedAndItsTokenAnswered() {
    assertThat(cms.containers().list(null)).extracting(ContainerView::id).contains(id);
    assertThat(cms.containers().list("RUNNING")).extracting(ContainerView::id).contains(id);
    assertThat(cms.containers().token(id).token()).isNotBlank();
  }

  @Test
  void aBackgroundCommandIsWaitedFor() {
    ExecJob job =
        cms.processes()
            .execInBackground(id, true, new ExecCommand("echo bg; exit 4", null, null, null, null));
    assertThat(job.status()).isIn("RUNNING", "EXITED"); // a quick one may be done already
    assertThat(job.execId()).startsWith("x-");
    ExecJob ended = cms.processes().execJob(id, job.execId(), 30);
    assertThat(ended.status()).isEqualTo("EXITED");
    assertThat(ended.result().exitCode()).isEqualTo(4);
    assertThat(ended.result().stdout()).isEqualTo("bg\n");
  }

  @Test
  void templatesAreListedAndASnapshotForksWithItsFiles() {
    assertThat(cms.templates().list()).extracting(Template::name).contains("default");
    assertThat(cms.templates().get("default").status()).isEqualTo("READY");
    cms.writeString(id, "/app/forked.txt", "kept in the snapshot\n");
    Snapshot s = cms.snapshots().take(id, new TakeSnapshot("client-it"));
    try {
      assertThat(s.id()).startsWith("s-");
      assertThat(s.container()).isEqualTo(id);
      assertThat(cms.snapshots().list()).extracting(Snapshot::id).contains(s.id());
      ContainerView fork = cms.createReady(CreateContainer.defaults().withSnapshot(s.id()));
      try {
        assertThat(fork.snapshot()).isEqualTo(s.id());
        assertThat(fork.template()).isEqualTo("default");
        assertThat(cms.readString(fork.id(), "/app/forked.txt", 1024))
            .isEqualTo("kept in the snapshot\n");
      } finally {
        cms.containers().delete(fork.id());
      }
    } finally {
      assertThat(cms.snapshots().delete(s.id()).id()).isEqualTo(s.id());
    }
  }

  @Test
  void aFileIsWrittenListedReadMovedAndDeleted() {
    assertThat(cms.files().mkdir(id, new Mkdir("/app/client/sub", true)).path())
        .isEqualTo("/app/client/sub");
    assertThat(cms.writeString(id, "/app/client/hello.txt", "hello from Java SE\n").bytes())
        .isEqualTo(19);

    Listing l = cms.list(id, "/app/client");
    assertThat(l.path()).isEqualTo("/app/client");
    assertThat(l.truncated()).isFalse();
    assertThat(l.entries())
        .extracting(FileEntry::name, FileEntry::type)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("hello.txt", "file"),
            org.assertj.core.groups.Tuple.tuple("sub", "dir"));
    FileEntry e = cms.stat(id, "/app/client/hello.txt");
    assertThat(e.size()).isEqualTo(19);
    assertThat(e.modified()).isNotNull();

    assertThat(cms.readString(id, "/app/client/hello.txt", 1024)).isEqualTo("hello from Java SE\n");

    cms.files().move(id, new Move("/app/client/hello.txt", "/app/client/sub/moved.txt", null));
    assertThat(cms.readString(id, "/app/client/sub/moved.txt", 1024))
        .isEqualTo("hello from Java SE\n");
    assertThat(cms.files().delete(id, "/app/client", true).deleted()).isEqualTo(3);
  }

  @Test
  void execAnswersStdoutStderrAndTheExitCodeApart() {
    ExecResult r = cms.exec(id, "echo out; echo err >&2; exit 3");
    assertThat(r.stdout()).isEqualTo("out\n");
    assertThat(r.stderr()).isEqualTo("err\n");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.timedOut()).isFalse();
  }

  @Test
  void aRefusalIsACmsApiExceptionWithTheProblemsRule() {
    assertThatThrownBy(() -> cms.list(id, "/app/../etc"))
        .isInstanceOfSatisfying(
            CmsApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.rule()).isEqualTo("bad-path");
              assertThat(e.title()).isEqualTo("Bad Request");
              assertThat(e.type()).isEqualTo("about:blank");
              assertThat(e.detail()).isNotBlank();
            });
    assertThatThrownBy(() -> cms.stat(id, "/app/nope"))
        .isInstanceOfSatisfying(
            CmsApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.rule()).isEqualTo("not-found");
            });
  }

  @Test
  void anotherOwnerSeesNothingAndAWrongKeyIs401() {
    try (CmsClient other = CmsClient.connect(URI.create(gw.base()), Gateway.KEY2)) {
      assertThat(other.containers().list(null)).extracting(ContainerView::id).doesNotContain(id);
      assertThatThrownBy(() -> other.containers().get(id))
          .isInstanceOfSatisfying(
              CmsApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
    try (CmsClient wrong = CmsClient.connect(URI.create(gw.base()), "cms_not-a-key")) {
      assertThatThrownBy(() -> wrong.containers().list(null))
          .isInstanceOfSatisfying(
              CmsApiException.class, e -> assertThat(e.status()).isEqualTo(401));
    }
  }
}
