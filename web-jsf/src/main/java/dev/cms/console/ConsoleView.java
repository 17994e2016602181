package dev.cms.console;

import jakarta.annotation.PostConstruct;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.primefaces.PrimeFaces;
import org.primefaces.event.FileUploadEvent;
import org.primefaces.event.SelectEvent;
import org.primefaces.model.file.UploadedFile;

/**
 * The console page: creates, lists, attaches, stops, starts and deletes the key's containers,
 * uploads files and zips, starts the app and follows its port. What the browser must do (log a
 * message, attach a terminal, load the preview) travels as a list of events in the AJAX callback
 * parameter {@code cms}, which {@code console.js} plays.
 */
@Named
@ViewScoped
public class ConsoleView implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(ConsoleView.class.getName());
  private static final String EVENTS = ConsoleView.class.getName() + ".events";

  @Inject GatewayClient gateway;
  @Inject ContainerTokens tokens;

  private String base;
  private String pageOrigin;
  private final List<String> pending = new ArrayList<>();
  private List<ContainerRow> containers = new ArrayList<>();
  private final Map<String, String> statuses = new HashMap<>();
  private String selectedId;
  private String listError;

  private int memoryMb = 1024;
  private int idleTimeoutMinutes = 30;

  private String uploadMode = "zip";
  private String uploadDestination = "/app";

  private String runCommand = "npm install && npm run build && npm start";
  private String runCwd = "/app";
  private int runPort = 3000;
  private String runProcess;

  private Integer previewPort;
  private String previewPath = "/";
  private boolean waitingForPort;
  private String previewUrl;

  @PostConstruct
  public void init() {
    HttpServletRequest req =
        (HttpServletRequest) FacesContext.getCurrentInstance().getExternalContext().getRequest();
    // only to hand the browser addresses under its own origin (the Host guard checked it);
    // the console's own calls go to the configured or loopback gateway
    pageOrigin = req.getScheme() + "://" + req.getServerName() + ":" + req.getServerPort();
    base = gateway.base();
    load(false);
    String asked = req.getParameter("container");
    if (asked != null && !asked.isBlank()) {
      select(asked.strip());
    }
  }

  /** Signs out: ends the session (and with it the gateway session) and shows the sign-in page. */
  public void signOut() throws java.io.IOException {
    var ec = FacesContext.getCurrentInstance().getExternalContext();
    HttpServletRequest req = (HttpServletRequest) ec.getRequest();
    try {
      req.logout();
    } catch (jakarta.servlet.ServletException e) {
      LOG.log(Level.FINE, "logout", e);
    }
    ec.invalidateSession();
    ec.redirect(ec.getRequestContextPath() + "/signin.xhtml?signedOut=true");
  }

  // ---- containers

  /** The poll: the list with its live badges, status changes into Messages, the run's port. */
  public void refresh() {
    if (!pending.isEmpty()) {
      event(Json.createObjectBuilder().add("kind", "noop"));
    }
    load(true);
    if (waitingForPort && selectedId != null && previewPort != null) {
      checkPort();
    }
  }

  public void create() {
    long started = System.nanoTime();
    try {
      JsonObject c = gateway.create(base, memoryMb, idleTimeoutMinutes * 60L);
      tokens.remember(c);
      String id = c.getString("id");
      statuses.put(id, c.getString("status", "RUNNING"));
      log(
          "success",
          String.format(
              "Created %s (%d MB, idle timeout %d min) in %.1f s — status %s",
              id,
              memoryMb,
              idleTimeoutMinutes,
              (System.nanoTime() - started) / 1e9,
              c.getString("status", "?")));
      load(false);
      attach(id, c.getString("websocketUrl", null), c.getString("token", null));
    } catch (GatewayException e) {
      log("error", "Create refused: " + e.reason());
    }
  }

  public void onSelect(SelectEvent<ContainerRow> event) {
    if (event.getObject() == null) {
      // a row key that is not in this user's list (e.g. a request replayed from another session)
      String table = event.getComponent().getClientId();
      String key =
          FacesContext.getCurrentInstance()
              .getExternalContext()
              .getRequestParameterMap()
              .entrySet()
              .stream()
              .filter(p -> p.getKey().startsWith(table + "_"))
              .filter(p -> p.getKey().toLowerCase(java.util.Locale.ROOT).contains("selection"))
              .map(Map.Entry::getValue)
              .filter(v -> v != null && !v.isBlank())
              .findFirst()
              .orElse(null);
      log("error", "Container " + (key == null ? "?" : key) + " not found");
      return;
    }
    select(event.getObject().getId());
  }

  /** Attaches the browser to a container: its terminals and its previews. */
  public void select(String id) {
    if (id == null || id.equals(selectedId)) {
      return;
    }
    ContainerRow row = row(id).orElse(null);
    if (row == null) {
      try {
        row = ContainerRow.of(gateway.get(base, id)); // an admin's view of another owner's
      } catch (GatewayException e) {
        log(
            "error",
            "Container " + id + " not found" + (e.status() == 404 ? "" : ": " + e.reason()));
        return;
      }
    }
    if (!row.isLive()) {
      selectedId = id;
      resetRun();
      event(
          Json.createObjectBuilder()
              .add("kind", "detach")
              .add("container", id)
              .add("status", row.getStatus()));
      log(
          "info",
          "Selected " + id + " (" + row.getStatus() + "): it no longer runs, nothing to attach");
      return;
    }
    try {
      Optional<JsonObject> t = gateway.token(base, id);
      if (t.isPresent()) {
        attach(id, t.get().getString("websocketUrl", null), t.get().getString("token", null));
      } else if (tokens.of(id).isPresent()) {
        attach(id, tokens.of(id).get().websocketUrl(), tokens.of(id).get().token());
      } else {
        selectedId = id;
        resetRun();
        log("warn", "Cannot attach " + id + ": this gateway hands out its token only on creation");
      }
    } catch (GatewayException e) {
      log("error", "Attach " + id + " failed: " + e.reason());
    }
  }

  public void stop() {
    lifecycle("Stopped", "Stop", () -> gateway.stop(base, selectedId));
  }

  public void start() {
    lifecycle("Started", "Start", () -> gateway.start(base, selectedId));
  }

  public void terminate() {
    String id = selectedId;
    lifecycle("Terminated", "Terminate", () -> gateway.delete(base, id));
    tokens.forget(id);
    resetRun();
    event(
        Json.createObjectBuilder()
            .add("kind", "detach")
            .add("container", id)
            .add("status", "DELETED"));
  }

  private void lifecycle(String done, String verb, java.util.function.Supplier<JsonObject> action) {
    if (selectedId == null) {
      return;
    }
    try {
      JsonObject r = action.get();
      String status = r.getString("status", "?");
      statuses.put(selectedId, status);
      log("success", done + " " + selectedId + " — status " + status);
    } catch (GatewayException e) {
      log("error", verb + " " + selectedId + " refused: " + e.reason());
    }
    load(false);
  }

  private void attach(String id, String websocketUrl, String token) {
    selectedId = id;
    resetRun();
    if (websocketUrl == null || token == null) {
      log("warn", "The gateway gave no terminal address for " + id);
      return;
    }
    event(
        Json.createObjectBuilder()
            .add("kind", "attach")
            .add("container", id)
            .add("websocketUrl", gateway.forBrowser(websocketUrl, pageOrigin))
            .add("token", token));
    log("info", "Attached " + id + ": terminal main");
  }

  private void load(boolean reportChanges) {
    try {
      JsonArray list = gateway.list(base);
      List<ContainerRow> rows = new ArrayList<>();
      for (JsonValue v : list) {
        ContainerRow r = ContainerRow.of(v.asJsonObject());
        rows.add(r);
        String before = statuses.put(r.getId(), r.getStatus());
        if (reportChanges && before != null && !before.equals(r.getStatus())) {
          String sev =
              switch (r.getStatus()) {
                case "RUNNING" -> "success";
                case "FAILED", "TERMINATED" -> "error";
                default -> "warn";
              };
          log(
              sev,
              r.getId()
                  + ": "
                  + before
                  + " → "
                  + r.getStatus()
                  + (r.getReason() == null ? "" : " (" + r.getReason() + ")"));
        }
      }
      containers = rows;
      if (listError != null) {
        log("success", "The gateway answers again");
      }
      listError = null;
    } catch (GatewayException e) {
      if (e.status() == 401) {
        // the gateway session ended (expired, or the user was removed): sign in again
        log("error", "Your session ended: " + e.reason() + ". Reload to sign in again.");
        FacesContext.getCurrentInstance().getExternalContext().invalidateSession();
        return;
      }
      if (!e.reason().equals(listError)) {
        log("error", "Cannot list containers: " + e.reason());
      }
      listError = e.reason();
    }
  }

  // ---- files

  public void upload(FileUploadEvent event) {
    UploadedFile file = event.getFile();
    String name = file.getFileName();
    if (selectedId == null || !selected().map(ContainerRow::isRunning).orElse(false)) {
      log("warn", "Upload of " + name + " skipped: select a running container first");
      return;
    }
    String dest = uploadDestination == null ? "" : uploadDestination.strip();
    boolean zip = "zip".equals(uploadMode);
    if (!zip && (dest.isEmpty() || dest.endsWith("/"))) {
      dest = (dest.isEmpty() ? "/app/" : dest) + name;
    }
    try (InputStream in = file.getInputStream()) {
      if (zip) {
        JsonObject r = gateway.postArchive(base, selectedId, dest, in);
        log(
            "success",
            String.format(
                "Unpacked %s into %s: %d entries, %s",
                name,
                dest,
                r.getJsonNumber("entries").longValue(),
                size(r.getJsonNumber("bytes").longValue())));
      } else {
        JsonObject r = gateway.putFile(base, selectedId, dest, in);
        long bytes = r.containsKey("bytes") ? r.getJsonNumber("bytes").longValue() : file.getSize();
        log("success", String.format("Wrote %s to %s (%s)", name, dest, size(bytes)));
      }
    } catch (GatewayException e) {
      log("error", "Upload of " + name + " to " + dest + " refused: " + e.reason());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "upload failed", e);
      log("error", "Upload of " + name + " failed: " + e.getMessage());
    }
  }

  public void onUploadModeChange() {
    if ("zip".equals(uploadMode)
        && uploadDestination != null
        && uploadDestination.endsWith(".zip")) {
      uploadDestination = "/app";
    }
  }

  // ---- build & run, preview

  public void buildAndRun() {
    if (selectedId == null) {
      log("warn", "Build & Run: select or create a container first");
      return;
    }
    String command = runCommand == null ? "" : runCommand.strip();
    String cwd = runCwd == null || runCwd.isBlank() ? "/app" : runCwd.strip();
    if (command.isEmpty()) {
      log("warn", "Build & Run: type the command to run");
      return;
    }
    try {
      Optional<JsonObject> p = gateway.startProcess(base, selectedId, command, cwd, runPort);
      JsonObjectBuilder run =
          Json.createObjectBuilder()
              .add("kind", "run")
              .add("port", runPort)
              .add("command", command);
      if (p.isPresent()) {
        runProcess = p.get().getString("id", null);
        String terminal = p.get().getString("terminal", runProcess);
        run.add("terminal", terminal).add("process", runProcess);
        log("info", "Started " + runProcess + ": " + command + " in " + cwd);
      } else {
        // no process API on this gateway: run the command in a shell terminal of its own
        runProcess = null;
        run.add("terminal", "run").add("input", "cd " + shellQuote(cwd) + " && " + command + "\r");
        log("info", "Running in terminal run: " + command + " in " + cwd);
      }
      event(run);
      watchPort(runPort, "/");
    } catch (GatewayException e) {
      log("error", "Build & Run refused: " + e.reason());
    }
  }

  /** The address bar's Go: previews the typed port and path. */
  public void go() {
    if (selectedId == null || previewPort == null) {
      log("warn", "Preview: select a container and type a port");
      return;
    }
    watchPort(previewPort, previewPath);
  }

  private void watchPort(int port, String path) {
    previewPort = port;
    previewPath = path == null || path.isBlank() ? "/" : path.startsWith("/") ? path : "/" + path;
    previewUrl = null;
    waitingForPort = true;
    event(Json.createObjectBuilder().add("kind", "waiting").add("port", port));
    checkPort();
    PrimeFaces.current().ajax().update("f:previewBar");
  }

  private void checkPort() {
    try {
      String url = null;
      String pathUrl = null;
      Optional<JsonArray> ports = gateway.ports(base, selectedId);
      if (ports.isPresent()) {
        for (JsonValue v : ports.get()) {
          JsonObject o = v.asJsonObject();
          if (o.getInt("port", -1) == previewPort) {
            url = o.getString("url", null);
            pathUrl = o.getString("pathUrl", null);
          }
        }
      } else {
        JsonObject p = gateway.preview(base, selectedId, previewPort);
        if (gateway.answers(p.getString("pathUrl"))) {
          url = p.getString("url", null);
          pathUrl = p.getString("pathUrl", null);
        }
      }
      if (url != null) {
        waitingForPort = false;
        previewUrl = url;
        event(
            Json.createObjectBuilder()
                .add("kind", "port")
                .add("port", previewPort)
                .add("url", url)
                .add("pathUrl", gateway.forBrowser(pathUrl == null ? url : pathUrl, pageOrigin))
                .add("path", previewPath));
      }
    } catch (GatewayException e) {
      waitingForPort = false;
      log("error", "Preview of port " + previewPort + " failed: " + e.reason());
    }
  }

  private void resetRun() {
    runProcess = null;
    waitingForPort = false;
    previewUrl = null;
  }

  // ---- events for console.js

  private void log(String severity, String text) {
    event(
        Json.createObjectBuilder().add("kind", "log").add("severity", severity).add("text", text));
  }

  @SuppressWarnings("unchecked")
  private void event(JsonObjectBuilder e) {
    FacesContext fc = FacesContext.getCurrentInstance();
    if (fc == null) {
      return;
    }
    if (!fc.getPartialViewContext().isAjaxRequest()) {
      // a full page load (e.g. /console/?container=…): the first poll delivers them
      pending.add(e.build().toString());
      return;
    }
    List<JsonObject> events =
        (List<JsonObject>) fc.getAttributes().computeIfAbsent(EVENTS, k -> new ArrayList<>());
    if (!pending.isEmpty()) {
      for (String p : pending) {
        try (var r = Json.createReader(new java.io.StringReader(p))) {
          events.add(r.readObject());
        }
      }
      pending.clear();
    }
    events.add(e.build());
    JsonArrayBuilder all = Json.createArrayBuilder();
    events.forEach(all::add);
    if (fc.getPartialViewContext().isAjaxRequest()) {
      PrimeFaces.current().ajax().addCallbackParam("cms", all.build().toString());
    }
  }

  private static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format("%.1f KiB", bytes / 1024.0);
    }
    return String.format("%.1f MiB", bytes / (1024.0 * 1024));
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private Optional<ContainerRow> row(String id) {
    return containers.stream().filter(r -> r.getId().equals(id)).findFirst();
  }

  // ---- view state

  public Optional<ContainerRow> selected() {
    return selectedId == null ? Optional.empty() : row(selectedId);
  }

  public ContainerRow getSelected() {
    return selected().orElse(null);
  }

  public void setSelected(ContainerRow row) {
    // selection goes through onSelect, which attaches
  }

  public List<ContainerRow> getContainers() {
    return containers;
  }

  public String getSelectedId() {
    return selectedId;
  }

  public String getListError() {
    return listError;
  }

  public int getMemoryMb() {
    return memoryMb;
  }

  public void setMemoryMb(int memoryMb) {
    this.memoryMb = memoryMb;
  }

  public int getIdleTimeoutMinutes() {
    return idleTimeoutMinutes;
  }

  public void setIdleTimeoutMinutes(int idleTimeoutMinutes) {
    this.idleTimeoutMinutes = idleTimeoutMinutes;
  }

  public String getUploadMode() {
    return uploadMode;
  }

  public void setUploadMode(String uploadMode) {
    this.uploadMode = uploadMode;
  }

  public String getUploadDestination() {
    return uploadDestination;
  }

  public void setUploadDestination(String uploadDestination) {
    this.uploadDestination = uploadDestination;
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
