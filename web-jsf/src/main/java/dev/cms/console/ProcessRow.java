package dev.cms.console;

import dev.cms.client.ProcessView;
import java.io.Serializable;

/** One process of the attached container as the Processes panel shows it. */
public class ProcessRow implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String id;
  private final String terminal;
  private final String command;
  private final String status;
  private final Integer exitCode;

  public ProcessRow(String id, String terminal, String command, String status, Integer exitCode) {
    this.id = id;
    this.terminal = terminal;
    this.command = command;
    this.status = status;
    this.exitCode = exitCode;
  }

  static ProcessRow of(ProcessView p) {
    return new ProcessRow(
        p.id(),
        p.terminal() == null ? p.id() : p.terminal(),
        p.command() == null ? "" : p.command(),
        p.status() == null ? "UNKNOWN" : p.status(),
        p.exitCode());
  }

  public String getId() {
    return id;
  }

  public String getTerminal() {
    return terminal;
  }

  public String getCommand() {
    return command;
  }

  public String getStatus() {
    return status;
  }

  public Integer getExitCode() {
    return exitCode;
  }

  public boolean isRunning() {
    return "RUNNING".equals(status);
  }

  /** The CSS modifier of the status badge. */
  public String getBadge() {
    return "cms-badge cms-badge-" + (isRunning() ? "running" : "stopped");
  }
}
