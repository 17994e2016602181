package dev.cms.console;

import dev.cms.client.CmsApiException;
import dev.cms.client.PortView;
import dev.cms.client.ProcessView;
import dev.cms.client.StartProcess;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.io.Serializable;
import org.primefaces.PrimeFaces;

/**
 * Build &amp; Run and the preview pane: starts the app's command in the attached container, waits
 * for its port and shows it (the address bar's port and path, the Ports panel's Preview).
 */
@Named
@ViewScoped
public class RunPanel implements Serializable {

  private static final long serialVersionUID = 1L;

  @Inject Gateway gateway;
  @Inject ConsoleMemory memory;
  @Inject ConsoleView console;
  @Inject PageEvents events;

  private String containerId;
  private String pageOrigin;

  private String runCommand = "npm install && npm run build && npm start";
  private String runCwd = "/app";
  private int runPort = 3000;
  private String runProcess;

  private Integer previewPort;
  private String previewPath = "/";
  private boolean waitingForPort;
  private String previewUrl;

  /** The Ports panel's Preview: shows that port in the preview pane. */
  public void previewOf(int port) {
    if (containerId == null) {
      return;
    }
    watchPort(port, "/");
  }

  /** A gateway event reached the page: the awaited port may be open now. */
  public void pushed() {
    if (waitingForPort && previewPort != null) {
      checkPort();
    }
  }

  public void buildAndRun() {
    if (containerId == null) {
      events.log("warn", "Build & Run: select or create a container first");
      return;
    }
    String command = runCommand == null ? "" : runCommand.strip();
    String cwd = runCwd == null || runCwd.isBlank() ? "/app" : runCwd.strip();
    if (command.isEmpty()) {
      events.log("warn", "Build & Run: type the command to run");
      return;
    }
    try {
      ProcessView p =
          gateway
              .asUser()
              .processes()
              .start(containerId, new StartProcess(command, cwd, null, runPort));
      JsonObjectBuilder run =
          Json.createObjectBuilder()
              .add("kind", "run")
              .add("port", runPort)
              .add("command", command);
      runProcess = p.id();
      String terminal = p.terminal() == null ? runProcess : p.terminal();
      run.add("terminal", terminal).add("process", runProcess);
      memory.terminal(containerId, terminal);
      events.log("info", "Started " + runProcess + ": " + command + " in " + cwd);
      events.event(run);
      watchPort(runPort, "/");
      console.loadActivity();
    } catch (CmsApiException e) {
      events.log("error", "Build & Run refused: " + e.reason());
    }
  }

  /** The address bar's Go: previews the typed port and path. */
  public void go() {
    if (containerId == null || previewPort == null) {
      events.log("warn", "Preview: select a container and type a port");
      return;
    }
    watchPort(previewPort, previewPath);
  }

  /**
   * Shows {@code port} (at {@code path}) in the preview pane as soon as something listens there.
   */
  public void watchPort(int port, String path) {
    previewPort = port;
    previewPath = path == null || path.isBlank() ? "/" : path.startsWith("/") ? path : "/" + path;
    previewUrl = null;
    waitingForPort = true;
    memory.preview(containerId, previewPort, previewPath);
    events.event(Json.createObjectBuilder().add("kind", "waiting").add("port", port));
    checkPort();
    PrimeFaces.current().ajax().update("f:previewBar");
  }

  private void checkPort() {
    try {
      String url = null;
      String pathUrl = null;
      for (PortView o : gateway.asUser().processes().ports(containerId)) {
        if (o.port() == previewPort) {
          url = o.url();
          pathUrl = o.pathUrl();
        }
      }
      if (url != null) {
        waitingForPort = false;
        previewUrl = url;
        events.event(
            Json.createObjectBuilder()
                .add("kind", "port")
                .add("port", previewPort)
                .add("url", url)
                .add("pathUrl", gateway.forBrowser(pathUrl == null ? url : pathUrl, pageOrigin))
                .add("path", previewPath));
      }
    } catch (CmsApiException e) {
      waitingForPort = false;
      events.log("error", "Preview of port " + previewPort + " failed: " + e.reason());
    }
  }

  /**
   * The page attached a container (or selected one that no longer runs): no run, no awaited port
   * yet; addresses go to the browser under {@code origin}.
   */
  public void attached(String id, String origin) {
    containerId = id;
    pageOrigin = origin;
    runProcess = null;
    waitingForPort = false;
    previewUrl = null;
  }

  public String getRunCommand() {
    return runCommand;
  }

  public void setRunCommand(String runCommand) {
    this.runCommand = runCommand;
  }

  public String getRunCwd() {
    return runCwd;
  }

  public void setRunCwd(String runCwd) {
    this.runCwd = runCwd;
  }

  public int getRunPort() {
    return runPort;
  }

  public void setRunPort(int runPort) {
    this.runPort = runPort;
  }

  public String getRunProcess() {
    return runProcess;
  }

  public Integer getPreviewPort() {
    return previewPort;
  }

  public void setPreviewPort(Integer previewPort) {
    this.previewPort = previewPort;
  }

  public String getPreviewPath() {
    return previewPath;
  }

  public void setPreviewPath(String previewPath) {
    this.previewPath = previewPath;
  }

  public boolean isWaitingForPort() {
    return waitingForPort;
  }

  public String getPreviewUrl() {
    return previewUrl;
  }
}
