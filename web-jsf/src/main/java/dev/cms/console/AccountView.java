package dev.cms.console;

import dev.cms.client.ApiKey;
import dev.cms.client.CmsApiException;
import dev.cms.client.NewKey;
import dev.cms.client.NewUser;
import jakarta.annotation.PostConstruct;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
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

  @Inject Gateway gateway;
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
      for (ApiKey k : gateway.asUser().users().keys()) {
        list.add(
            new Key(
                k.id(),
                k.label() == null ? "" : k.label(),
                k.prefix(),
                time(k.createdAt()),
                k.lastUsedAt() == null ? "never" : time(k.lastUsedAt())));
      }
      keys = list;
    } catch (CmsApiException e) {
      error("Cannot list your API keys: " + e.reason());
    }
  }

  public void createKey() {
    try {
      ApiKey k =
          gateway.asUser().users().createKey(new NewKey(keyLabel == null ? "" : keyLabel.strip()));
      loadKeys();
      newKey = k.key();
      keyLabel = null;
      info("API key " + k.prefix() + "… made. Copy it now: it is shown only this once.");
    } catch (CmsApiException e) {
      error("Cannot make an API key: " + e.reason());
    }
  }

  public void revokeKey(String id) {
    try {
      gateway.asUser().users().revokeKey(id);
      loadKeys();
      info("API key revoked: it no longer works.");
    } catch (CmsApiException e) {
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
      for (dev.cms.client.User u : gateway.asUser().users().users()) {
        list.add(new User(u.id(), u.name(), u.role(), time(u.createdAt())));
      }
      users = list;
    } catch (CmsApiException e) {
      error("Cannot list users: " + e.reason());
    }
  }

  public void createUser() {
    try {
      dev.cms.client.User u =
          gateway
              .asUser()
              .users()
              .createUser(
                  new NewUser(
                      newUserName == null ? "" : newUserName.strip(),
                      newUserPassword == null ? "" : newUserPassword,
                      newUserRole));
      info("Created " + u.role() + " " + u.name() + ".");
      newUserName = null;
      newUserPassword = null;
      newUserRole = "user";
      loadUsers();
    } catch (CmsApiException e) {
      error("Cannot create the user: " + e.reason());
    }
  }

  public void deleteUser(String id) {
    try {
      gateway.asUser().users().deleteUser(id);
      info("User deleted.");
      loadUsers();
    } catch (CmsApiException e) {
      error("Cannot delete the user: " + e.reason());
    }
  }

  private static String time(Instant t) {
    return t == null ? "" : TIME.format(t);
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
