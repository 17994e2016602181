package dev.cms.gateway.files.boundary;

import dev.cms.gateway.config.Settings;
import dev.cms.gateway.problems.ApiException;

/** Checks shared by the file and archive resources. */
final class Uploads {
  private Uploads() {}

  static void checkLength(Settings settings, Long length) {
    if (length != null && length > settings.maxUploadBytes()) {
      throw new ApiException(
              413,
              "Content Too Large",
              "the upload of "
                  + length
                  + " bytes exceeds the limit of "
                  + settings.maxUploadBytes()
                  + " bytes",
              null)
          .withRule("too-large");
    }
  }

  static void require(String value, String name) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest("query parameter '" + name + "' (an absolute path) is required")
          .withRule("bad-path");
    }
  }

  static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
