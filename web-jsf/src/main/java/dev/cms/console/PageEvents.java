package dev.cms.console;

import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.primefaces.PrimeFaces;

/**
 * What the browser must do (log a message, attach a terminal, load the preview), for {@code
 * console.js}: a list of events in the AJAX callback parameter {@code cms}, or — on a full page
 * load (a reload, {@code ?c=c-…}) — in the {@code data-events} of {@code #cms-boot}. One per page,
 * shared by the page's panels ({@link ConsoleView}, {@link UploadPanel}, {@link RunPanel}).
 */
@Named
@ViewScoped
public class PageEvents implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final String EVENTS = PageEvents.class.getName() + ".events";

  private final List<String> pending = new ArrayList<>();
  private final String viewKey =
      Long.toString(new java.security.SecureRandom().nextLong() >>> 1, 36);

  /** A line for the page's Messages panel. */
  public void log(String severity, String text) {
    event(
        Json.createObjectBuilder().add("kind", "log").add("severity", severity).add("text", text));
  }

  /** An event for {@code console.js}: in the AJAX answer, or on a full load in the page. */
  @SuppressWarnings("unchecked")
  public void event(JsonObjectBuilder e) {
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

  /** This page's own key: pushes about one page's doings (an upload) carry it. */
  public String getViewKey() {
    return viewKey;
  }
}
