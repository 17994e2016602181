package dev.cms.domain.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RuleTest {

  @Test
  void wireNamesRoundTrip() {
    for (Rule r : Rule.values()) {
      assertEquals(r, Rule.of(r.wire()).orElseThrow());
      assertTrue(r.wire().matches("[a-z]+(-[a-z]+)*"), r.wire());
    }
  }

  @Test
  void statusesOfTheRestDoors() {
    assertEquals(404, Rule.NOT_FOUND.httpStatus());
    assertEquals(409, Rule.NOT_EMPTY.httpStatus());
    assertEquals(413, Rule.NO_SPACE.httpStatus());
    assertEquals(429, Rule.TOO_MANY_STREAMS.httpStatus());
    assertEquals(500, Rule.IO_ERROR.httpStatus());
    assertEquals(400, Rule.TOO_MANY_ENTRIES.httpStatus());
  }

  @Test
  void unknownNamesAreRefusals() {
    assertTrue(Rule.of("rm -rf /").isEmpty());
    assertTrue(Rule.of(null).isEmpty());
    assertEquals(Rule.REFUSED, Rule.orRefused("no-such-rule"));
  }
}
