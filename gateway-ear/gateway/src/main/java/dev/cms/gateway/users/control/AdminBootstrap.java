package dev.cms.gateway.users.control;

import dev.cms.gateway.config.Settings;
import dev.cms.gateway.security.Secrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.logging.Logger;

/**
 * On first start (no user named {@code admin}) creates the {@code admin} user with a generated
 * password, written to {@code <data dir>/admin-password} (mode 0600) and the path logged, as the
 * generated API key is.
 */
@ApplicationScoped
public class AdminBootstrap {

  static final String ADMIN = "admin";
  private static final Logger LOG = Logger.getLogger(AdminBootstrap.class.getName());

  @Inject Users users;
  @Inject Settings settings;

  void atStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
    Path file = settings.dataDir().resolve("admin-password");
    if (users.byName(ADMIN).isPresent()) {
      if (Files.exists(file)) {
        LOG.info(() -> "The first password of the console's 'admin' user is in " + file);
      }
      return;
    }
    String password = Secrets.token(24);
    write(file, password);
    users.createAdmin(ADMIN, password);
    LOG.warning(
        () ->
            "Created the console user 'admin' with a generated password, stored in "
                + file
                + " (sign in at /console/; keep or delete the file)");
  }

  private static void write(Path file, String password) {
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file); // a stale file of an earlier data directory's admin
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      } catch (FileAlreadyExistsException raced) {
        throw new IllegalStateException("another process wrote " + file + " at the same time");
      }
      Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the admin password file " + file, e);
    }
  }
}
