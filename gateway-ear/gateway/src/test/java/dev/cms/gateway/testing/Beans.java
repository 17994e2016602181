package dev.cms.gateway.testing;

import jakarta.annotation.PostConstruct;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Wires beans as CDI would, for controls tested without a container: an injection point set by name
 * (package-private ones in other packages included) and the {@code @PostConstruct} method called.
 */
public final class Beans {

  private Beans() {}

  /** Sets {@code target}'s field {@code name} (declared on its class or a superclass). */
  public static <T> T set(T target, String name, Object value) {
    Field f = field(target.getClass(), name);
    f.setAccessible(true);
    try {
      f.set(target, value);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot set " + name + " on " + target.getClass(), e);
    }
    return target;
  }

  /** Calls the {@code @PostConstruct} methods of {@code bean}, superclasses first. */
  public static <T> T postConstruct(T bean) {
    postConstruct(bean, bean.getClass());
    return bean;
  }

  private static void postConstruct(Object bean, Class<?> c) {
    if (c == null || c == Object.class) {
      return;
    }
    postConstruct(bean, c.getSuperclass());
    for (Method m : c.getDeclaredMethods()) {
      if (m.isAnnotationPresent(PostConstruct.class)) {
        m.setAccessible(true);
        try {
          m.invoke(bean);
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("cannot call " + m, e);
        } catch (InvocationTargetException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw new IllegalStateException(m + " failed", e.getCause());
        }
      }
    }
  }

  private static Field field(Class<?> c, String name) {
    for (Class<?> k = c; k != null; k = k.getSuperclass()) {
      try {
        return k.getDeclaredField(name);
      } catch (NoSuchFieldException e) {
        // look further up
      }
    }
    throw new IllegalArgumentException(c.getName() + " has no field " + name);
  }
}
