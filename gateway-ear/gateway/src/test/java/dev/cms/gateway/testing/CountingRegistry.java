package dev.cms.gateway.testing;

import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * A MicroProfile {@link MetricRegistry} outside a server, for the real {@code Meters}: counters
 * count (read them with {@link #count}); histograms and gauges are accepted and do nothing. Any
 * other registry call is unsupported.
 */
public final class CountingRegistry {

  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

  /** The registry to inject. */
  public MetricRegistry registry() {
    return (MetricRegistry)
        Proxy.newProxyInstance(
            CountingRegistry.class.getClassLoader(),
            new Class<?>[] {MetricRegistry.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "counter" -> counter(key(name(args[0]), tags(args)));
                  case "histogram", "gauge" -> inert(method.getReturnType());
                  case "toString" -> "CountingRegistry" + counts;
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  /** The count of the counter {@code name} with the tag {@code tag=value} (0: never counted). */
  public long count(String name, String tag, String value) {
    AtomicLong n = counts.get(key(name, new Tag[] {new Tag(tag, value)}));
    return n == null ? 0 : n.get();
  }

  private Counter counter(String key) {
    AtomicLong n = counts.computeIfAbsent(key, k -> new AtomicLong());
    return (Counter)
        Proxy.newProxyInstance(
            CountingRegistry.class.getClassLoader(),
            new Class<?>[] {Counter.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "inc" -> {
                    n.addAndGet(args == null ? 1 : (Long) args[0]);
                    yield null;
                  }
                  case "getCount" -> n.get();
                  case "toString" -> key + "=" + n;
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  private static Object inert(Class<?> type) {
    return Proxy.newProxyInstance(
        CountingRegistry.class.getClassLoader(),
        new Class<?>[] {type},
        (proxy, method, args) -> {
          Class<?> r = method.getReturnType();
          if (r == long.class || r == int.class) {
            return r == long.class ? (Object) 0L : (Object) 0;
          }
          if (r == boolean.class) {
            return false;
          }
          if (r == double.class) {
            return 0.0;
          }
          return method.getName().equals("toString") ? "inert " + type.getSimpleName() : null;
        });
  }

  private static String name(Object first) {
    return first instanceof Metadata m ? m.getName() : String.valueOf(first);
  }

  private static Tag[] tags(Object[] args) {
    return args.length > 1 && args[args.length - 1] instanceof Tag[] t ? t : new Tag[0];
  }

  private static String key(String name, Tag[] tags) {
    return name
        + Arrays.stream(tags)
            .map(t -> t.getTagName() + "=" + t.getTagValue())
            .sorted()
            .collect(Collectors.joining(",", "{", "}"));
  }
}
