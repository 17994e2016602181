package dev.cms.client;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.rest.client.RestClientBuilder;

/**
 * The gateway's API for one credential: {@code CmsClient.connect(URI.create("http://host:8080"),
 * "cms_…")}, then {@link #containers()}, {@link #files()}, {@link #processes()}, {@link #users()},
 * {@link #sessions()}. Thread-safe; close it when done (it holds the HTTP clients).
 *
 * <p>Every failure is a {@link CmsApiException}: a refusal carries the problem's status, detail and
 * rule; no answer at all (connection refused, timed out) is status 0. Uploads are streamed in
 * chunks, never buffered whole.
 */
public final class CmsClient implements AutoCloseable {

  /** Connect timeout unless told otherwise. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Read timeout unless told otherwise: longer than the gateway's own bounded waits (a create with
   * {@code wait=ready}, an exec of up to 600 s is longer: give such callers their own).
   */
  public static final Duration READ_TIMEOUT = Duration.ofSeconds(180);

  private final List<Closeable> opened = new ArrayList<>();
  private final URI base;
  private final Supplier<String> credential;
  private final Duration connect;
  private final Duration read;
  private final Map<Class<?>, Object> apis = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private CmsClient(URI base, Supplier<String> credential, Duration connect, Duration read) {
    this.base = base;
    this.credential = credential;
    this.connect = connect;
    this.read = read;
  }

  /**
   * A client of the gateway at {@code base} (its root, e.g. {@code http://127.0.0.1:8080}) acting
   * with {@code token}: an API key ({@code cms_…}) or a session token ({@code cmss_…}).
   */
  public static CmsClient connect(URI base, String token) {
    Objects.requireNonNull(token, "token");
    return connect(base, () -> token);
  }

  /** As {@link #connect(URI, String)}, asking {@code credential} for the token at every call. */
  public static CmsClient connect(URI base, Supplier<String> credential) {
    return connect(base, credential, CONNECT_TIMEOUT, READ_TIMEOUT);
  }

  /** As {@link #connect(URI, Supplier)} with these timeouts. */
  public static CmsClient connect(
      URI base, Supplier<String> credential, Duration connectTimeout, Duration readTimeout) {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(credential, "credential");
    String b = base.toString();
    if (!b.startsWith("http://") && !b.startsWith("https://")) {
      throw new IllegalArgumentException("the gateway's base must be an http(s) URI, was " + b);
    }
    return new CmsClient(
        URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b),
        credential,
        connectTimeout,
        readTimeout);
  }

  /** The base URI this client calls. */
  public URI base() {
    return base;
  }

  public ContainersApi containers() {
    return api(ContainersApi.class);
  }

  public FilesApi files() {
    return api(FilesApi.class);
  }

  public ProcessesApi processes() {
    return api(ProcessesApi.class);
  }

  public UsersApi users() {
    return api(UsersApi.class);
  }

  public SessionsApi sessions() {
    return api(SessionsApi.class);
  }

  public TemplatesApi templates() {
    return api(TemplatesApi.class);
  }

  public SnapshotsApi snapshots() {
    return api(SnapshotsApi.class);
  }

  /** One area's interface, built at its first use (each holds an HTTP client of its own). */
  private <T extends Closeable> T api(Class<T> api) {
    if (closed) {
      throw new IllegalStateException("this CmsClient is closed");
    }
    return api.cast(apis.computeIfAbsent(api, a -> build(api)));
  }

  // ---- the common calls in one line

  /** Creates a container and answers once its agent is connected (its terminal can be used). */
  public ContainerView createReady(CreateContainer request) {
    return containers().create(request == null ? CreateContainer.defaults() : request, "ready");
  }

  /** Writes {@code text} (UTF-8) to {@code path} in container {@code id}. */
  public FileWritten writeString(String id, String path, String text) {
    return files()
        .write(id, path, null, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Reads the file at {@code path} as UTF-8, at most {@code maxBytes} of it: a larger file is
   * refused (status 0, nothing of it kept), stream it with {@link FilesApi#read} instead.
   */
  public String readString(String id, String path, int maxBytes) {
    try (InputStream in = files().read(id, path)) {
      byte[] b = in.readNBytes(maxBytes);
      if (in.read() != -1) {
        throw CmsApiException.of(0, path + " is larger than " + maxBytes + " bytes", null);
      }
      return new String(b, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw CmsApiException.of(0, "reading " + path + " failed: " + rootMessage(e), e);
    }
  }

  /** The directory's entries, one level, the gateway's default limit. */
  public Listing list(String id, String path) {
    return files().list(id, path, "", null, null);
  }

  /** One path's entry. */
  public FileEntry stat(String id, String path) {
    return files().stat(id, path, "");
  }

  /** Runs {@code command} by the shell in container {@code id} and answers its end. */
  public ExecResult exec(String id, String command) {
    return processes().exec(id, ExecCommand.of(command));
  }

  @Override
  public void close() {
    closed = true;
    synchronized (opened) {
      for (Closeable c : opened) {
        try {
          c.close();
        } catch (IOException | RuntimeException e) {
          // closing an HTTP client fails only when it is closed already
        }
      }
      opened.clear();
    }
  }

  private <T extends Closeable> T build(Class<T> api) {
    T client =
        RestClientBuilder.newBuilder()
            .baseUri(base)
            .connectTimeout(connect.toMillis(), TimeUnit.MILLISECONDS)
            .readTimeout(read.toMillis(), TimeUnit.MILLISECONDS)
            // refusals are ours to map, with their problem's fields
            .property("microprofile.rest.client.disable.default.mapper", true)
            // stream uploads instead of buffering them whole to count their length
            .property("jersey.config.client.request.entityProcessing", "CHUNKED")
            .register(new BearerCredential(credential))
            .register(ProblemMapper.class)
            .build(api);
    synchronized (opened) {
      opened.add(client);
    }
    return api.cast(
        Proxy.newProxyInstance(
            api.getClassLoader(), new Class<?>[] {api}, unreachableAsProblem(client)));
  }

  /**
   * Calls through to the Rest Client, turning its transport failures (no answer, a filter's
   * refusal) into {@link CmsApiException}, so a caller handles one exception type.
   */
  private static InvocationHandler unreachableAsProblem(Object client) {
    return (proxy, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          default -> "CmsClient." + client.getClass().getInterfaces()[0].getSimpleName();
        };
      }
      try {
        return method.invoke(client, args);
      } catch (InvocationTargetException e) {
        throw translate(e.getCause());
      }
    };
  }

  static RuntimeException translate(Throwable t) {
    if (t instanceof CmsApiException c) {
      return c;
    }
    if (t instanceof Error e) {
      throw e; // a broken class path is no answer of the gateway
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CmsApiException api) {
        return api; // refused in a filter (no credential)
      }
    }
    if (t instanceof WebApplicationException w) {
      return CmsApiException.of(w.getResponse().getStatus(), rootMessage(w), w);
    }
    if (t instanceof ProcessingException p) {
      return CmsApiException.of(0, "the gateway cannot be reached: " + rootMessage(p), p);
    }
    if (t instanceof RuntimeException r) {
      return r;
    }
    return CmsApiException.of(0, rootMessage(t), t);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
