package dev.cms.gateway.containers.control;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The upper bounds of a {@link CreateRequest} that the operator sets: memory ({@code
 * CMS_MAX_MEMORY_MB}), CPUs ({@code CMS_MAX_CPUS}), idle timeout and time to live. Each field above
 * its bound is a violation of its own, named after the field.
 */
@Documented
@Constraint(validatedBy = WithinSettingsValidator.class)
@Target({ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
public @interface WithinSettings {
  String message() default "is above the gateway's limit";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};
}
