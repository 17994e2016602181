package dev.cms.gateway.testing;

import jakarta.enterprise.concurrent.ManagedExecutorService;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.ExecutorService;

/** Jakarta Concurrency's managed executor outside a server, for controls tested without one. */
public final class ManagedExecutors {

  private ManagedExecutors() {}

  /**
   * A {@link ManagedExecutorService} whose {@link ExecutorService} methods run on {@code pool}; the
   * managed-only methods (contexts, copies) are not there.
   */
  public static ManagedExecutorService managed(ExecutorService pool) {
    return (ManagedExecutorService)
        Proxy.newProxyInstance(
            ManagedExecutors.class.getClassLoader(),
            new Class<?>[] {ManagedExecutorService.class},
            (proxy, method, args) -> {
              if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                  case "equals" -> proxy == args[0];
                  case "hashCode" -> System.identityHashCode(proxy);
                  default -> "managed(" + pool + ")";
                };
              }
              try {
                return ExecutorService.class
                    .getMethod(method.getName(), method.getParameterTypes())
                    .invoke(pool, args);
              } catch (NoSuchMethodException managedOnly) {
                throw new UnsupportedOperationException(method.getName() + " outside a server");
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
