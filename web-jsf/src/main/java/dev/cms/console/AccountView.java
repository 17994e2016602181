package dev.cms.console;

import jakarta.annotation.PostConstruct;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The signed-in user's own things beside their containers: their API keys (make one — shown once —,
 * list by prefix and last use, revoke) and, for admins, the users (create, list, delete).
 * Everything goes through the gateway's API as the user.
 */
@Named
@ViewScoped
public class AccountView implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MMM d, HH:mm:ss", Locale.ENGLISH)
          .withZone(ZoneId.systemDefault());

  @Inject GatewayClient gateway;
  @Inject UserSession user;

  /** One API key in the list (getters: EL 5 does not read record components). */
  public static final class Key implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String id;
    private final String label;
    private final String prefix;
    private final String created;
    private final String lastUsed;

    Key(String id, String label, String prefix, String created, String lastUsed) {
      this.id = id;
      this.label = label;
      this.prefix = prefix;
      this.created = created;
      this.lastUsed = lastUsed;
    }

    public String getId() {
      return id;
    }

    public String getLabel() {
      return label;
    }

    public String getPrefix() {
      return prefix;
    }

    public String getCreated() {
      return created;
    }

    public String getLastUsed() {
      return lastUsed;
    }
  }

  /** One user in the admin's list. */
  public static final class User implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String id;
    private final String name;
    private final String role;
    private final String created;

    User(String id, String name, String role, String created) {
      this.id = id;
      this.name = name;
      this.role = role;
      this.created = created;
    }

    public String getId() {
      return id;
    }

    public String getName() {
      return name;
    }

    public String getRole() {
      return role;
    }

    public String getCreated() {
      return created;
    }
  }

  private List<Key> keys = new ArrayList<>();
  private List<User> users = new ArrayList<>();
  private String keyLabel;
  private String newKey;
  private String newUserName;
  private String newUserPassword;
  private String newUserRole = "user";

  @PostConstruct
  public void init() {
    // loaded when a dialog opens, not with every page
  }

  // ---- API keys

  public void loadKeys() {
    newKey = null;
    try {
      List<Key> list = new ArrayList<>();
      for (JsonValue v : gateway.keys()) {
        JsonObject k = v.asJsonObject();
        list.add(
            new Key(
                k.getString("id"),
                k.isNull("label") || !k.containsKey("label") ? "" : k.getString("label", ""),
                k.getString("prefix"),
                time(k, "createdAt"),
                k.containsKey("lastUsedAt") && !k.isNull("lastUsedAt")
                    ? time(k, "lastUsedAt")
                    : "never"));
      }
      keys = list;
    } catch (GatewayException e) {
      error("Cannot list your API keys: " + e.reason());
    }
  }

  public void createKey() {
    try {
      JsonObject k = gateway.createKey(keyLabel == null ? "" : keyLabel.strip());
      loadKeys();
      newKey = k.getString("key");
      keyLabel = null;
      info("API key " + k.getString("prefix") + "… made. Copy it now: it is shown only this once.");
    } catch (GatewayException e) {
      error("Cannot make an API key: " + e.reason());
    }
  }

  public void revokeKey(String id) {
    try {
      gateway.revokeKey(id);
      loadKeys();
      info("API key revoked: it no longer works.");
    } catch (GatewayException e) {
      error("Cannot revoke the key: " + e.reason());
    }
  }

  // ---- users (admins)

  public void loadUsers() {
    if (!user.isAdmin()) {
      return;
    }
    try {
      List<User> list = new ArrayList<>();
      for (JsonValue v : gateway.users()) {
        JsonObject u = v.asJsonObject();
        list.add(
            new User(
                u.getString("id"), u.getString("name"), u.getString("role"), time(u, "createdAt")));
      }
      users = list;
    } catch (GatewayException e) {
      error("Cannot list users: " + e.reason());
    }
  }

  public void createUser() {
    try {
      JsonObject u =
          gateway.createUser(
              newUserName == null ? "" : newUserName.strip(),
              newUserPassword == null ? "" : newUserPassword,
              newUserRole);
      info("Created " + u.getString("role") + " " + u.getString("name") + ".");
      newUserName = null;
      newUserPassword = null;
      newUserRole = "user";
      loadUsers();
    } catch (GatewayException e) {
      error("Cannot create the user: " + e.reason());
    }
  }

  public void deleteUser(String id) {
    try {
      gateway.deleteUser(id);
      info("User deleted.");
      loadUsers();
    } catch (GatewayException e) {
      error("Cannot delete the user: " + e.reason());
    }
  }

  private static String time(JsonObject o, String field) {
    try {
      return TIME.format(Instant.parse(o.getString(field)));
    } catch (RuntimeException e) {
      return o.containsKey(field) ? o.get(field).toString() : "";
    }
  }

  private static void info(String text) {
    FacesContext.getCurrentInstance()
        .addMessage(null, new FacesMessage(FacesMessage.SEVERITY_INFO, text, null));
  }

  private static void error(String text) {
    FacesContext.getCurrentInstance()
        .addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, text, null));
  }

  public List<Key> getKeys() {
    return keys;
  }

  public List<User> getUsers() {
    return users;
  }

  public String getKeyLabel() {
    return keyLabel;
  }

  public void setKeyLabel(String keyLabel) {
    this.keyLabel = keyLabel;
  }

  public String getNewKey() {
    return newKey;
  }

  public String getNewUserName() {
    return newUserName;
  }

  public void setNewUserName(String newUserName) {
    this.newUserName = newUserName;
  }

  public String getNewUserPassword() {
    return newUserPassword;
  }

  public void setNewUserPassword(String newUserPassword) {
    this.newUserPassword = newUserPassword;
  }

  public String getNewUserRole() {
    return newUserRole;
  }

  public void setNewUserRole(String newUserRole) {
    this.newUserRole = newUserRole;
  }
}
