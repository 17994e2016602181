package dev.cms.gateway.testing;

import dev.cms.gateway.config.Settings;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * {@link Settings} as MicroProfile Config would inject them, for controls tested without a
 * container: every {@code @ConfigProperty} field gets the given property ({@code cms.x.y}) or its
 * annotation's default, and {@link Settings#templateSetting} and friends read the same properties.
 */
public final class TestSettings {

  private TestSettings() {}

  /** The defaults. */
  public static Settings defaults() {
    return of(Map.of());
  }

  /** The defaults with these properties (e.g. {@code "cms.templates" → "node,python"}). */
  public static Settings of(Map<String, String> properties) {
    Settings s = new Settings();
    try {
      for (Field f : Settings.class.getDeclaredFields()) {
        ConfigProperty p = f.getAnnotation(ConfigProperty.class);
        if (p != null) {
          String raw = properties.get(p.name());
          if (raw == null && !ConfigProperty.UNCONFIGURED_VALUE.equals(p.defaultValue())) {
            raw = p.defaultValue();
          }
          f.setAccessible(true);
          f.set(s, convert(f, raw));
        } else if (f.getType() == Config.class) {
          f.setAccessible(true);
          f.set(s, new MapConfig(properties));
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot set up Settings for a test", e);
    }
    return s;
  }

  private static Object convert(Field f, String raw) {
    Class<?> t = f.getType();
    if (t == Optional.class) {
      return raw == null || raw.isEmpty() ? Optional.empty() : Optional.of(raw);
    }
    if (raw == null) {
      if (t.isPrimitive()) {
        throw new IllegalStateException(f.getName() + " has no default: give it a value");
      }
      return null;
    }
    if (t == String.class) {
      return raw;
    }
    if (t == int.class || t == Integer.class) {
      return Integer.parseInt(raw.strip());
    }
    if (t == long.class || t == Long.class) {
      return Long.parseLong(raw.strip());
    }
    if (t == double.class || t == Double.class) {
      return Double.parseDouble(raw.strip());
    }
    if (t == boolean.class || t == Boolean.class) {
      return Boolean.parseBoolean(raw.strip());
    }
    throw new IllegalStateException("no conversion to " + t + " for " + f.getName());
  }

  /** A MicroProfile {@link Config} over a map of strings. */
  private record MapConfig(Map<String, String> values) implements Config {
    @Override
    public <T> T getValue(String name, Class<T> type) {
      return getOptionalValue(name, type)
          .orElseThrow(() -> new NoSuchElementException("no property " + name));
    }

    @Override
    public ConfigValue getConfigValue(String name) {
      throw new UnsupportedOperationException("getConfigValue");
    }

    @Override
    public <T> Optional<T> getOptionalValue(String name, Class<T> type) {
      String v = values.get(name);
      if (v == null) {
        return Optional.empty();
      }
      if (type != String.class) {
        throw new UnsupportedOperationException("only String values here, not " + type);
      }
      return Optional.of(type.cast(v));
    }

    @Override
    public Iterable<String> getPropertyNames() {
      return Set.copyOf(values.keySet());
    }

    @Override
    public Iterable<ConfigSource> getConfigSources() {
      return Set.of();
    }

    @Override
    public <T> Optional<Converter<T>> getConverter(Class<T> forType) {
      return Optional.empty();
    }

    @Override
    public <T> T unwrap(Class<T> type) {
      throw new IllegalArgumentException("cannot unwrap to " + type);
    }
  }
}
