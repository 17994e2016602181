package dev.cms.gateway.files.boundary;

import dev.cms.domain.files.Rule;
import dev.cms.gateway.problems.ApiException;

/** Checks shared by the file and archive resources. */
final class QueryChecks {
  private QueryChecks() {}

  static void require(String value, String name) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest("query parameter '" + name + "' (an absolute path) is required")
          .withRule(Rule.BAD_PATH.wire());
    }
  }

  static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
