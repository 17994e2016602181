package dev.cms.agent.files;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cms.domain.files.Rule;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/** Every rule the agent's file code can send is one the gateway knows ({@link Rule}). */
class FailureRulesTest {

  @Test
  void everyAgentRuleIsADomainRule() throws IllegalAccessException {
    int seen = 0;
    for (Field f : Failure.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        f.setAccessible(true);
        String wire = (String) f.get(null);
        assertTrue(Rule.of(wire).isPresent(), f.getName() + " = '" + wire + "' is not a Rule");
        seen++;
      }
    }
    assertTrue(seen >= 20, "found only " + seen + " rules in Failure");
  }
}
