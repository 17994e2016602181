package dev.cms.console;

import dev.cms.client.ArchiveUnpacked;
import dev.cms.client.CmsApiException;
import dev.cms.client.FileWritten;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.primefaces.event.FileUploadEvent;
import org.primefaces.model.file.UploadedFile;

/**
 * The Files panel: a file written to a path, or a zip unpacked into a directory, of the attached
 * container, with its progress pushed to this page ({@link LiveEvents}) and the result or the
 * refusal's rule in the end.
 */
@Named
@ViewScoped
public class UploadPanel implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(UploadPanel.class.getName());

  @Inject Gateway gateway;
  @Inject UserSession user;
  @Inject LiveEvents live;
  @Inject ConsoleView console;
  @Inject PageEvents events;

  private String uploadMode = "zip";
  private String uploadDestination = "/app";

  public void upload(FileUploadEvent event) {
    UploadedFile file = event.getFile();
    String name = file.getFileName();
    if (console.getSelectedId() == null
        || !console.selected().map(ContainerRow::isRunning).orElse(false)) {
      events.log("warn", "Upload of " + name + " skipped: select a running container first");
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
                    .add("view", events.getViewKey())
                    .add("name", name)
                    .add("bytes", bytes)
                    .add("total", total)
                    .build());
    try (InputStream in = new UploadProgress(file.getInputStream(), progress)) {
      String text;
      if (zip) {
        ArchiveUnpacked r = gateway.asUser().files().unpack(console.getSelectedId(), dest, in);
        text =
            String.format(
                "Unpacked %s into %s: %d entries, %s", name, dest, r.entries(), size(r.bytes()));
      } else {
        FileWritten r = gateway.asUser().files().write(console.getSelectedId(), dest, null, in);
        long bytes = r.bytes();
        text = String.format("Wrote %s to %s (%s)", name, dest, size(bytes));
      }
      events.log("success", text);
      uploadDone(true, text, null);
    } catch (CmsApiException e) {
      String text = "Upload of " + name + " to " + dest + " refused: " + e.reason();
      events.log("error", text);
      uploadDone(false, text, e.rule());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "upload failed", e);
      events.log("error", "Upload of " + name + " failed: " + e.getMessage());
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
    events.event(e);
  }

  public void onUploadModeChange() {
    if ("zip".equals(uploadMode)
        && uploadDestination != null
        && uploadDestination.endsWith(".zip")) {
      uploadDestination = "/app";
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
}
