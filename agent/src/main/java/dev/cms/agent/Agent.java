package dev.cms.agent;

/** Entry point of the agent inside an AppContainer. */
public final class Agent {
  private Agent() {}

  /** Starts the agent. */
  public static void main(String[] args) {}
}
