package dev.cms.console;

import dev.cms.client.ClientAccess;
import dev.cms.client.CmsApiException;
import dev.cms.client.ContainerView;
import dev.cms.client.CreateContainer;
import dev.cms.client.PortView;
import dev.cms.client.ProcessView;
import dev.cms.client.ProcessesApi;
import jakarta.annotation.PostConstruct;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.servlet.http.HttpServletRequest;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.primefaces.event.SelectEvent;

/**
 * The console page's containers: creates, lists, attaches, stops, starts and deletes the user's
 * containers, and lists the attached container's processes (stop one) and ports. Its panels are
 * beans of their own: {@link UploadPanel} (files and zips), {@link RunPanel} (Build &amp; Run and
 * the preview); what the browser must do travels through {@link PageEvents}. Nothing polls: the
 * gateway's events reach the page by push ({@link LiveEvents}) and come back here as {@link
 * #pushed()}.
 */
@Named
@ViewScoped
public class ConsoleView implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(ConsoleView.class.getName());

  @Inject Gateway gateway;
  @Inject ConsoleMemory memory;
  @Inject UserSession user;
  @Inject PageEvents events;
  @Inject RunPanel run;

  private String pageOrigin;
  private List<ContainerRow> containers = new ArrayList<>();
  private final Map<String, String> statuses = new HashMap<>();
  private String selectedId;
  private String listError;
  private List<ProcessRow> processes = new ArrayList<>();
  private List<PortRow> ports = new ArrayList<>();

  private int memoryMb = 1024;
  private int idleTimeoutMinutes = 30;

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
      run.pushed();
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
      events.log(
          "success",
          String.format(
              "Created %s (%d MB, idle timeout %d min) in %.1f s — status %s",
              id, memoryMb, idleTimeoutMinutes, (System.nanoTime() - started) / 1e9, c.status()));
      load(false);
      attach(id, c.websocketUrl(), c.token());
    } catch (CmsApiException e) {
      events.log("error", "Create refused: " + e.reason());
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
      events.log("error", "Container " + (key == null ? "?" : key) + " not found");
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
        events.log(
            "error",
            "Container " + id + " not found" + (e.status() == 404 ? "" : ": " + e.reason()));
        return;
      }
    }
    if (!row.isLive()) {
      selectedId = id;
      run.attached(selectedId, pageOrigin);
      loadActivity();
      events.event(
          Json.createObjectBuilder()
              .add("kind", "detach")
              .add("container", id)
              .add("status", row.getStatus()));
      events.log(
          "info",
          "Selected " + id + " (" + row.getStatus() + "): it no longer runs, nothing to attach");
      return;
    }
    try {
      ClientAccess t = gateway.asUser().containers().token(id);
      attach(id, t.websocketUrl(), t.token());
    } catch (CmsApiException e) {
      events.log("error", "Attach " + id + " failed: " + e.reason());
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
    run.attached(selectedId, pageOrigin);
    events.event(
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
      events.log("success", done + " " + selectedId + " — status " + status);
    } catch (CmsApiException e) {
      events.log("error", verb + " " + selectedId + " refused: " + e.reason());
    }
    load(false);
    loadActivity();
  }

  private void attach(String id, String websocketUrl, String token) {
    selectedId = id;
    run.attached(selectedId, pageOrigin);
    loadActivity();
    if (websocketUrl == null || token == null) {
      events.log("warn", "The gateway gave no terminal address for " + id);
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
    events.event(
        Json.createObjectBuilder()
            .add("kind", "attach")
            .add("container", id)
            .add("websocketUrl", gateway.forBrowser(websocketUrl, pageOrigin))
            .add("token", token)
            .add("terminals", terminals)
            .add("active", listed.contains(seen.terminal()) ? seen.terminal() : "main"));
    events.log("info", "Attached " + id + ": terminal " + seen.terminal());
    if (seen.previewPort() != null) {
      run.watchPort(seen.previewPort(), seen.previewPath());
    }
  }

  /** The attached container's processes and ports, for their panels. */
  public void loadActivity() {
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
          events.log("error", "Processes and ports of " + selectedId + ": " + e.reason());
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
      events.log(
          "info", "Stopped " + pid + (p.exitCode() == null ? "" : ": exit code " + p.exitCode()));
    } catch (CmsApiException e) {
      events.log("error", "Stop " + pid + " refused: " + e.reason());
    }
    loadActivity();
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
          events.log(
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
        events.log("success", "The gateway answers again");
      }
      listError = null;
    } catch (CmsApiException e) {
      if (e.status() == 401) {
        // the gateway session ended (expired, or the user was removed): sign in again
        events.log("error", "Your session ended: " + e.reason() + ". Reload to sign in again.");
        FacesContext.getCurrentInstance().getExternalContext().invalidateSession();
        return;
      }
      if (!e.reason().equals(listError)) {
        events.log("error", "Cannot list containers: " + e.reason());
      }
      listError = e.reason();
    }
  }

  private Optional<ContainerRow> row(String id) {
    return containers.stream().filter(r -> r.getId().equals(id)).findFirst();
  }

  // ---- view state

  public List<ProcessRow> getProcesses() {
    return processes;
  }

  public List<PortRow> getPorts() {
    return ports;
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
}
