package dev.cms.gateway.testing;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.enterprise.util.TypeLiteral;
import java.lang.annotation.Annotation;
import java.util.Iterator;
import java.util.List;

/**
 * {@link CDI#current()} outside a container, for code that looks a bean up rather than having it
 * injected (e.g. a Bean Validation constraint validator): {@code select(type).get()} answers the
 * first of the given beans of that type. Nothing else of CDI is there.
 */
public final class TestCdi {

  private TestCdi() {}

  /** From now on {@link CDI#current()} serves these beans (one JVM-wide provider, replaced). */
  public static void serve(Object... beans) {
    List<Object> all = List.of(beans);
    Lookup<Object> root = new Lookup<>(all, Object.class);
    CDI.setCDIProvider(() -> root);
  }

  private static final class Lookup<T> extends CDI<T> {
    private final List<Object> beans;
    private final Class<T> type;

    Lookup(List<Object> beans, Class<T> type) {
      this.beans = beans;
      this.type = type;
    }

    private List<T> matching() {
      return beans.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public BeanManager getBeanManager() {
      throw new UnsupportedOperationException("no BeanManager outside a container");
    }

    @Override
    public Instance<T> select(Annotation... qualifiers) {
      return this;
    }

    @Override
    public <U extends T> Instance<U> select(Class<U> subtype, Annotation... qualifiers) {
      return new Lookup<>(beans, subtype);
    }

    @Override
    public <U extends T> Instance<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
      throw new UnsupportedOperationException("select by TypeLiteral");
    }

    @Override
    public boolean isUnsatisfied() {
      return matching().isEmpty();
    }

    @Override
    public boolean isAmbiguous() {
      return matching().size() > 1;
    }

    @Override
    public void destroy(T instance) {}

    @Override
    public Handle<T> getHandle() {
      throw new UnsupportedOperationException("handles");
    }

    @Override
    public Iterable<? extends Handle<T>> handles() {
      throw new UnsupportedOperationException("handles");
    }

    @Override
    public T get() {
      List<T> m = matching();
      if (m.isEmpty()) {
        throw new IllegalStateException("no test bean of " + type.getName());
      }
      return m.get(0);
    }

    @Override
    public Iterator<T> iterator() {
      return matching().iterator();
    }
  }
}
