package dev.cms.gateway.preview.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.gateway.preview.control.PreviewAddress.Form;
import org.junit.jupiter.api.Test;

class PreviewAddressTest {

  static final String ID = "c-abcdefghjk23";
  static final String SECRET = "0123456789abcdef";

  @Test
  void hostFormWithAnyPortKeepsEveryPathAndQuery() {
    PreviewAddress a =
        PreviewAddress.parse(
                "3000-" + ID + "-" + SECRET + ".localhost:8080",
                "/console/x%20y",
                "a=1&b",
                "localhost")
            .orElseThrow();
    assertThat(a.form()).isEqualTo(Form.HOST);
    assertThat(a.valid()).isTrue();
    assertThat(a.containerId()).isEqualTo(ID);
    assertThat(a.secret()).isEqualTo(SECRET);
    assertThat(a.port()).isEqualTo(3000);
    assertThat(a.target()).isEqualTo("/console/x%20y?a=1&b");
    assertThat(a.prefix()).isEmpty();
    assertThat(a.rewriteLocation("/login")).isEqualTo("/login");
  }

  @Test
  void hostFormIsCaseInsensitiveAndTakesATrailingDotAndNoPort() {
    PreviewAddress a =
        PreviewAddress.parse(
                "8080-" + ID.toUpperCase() + "-" + SECRET + ".Preview.Example.COM.",
                "/",
                null,
                "preview.example.com")
            .orElseThrow();
    assertThat(a.valid()).isTrue();
    assertThat(a.containerId()).isEqualTo(ID);
    assertThat(a.port()).isEqualTo(8080);
    assertThat(a.target()).isEqualTo("/");
  }

  @Test
  void otherHostsAreNotPreviews() {
    assertThat(PreviewAddress.parse("localhost:8080", "/api/v1/x", null, "localhost")).isEmpty();
    assertThat(PreviewAddress.parse("localhost", "/", null, "localhost")).isEmpty();
    assertThat(PreviewAddress.parse("example.com", "/", null, "localhost")).isEmpty();
    assertThat(PreviewAddress.parse(null, "/", null, "localhost")).isEmpty();
    assertThat(PreviewAddress.parse("[::1]:8080", "/", null, "localhost")).isEmpty();
    assertThat(PreviewAddress.parse("www.localhost", "/", null, "localhost")).isEmpty();
    // two labels below the domain: not ours
    assertThat(
            PreviewAddress.parse(
                "3000-" + ID + "-" + SECRET + ".x.localhost", "/", null, "localhost"))
        .isEmpty();
    // a similar domain
    assertThat(
            PreviewAddress.parse(
                "3000-" + ID + "-" + SECRET + ".notlocalhost", "/", null, "localhost"))
        .isEmpty();
  }

  @Test
  void malformedPreviewHostsAreInvalidPreviewsNotTheGateway() {
    for (String label :
        new String[] {
          "3000-" + ID + "-" + SECRET.substring(1),
          "3000-" + ID,
          "3000-foo",
          "0-" + ID + "-" + SECRET,
          "70000-" + ID + "-" + SECRET,
          "3000-c-short-" + SECRET,
          "3000-" + ID + "-" + SECRET + "0"
        }) {
      PreviewAddress a =
          PreviewAddress.parse(label + ".localhost:8080", "/", null, "localhost").orElseThrow();
      assertThat(a.valid()).as(label).isFalse();
    }
  }

  @Test
  void pathFormStripsThePrefix() {
    PreviewAddress a =
        PreviewAddress.parse(
                "gateway:8080",
                "/preview/" + ID + "-" + SECRET + "/5173/src/main.ts",
                "v=1",
                "localhost")
            .orElseThrow();
    assertThat(a.form()).isEqualTo(Form.PATH);
    assertThat(a.valid()).isTrue();
    assertThat(a.containerId()).isEqualTo(ID);
    assertThat(a.secret()).isEqualTo(SECRET);
    assertThat(a.port()).isEqualTo(5173);
    assertThat(a.target()).isEqualTo("/src/main.ts?v=1");
    assertThat(a.prefix()).isEqualTo("/preview/" + ID + "-" + SECRET + "/5173");
    assertThat(a.missingSlash()).isFalse();
  }

  @Test
  void pathFormRootAndMissingSlash() {
    String base = "/preview/" + ID + "-" + SECRET + "/3000";
    PreviewAddress root = PreviewAddress.parse("h", base + "/", null, "localhost").orElseThrow();
    assertThat(root.target()).isEqualTo("/");
    assertThat(root.missingSlash()).isFalse();
    PreviewAddress bare = PreviewAddress.parse("h", base, "q=1", "localhost").orElseThrow();
    assertThat(bare.valid()).isTrue();
    assertThat(bare.missingSlash()).isTrue();
    assertThat(bare.prefix()).isEqualTo(base);
  }

  @Test
  void pathFormRewritesAbsoluteLocationPathsOnly() {
    PreviewAddress a =
        PreviewAddress.parse("h", "/preview/" + ID + "-" + SECRET + "/3000/", null, "localhost")
            .orElseThrow();
    String p = "/preview/" + ID + "-" + SECRET + "/3000";
    assertThat(a.rewriteLocation("/login?x=1")).isEqualTo(p + "/login?x=1");
    assertThat(a.rewriteLocation("/")).isEqualTo(p + "/");
    assertThat(a.rewriteLocation("//cdn.example.com/x")).isEqualTo("//cdn.example.com/x");
    assertThat(a.rewriteLocation("http://localhost:3000/x")).isEqualTo("http://localhost:3000/x");
    assertThat(a.rewriteLocation("next")).isEqualTo("next");
    assertThat(a.rewriteLocation(null)).isNull();
  }

  @Test
  void malformedPathsUnderPreviewAreInvalid() {
    for (String path :
        new String[] {
          "/preview/",
          "/preview/x",
          "/preview/" + ID + "/3000/",
          "/preview/" + ID + "-" + SECRET + "/abc/",
          "/preview/" + ID + "-" + SECRET + "/0/",
          "/preview/" + ID + "-" + SECRET + "/65536/",
          "/preview/" + ID + "-" + SECRET + "//",
          "/preview/" + ID + "-XYZ/3000/"
        }) {
      PreviewAddress a = PreviewAddress.parse("h", path, null, "localhost").orElseThrow();
      assertThat(a.valid()).as(path).isFalse();
    }
    assertThat(PreviewAddress.parse("h", "/preview", null, "localhost")).isEmpty();
    assertThat(PreviewAddress.parse("h", "/previews/x", null, "localhost")).isEmpty();
  }
}
