package dev.cms.console;

import dev.cms.client.ArchiveUnpacked;
import dev.cms.client.ClientAccess;
import dev.cms.client.CmsApiException;
import dev.cms.client.ContainerView;
import dev.cms.client.CreateContainer;
import dev.cms.client.FileWritten;
import dev.cms.client.PortView;
import dev.cms.client.ProcessView;
import dev.cms.client.ProcessesApi;
import dev.cms.client.StartProcess;
import jakarta.annotation.PostConstruct;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
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
 * The console page: creates, lists, attaches, stops, starts and deletes the user's containers,
 * uploads files and zips (with progress), starts the app and follows its port, lists the attached
 * container's processes (stop one) and ports (preview one). What the browser must do (log a
 * message, attach a terminal, load the preview) travels as a list of events in the AJAX callback
 * parameter {@code cms} — on a full page load (a reload, {@code ?c=c-…}) in the {@code data-events}
 * of {@code #cms-boot} — which {@code console.js} plays. Nothing polls: the gateway's events reach
 * the page by push ({@link LiveEvents}) and come back here as {@link #pushed()}.
 */
@Named
@ViewScoped
public class ConsoleView implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(ConsoleView.class.getName());
  private static final String EVENTS = ConsoleView.class.getName() + ".events";

  @Inject Gateway gateway;
  @Inject ConsoleMemory memory;
  @Inject UserSession user;
  @Inject LiveEvents live;

  private String pageOrigin;
  private final List<String> pending = new ArrayList<>();
  private List<ContainerRow> containers = new ArrayList<>();
  private final Map<String, String> statuses = new HashMap<>();
  private String selectedId;
  private String listError;
  private List<ProcessRow> processes = new ArrayList<>();
  private List<PortRow> ports = new ArrayList<>();
  private final String viewKey =
      Long.toString(new java.security.SecureRandom().nextLong() >>> 1, 36);

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
    load(false);
    // ?c=c-… names the attached container (bookmarkable; console.js sets it on attach);
    // ?container= is the older spelling
    String asked = req.getParameter("c");
    if (asked == null || asked.isBlank()) {
      asked = req.getParameter("container");
    }
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

  /**
   * A gateway event reached this page ({@link LiveEvents} pushed it, {@code console.js} asks with
   * its container): the list with its badges, status changes into Messages, and for the attached
   * container its processes, its ports and the awaited preview port.
   */
  public void pushed() {
    String container =
        FacesContext.getCurrentInstance()
            .getExternalContext()
            .getRequestParameterMap()
            .get("container");
    load(true);
    if (selectedId != null
        && (container == null || container.isBlank() || container.equals(selectedId))) {
      loadActivity();
      if (waitingForPort && previewPort != null) {
        checkPort();
      }
    }
  }

  /** The user picked a terminal tab: a reload or a second tab selects it again. */
  public void terminalSelected() {
    String t =
        FacesContext.getCurrentInstance()
            .getExternalContext()
            .getRequestParameterMap()
            .get("terminal");
    if (selectedId != null && t != null && t.matches("[A-Za-z0-9_-]{1,32}")) {
      memory.terminal(selectedId, t);
    }
  }

  public void create() {
    long started = System.nanoTime();
    try {
      ContainerView c =
          gateway
              .asUser()
              .createReady(
                  CreateContainer.defaults()
                      .withMemoryMb(memoryMb)
                      .withIdleTimeoutSeconds(idleTimeoutMinutes * 60L));
      String id = c.id();
      statuses.put(id, c.status() == null ? "RUNNING" : c.status());
      log(
          "success",
          String.format(
              "Created %s (%d MB, idle timeout %d min) in %.1f s — status %s",
              id, memoryMb, idleTimeoutMinutes, (System.nanoTime() - started) / 1e9, c.status()));
      load(false);
      attach(id, c.websocketUrl(), c.token());
    } catch (CmsApiException e) {
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
        // an admin's view of another owner's
        row = ContainerRow.of(gateway.asUser().containers().get(id));
      } catch (CmsApiException e) {
        log(
            "error",
            "Container " + id + " not found" + (e.status() == 404 ? "" : ": " + e.reason()));
        return;
      }
    }
    if (!row.isLive()) {
      selectedId = id;
      resetRun();
      loadActivity();
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
      ClientAccess t = gateway.asUser().containers().token(id);
      attach(id, t.websocketUrl(), t.token());
    } catch (CmsApiException e) {
      log("error", "Attach " + id + " failed: " + e.reason());
    }
  }

  public void stop() {
    lifecycle("Stopped", "Stop", () -> gateway.asUser().containers().stop(selectedId).status());
  }

  public void start() {
    lifecycle("Started", "Start", () -> gateway.asUser().containers().start(selectedId).status());
  }

  public void terminate() {
    String id = selectedId;
    lifecycle("Terminated", "Terminate", () -> gateway.asUser().containers().delete(id).status());
    memory.forget(id);
    processes = new ArrayList<>();
    ports = new ArrayList<>();
    resetRun();
    event(
        Json.createObjectBuilder()
            .add("kind", "detach")
            .add("container", id)
            .add("status", "DELETED"));
  }

  /** Runs a lifecycle call; {@code action} answers the container's new status. */
  private void lifecycle(String done, String verb, java.util.function.Supplier<String> action) {
    if (selectedId == null) {
      return;
    }
    try {
      String status = String.valueOf(action.get());
      statuses.put(selectedId, status);
      log("success", done + " " + selectedId + " — status " + status);
    } catch (CmsApiException e) {
      log("error", verb + " " + selectedId + " refused: " + e.reason());
    }
    load(false);
    loadActivity();
  }

  private void attach(String id, String websocketUrl, String token) {
    selectedId = id;
    resetRun();
    loadActivity();
    if (websocketUrl == null || token == null) {
      log("warn", "The gateway gave no terminal address for " + id);
      return;
    }
    ConsoleMemory.Seen seen = memory.of(id).orElse(new ConsoleMemory.Seen("main", null, "/"));
    // the tabs to restore: the running processes' terminals and the one last selected
    JsonArrayBuilder terminals = Json.createArrayBuilder();
    java.util.Set<String> listed = new java.util.LinkedHashSet<>();
    for (ProcessRow p : processes) {
      if ((p.isRunning() || p.getTerminal().equals(seen.terminal()))
          && listed.add(p.getTerminal())) {
        terminals.add(
            Json.createObjectBuilder().add("id", p.getTerminal()).add("title", p.getCommand()));
      }
    }
    if (!"main".equals(seen.terminal()) && listed.add(seen.terminal())) {
      terminals.add(
          Json.createObjectBuilder().add("id", seen.terminal()).add("title", seen.terminal()));
    }
    event(
        Json.createObjectBuilder()
            .add("kind", "attach")
            .add("container", id)
            .add("websocketUrl", gateway.forBrowser(websocketUrl, pageOrigin))
            .add("token", token)
            .add("terminals", terminals)
            .add("active", listed.contains(seen.terminal()) ? seen.terminal() : "main"));
    log("info", "Attached " + id + ": terminal " + seen.terminal());
    if (seen.previewPort() != null) {
      watchPort(seen.previewPort(), seen.previewPath());
    }
  }

  /** The attached container's processes and ports, for their panels. */
  private void loadActivity() {
    List<ProcessRow> ps = new ArrayList<>();
    List<PortRow> open = new ArrayList<>();
    ContainerRow row = selected().orElse(null);
    if (selectedId != null && row != null && row.isRunning()) {
      try {
        ProcessesApi api = gateway.asUser().processes();
        api.list(selectedId).forEach(p -> ps.add(ProcessRow.of(p)));
        for (PortView o : api.ports(selectedId)) {
          String pathUrl = o.pathUrl() == null ? o.url() : o.pathUrl();
          open.add(new PortRow(o.port(), o.url(), gateway.forBrowser(pathUrl, pageOrigin)));
        }
      } catch (CmsApiException e) {
        // 404: an admin's view of another owner's container (processes stay with the owner)
        if (e.status() != 404) {
          log("error", "Processes and ports of " + selectedId + ": " + e.reason());
        }
      }
    }
    processes = ps;
    ports = open;
  }

  /** The Processes panel's Stop: SIGTERM, then SIGKILL; the answer carries the exit code. */
  public void stopProcess(String pid) {
    if (selectedId == null || pid == null || !pid.matches("[A-Za-z0-9_-]{1,32}")) {
      return;
    }
    try {
      ProcessView p = gateway.asUser().processes().stop(selectedId, pid);
      log("info", "Stopped " + pid + (p.exitCode() == null ? "" : ": exit code " + p.exitCode()));
    } catch (CmsApiException e) {
      log("error", "Stop " + pid + " refused: " + e.reason());
    }
    loadActivity();
  }

  /** The Ports panel's Preview: shows that port in the preview pane. */
  public void previewOf(int port) {
    if (selectedId == null) {
      return;
    }
    watchPort(port, "/");
  }

  private void load(boolean reportChanges) {
    try {
      List<ContainerRow> rows = new ArrayList<>();
      for (ContainerView v : gateway.asUser().containers().list(null)) {
        ContainerRow r = ContainerRow.of(v);
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
    } catch (CmsApiException e) {
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
    // the upload's event comes before the model update: read the fields it carried
    uploadMode = submitted(event, "uploadMode", uploadMode);
    uploadDestination = submitted(event, "uploadDest", uploadDestination);
    String dest = uploadDestination == null ? "" : uploadDestination.strip();
    boolean zip = "zip".equals(uploadMode);
    if (!zip && (dest.isEmpty() || dest.endsWith("/"))) {
      dest = (dest.isEmpty() ? "/app/" : dest) + name;
    }
    long total = file.getSize();
    String owner = user.getUserId();
    UploadProgress.Listener progress =
        bytes ->
            live.toUser(
                owner,
                Json.createObjectBuilder()
                    .add("event", "upload")
                    .add("view", viewKey)
                    .add("name", name)
                    .add("bytes", bytes)
                    .add("total", total)
                    .build());
    try (InputStream in = new UploadProgress(file.getInputStream(), progress)) {
      String text;
      if (zip) {
        ArchiveUnpacked r = gateway.asUser().files().unpack(selectedId, dest, in);
        text =
            String.format(
                "Unpacked %s into %s: %d entries, %s", name, dest, r.entries(), size(r.bytes()));
      } else {
        FileWritten r = gateway.asUser().files().write(selectedId, dest, null, in);
        long bytes = r.bytes();
        text = String.format("Wrote %s to %s (%s)", name, dest, size(bytes));
      }
      log("success", text);
      uploadDone(true, text, null);
    } catch (CmsApiException e) {
      String text = "Upload of " + name + " to " + dest + " refused: " + e.reason();
      log("error", text);
      uploadDone(false, text, e.rule());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "upload failed", e);
      log("error", "Upload of " + name + " failed: " + e.getMessage());
      uploadDone(false, "Upload of " + name + " failed: " + e.getMessage(), null);
    }
  }

  /**
   * The value the request carried for the upload's sibling field {@code id}, else {@code current}.
   */
  private static String submitted(FileUploadEvent event, String id, String current) {
    var sibling = event.getComponent().findComponent(id);
    if (sibling == null) {
      return current;
    }
    String v =
        FacesContext.getCurrentInstance()
            .getExternalContext()
            .getRequestParameterMap()
            .get(sibling.getClientId());
    return v == null ? current : v;
  }

  private void uploadDone(boolean ok, String text, String rule) {
    JsonObjectBuilder e =
        Json.createObjectBuilder().add("kind", "upload").add("ok", ok).add("text", text);
    if (rule != null) {
      e.add("rule", rule);
    }
    event(e);
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
      ProcessView p =
          gateway
              .asUser()
              .processes()
              .start(selectedId, new StartProcess(command, cwd, null, runPort));
      JsonObjectBuilder run =
          Json.createObjectBuilder()
              .add("kind", "run")
              .add("port", runPort)
              .add("command", command);
      runProcess = p.id();
      String terminal = p.terminal() == null ? runProcess : p.terminal();
      run.add("terminal", terminal).add("process", runProcess);
      memory.terminal(selectedId, terminal);
      log("info", "Started " + runProcess + ": " + command + " in " + cwd);
      event(run);
      watchPort(runPort, "/");
      loadActivity();
    } catch (CmsApiException e) {
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
    memory.preview(selectedId, previewPort, previewPath);
    event(Json.createObjectBuilder().add("kind", "waiting").add("port", port));
    checkPort();
    PrimeFaces.current().ajax().update("f:previewBar");
  }

  private void checkPort() {
    try {
      String url = null;
      String pathUrl = null;
      for (PortView o : gateway.asUser().processes().ports(selectedId)) {
        if (o.port() == previewPort) {
          url = o.url();
          pathUrl = o.pathUrl();
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
    } catch (CmsApiException e) {
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
      // a full page load (e.g. /console/?c=…): the page carries them (getBootEvents)
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

  private Optional<ContainerRow> row(String id) {
    return containers.stream().filter(r -> r.getId().equals(id)).findFirst();
  }

  /**
   * The events of the page load itself (attach, preview), played by {@code console.js} as soon as
   * the page is there: a JSON array, read once.
   */
  public String getBootEvents() {
    JsonArrayBuilder all = Json.createArrayBuilder();
    for (String p : pending) {
      try (var r = Json.createReader(new java.io.StringReader(p))) {
        all.add(r.readObject());
      }
    }
    pending.clear();
    return all.build().toString();
  }

  // ---- view state

  public List<ProcessRow> getProcesses() {
    return processes;
  }

  public List<PortRow> getPorts() {
    return ports;
  }

  /** This page's own key: pushes about one page's doings (an upload) carry it. */
  public String getViewKey() {
    return viewKey;
  }

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
