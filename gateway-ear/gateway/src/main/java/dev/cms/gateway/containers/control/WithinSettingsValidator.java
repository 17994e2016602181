package dev.cms.gateway.containers.control;

import dev.cms.gateway.config.Settings;
import dev.cms.gateway.problems.Violation;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.ArrayList;
import java.util.List;

/** Checks {@link WithinSettings}: each field of a create against the operator's maximum. */
public class WithinSettingsValidator implements ConstraintValidator<WithinSettings, CreateRequest> {

  /** The operator's maxima. */
  public record Maxima(int memoryMb, double cpus, long idleTimeoutSeconds, long ttlSeconds) {}

  @Override
  public boolean isValid(CreateRequest r, ConstraintValidatorContext context) {
    if (r == null) {
      return true;
    }
    // looked up, not injected: Jersey's validator factory is HK2's, not CDI's
    Settings s = CDI.current().select(Settings.class).get();
    List<Violation> above =
        above(
            r,
            new Maxima(s.maxMemoryMb(), s.maxCpus(), s.maxIdleTimeoutSeconds(), s.maxTtlSeconds()));
    if (above.isEmpty()) {
      return true;
    }
    context.disableDefaultConstraintViolation();
    for (Violation v : above) {
      // the message is ours (numbers only): no client text reaches the template interpolation
      context
          .buildConstraintViolationWithTemplate(v.message())
          .addPropertyNode(v.field())
          .addConstraintViolation();
    }
    return false;
  }

  /** The fields of {@code r} above their maximum, each with its message. */
  public static List<Violation> above(CreateRequest r, Maxima max) {
    List<Violation> out = new ArrayList<>();
    if (r.memoryMb() != null && r.memoryMb() > max.memoryMb()) {
      out.add(new Violation("memoryMb", "must be at most " + max.memoryMb()));
    }
    if (r.cpus() != null && !(r.cpus() <= max.cpus())) {
      // NaN and infinities are refused too
      out.add(new Violation("cpus", "must be at most " + max.cpus()));
    }
    if (r.idleTimeoutSeconds() != null && r.idleTimeoutSeconds() > max.idleTimeoutSeconds()) {
      out.add(new Violation("idleTimeoutSeconds", "must be at most " + max.idleTimeoutSeconds()));
    }
    if (r.ttlSeconds() != null && r.ttlSeconds() > max.ttlSeconds()) {
      out.add(new Violation("ttlSeconds", "must be at most " + max.ttlSeconds()));
    }
    return out;
  }
}
