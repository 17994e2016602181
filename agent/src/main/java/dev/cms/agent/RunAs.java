package dev.cms.agent;

import com.sun.jna.Function;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Who the user's shells and processes run as, when the agent itself runs as root in the container
 * ({@code CMS_RUN_AS}, the image sets {@code node}).
 *
 * <p>The agent must be out of reach of the code it starts: it runs as root with only the
 * capabilities it needs (the gateway creates the container so), and every shell and process it
 * starts runs through {@code setpriv} as the named user, with empty capability sets and bounding
 * set and no-new-privileges. So that the files the agent writes for the user (uploads, archives)
 * are checked and owned as the user's, never as root's, the agent's own threads work with the
 * user's <em>file-system</em> ids ({@code setfsuid}/{@code setfsgid}, per thread, inherited by the
 * threads it starts): a symbolic link the user plants cannot make the agent write where the user
 * could not. Signals and the switch of user keep the root ids they need.
 *
 * @param user the user's name, for {@code setpriv} and the shell's {@code USER}
 * @param uid the user's numeric id
 * @param gid the user's primary group id
 */
record RunAs(String user, int uid, int gid) {

  static final String VAR = "CMS_RUN_AS";
  static final String SETPRIV = "/usr/bin/setpriv";

  private static final Logger LOG = Logger.getLogger(RunAs.class.getName());

  /**
   * The user to run as, when {@code CMS_RUN_AS} names one and the agent runs as root; empty when
   * the agent runs as the user itself (tests, or an image without the variable).
   *
   * @throws IllegalArgumentException when the variable names no user of {@code /etc/passwd}, or
   *     {@code setpriv} is missing
   */
  static Optional<RunAs> fromEnv(Map<String, String> env) {
    String user = env.get(VAR);
    if (user == null || user.isBlank() || currentUid() != 0) {
      return Optional.empty();
    }
    user = user.trim();
    if (!Files.isExecutable(Path.of(SETPRIV))) {
      throw new IllegalArgumentException(
          VAR + "=" + user + " needs " + SETPRIV + " (util-linux), which is missing");
    }
    try {
      for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
        String[] f = line.split(":", -1);
        if (f.length >= 4 && f[0].equals(user)) {
          return Optional.of(new RunAs(user, Integer.parseInt(f[2]), Integer.parseInt(f[3])));
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new IllegalArgumentException("cannot read /etc/passwd: " + e.getMessage());
    }
    throw new IllegalArgumentException(VAR + " names no user of /etc/passwd: " + user);
  }

  /** The command line that runs {@code argv} as the user, without capabilities. */
  List<String> wrap(List<String> argv) {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(
                SETPRIV,
                "--reuid=" + uid,
                "--regid=" + gid,
                "--init-groups",
                "--inh-caps=-all",
                "--ambient-caps=-all",
                "--bounding-set=-all",
                "--no-new-privs",
                "--"),
            argv.stream())
        .toList();
  }

  /**
   * Gives the calling thread (and every thread it starts from now on) the user's file-system ids.
   * Called first thing in {@code main}, before the agent starts its threads.
   *
   * @throws IllegalStateException when the kernel did not take them
   */
  void adoptFileSystemIds() {
    Function setfsgid = LibC.SETFSGID;
    Function setfsuid = LibC.SETFSUID;
    setfsgid.invokeInt(new Object[] {gid});
    setfsuid.invokeInt(new Object[] {uid});
    // both calls return the previous id; asking for an invalid id (-1) changes nothing and tells
    int fsgid = setfsgid.invokeInt(new Object[] {-1});
    int fsuid = setfsuid.invokeInt(new Object[] {-1});
    if (fsuid != uid || fsgid != gid) {
      throw new IllegalStateException(
          "setfsuid/setfsgid to " + uid + "/" + gid + " did not hold: " + fsuid + "/" + fsgid);
    }
    LOG.info(
        "agent runs as root; shells and processes as "
            + user
            + " ("
            + uid
            + ":"
            + gid
            + ") without capabilities; files are written as "
            + user);
  }

  /**
   * Runs {@code work} on the calling thread with root's file-system ids, then gives the thread the
   * user's back: for the agent's own files, which the user must not read.
   */
  void asRoot(Runnable work) {
    Function setfsgid = LibC.SETFSGID;
    Function setfsuid = LibC.SETFSUID;
    setfsuid.invokeInt(new Object[] {0});
    setfsgid.invokeInt(new Object[] {0});
    try {
      work.run();
    } finally {
      setfsgid.invokeInt(new Object[] {gid});
      setfsuid.invokeInt(new Object[] {uid});
    }
  }

  /** The C library's calls, looked up once, when first used (only a root agent uses them). */
  private static final class LibC {
    static final Function SETFSUID = Function.getFunction("c", "setfsuid");
    static final Function SETFSGID = Function.getFunction("c", "setfsgid");
  }

  /** The real user id of this process, from {@code /proc/self/status}; -1 when unknown. */
  static int currentUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
