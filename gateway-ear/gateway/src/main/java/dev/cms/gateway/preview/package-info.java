/**
 * App previews: HTTP and WebSocket requests for a port inside a container, relayed over the agent's
 * {@code tcp} stream (a raw byte pipe to {@code 127.0.0.1:port} in the container).
 *
 * <h2>Addresses</h2>
 *
 * <ul>
 *   <li><b>Host form</b> (preferred): {@code Host: {port}-{id}-{secret}.{CMS_PREVIEW_DOMAIN}[:any
 *       port]}, e.g. {@code http://3000-c-abcdefghjk23-0123456789abcdef.localhost:8080/}. Every
 *       path goes to the app unchanged. Each preview is its own origin, apart from the gateway's.
 *   <li><b>Path form</b>: {@code /preview/{id}-{secret}/{port}/…} on any host; the app sees {@code
 *       /…} (the prefix is removed, query kept). {@code /preview/{id}-{secret}/{port}} without the
 *       slash is redirected (308) to add it, so relative links resolve. An absolute {@code
 *       Location: /x} from the app becomes {@code /preview/{id}-{secret}/{port}/x}; nothing else is
 *       rewritten (links in pages, cookie paths), so apps that use absolute paths work only in the
 *       host form. The path form shares the gateway's origin: the app's scripts run on it and the
 *       browser sends it the gateway's cookies. Use it for trusted apps or where no wildcard DNS is
 *       available.
 * </ul>
 *
 * <p>{@code id} is the container record id ({@code c-} and 12 characters); {@code secret} is the
 * first 16 hex digits of {@code HMAC-SHA256(key, id)}, with one random 32-byte key kept in {@code
 * <CMS_DATA_DIR>/preview-key} (created on first use, owner-only): unguessable from the id, stable
 * across restarts, nothing stored per container. {@link
 * dev.cms.gateway.preview.control.PreviewUrls} hands out both forms. A request under the preview
 * domain whose first label starts with digits and a dash, and any path under {@code /preview/}, is
 * always a preview request: when malformed, with a wrong secret, for an unknown container, or for
 * one that is not RUNNING, it gets the same plain {@code 404 Not Found} (container states are
 * cached for 2 s). Other requests go on to the gateway.
 *
 * <h2>HTTP</h2>
 *
 * <p>The pipe goes to {@code 127.0.0.1:port}; when nothing listens there the gateway tries {@code
 * [::1]:port} once (servers bound to {@code localhost} on Node 17+ may listen on IPv6 only).
 *
 * <p>One request per pipe. The gateway writes the request line (method and raw target as received)
 * and the headers without hop-by-hop fields ({@code Connection}, {@code Keep-Alive}, {@code TE},
 * {@code Trailer}, {@code Transfer-Encoding}, {@code Upgrade}, {@code Proxy-*}, and those named in
 * {@code Connection}) and without {@code Expect}, adding {@code Connection: close}, {@code
 * X-Forwarded-For} (appended), {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} (replaced).
 * {@code Host} is the client's, or {@code localhost:{port}} with {@code
 * CMS_PREVIEW_REWRITE_HOST=true}. A body with {@code Content-Length} is passed on as it is, one of
 * unknown length is sent chunked; the body is streamed on its own thread, so the app may answer
 * before it has read it all. The gateway does not half-close its side after the request (servers
 * such as Go's treat that as the client leaving); the pipe is closed once the response is through.
 *
 * <p>The response head is parsed (interim {@code 1xx} skipped, {@code 101} aside), hop-by-hop
 * fields dropped, every other field kept (several {@code Set-Cookie} too); the body is de-chunked,
 * cut at {@code Content-Length} or read to the end of the connection, and streamed to the client
 * (the container sets {@code Content-Length} when the app gave one, else chunks), flushed whenever
 * the app has nothing more ready. The relay runs on a {@code ManagedThreadFactory} thread after
 * {@code startAsync()} (on the request thread when the target servlet is not async-capable), never
 * on the default executor. The app's bytes are credited back to the agent only as they are written
 * to the client, so a slow client holds at most one stream window (64 KiB) in the gateway. A
 * response head must arrive within 5 minutes. An app that fails before its head: {@code 502}
 * problem; one that fails in the middle of a body: the client response is cut short (with {@code
 * Content-Length} the client notices; with chunking it cannot be signalled through the servlet
 * API).
 *
 * <h2>WebSocket</h2>
 *
 * <p>A {@code GET} with {@code Upgrade: websocket} and {@code Connection: upgrade} is sent to the
 * app as it is (with {@code Connection: Upgrade}, {@code Upgrade} and every {@code Sec-WebSocket-*}
 * field); on the app's {@code 101} the client gets {@code 101} with the app's {@code Upgrade},
 * {@code Sec-WebSocket-Accept}, protocol and extensions, the request is upgraded ({@link
 * dev.cms.gateway.preview.boundary.WebSocketTunnel}) and raw bytes are relayed both ways on two
 * threads; when either side ends both are closed. Any other answer is passed on as a normal
 * response.
 *
 * <h2>Errors</h2>
 *
 * <ul>
 *   <li>Nothing listening on the port (the agent refuses with {@code not-listening: …}): {@code
 *       503} with {@code Retry-After: 1}; a client accepting {@code text/html} gets a small page
 *       "Waiting for the app on port N…" that reloads itself every second ({@code <meta
 *       http-equiv="refresh" content="1">}), others {@code application/problem+json} "nothing is
 *       listening on port N in container …".
 *   <li>Agent not connected: {@code 503} the same way ("the container's agent is not connected").
 *   <li>Other refusals by the agent: {@code 502}; no answer to the open within 10 s: {@code 504}.
 * </ul>
 *
 * <p>Every admitted preview request counts as container activity, recorded at most once per 5 s per
 * container.
 *
 * <h2>Known limitation</h2>
 *
 * <p>Payara picks the web application by path before any filter runs: on a preview host, a path
 * under another application's context root (such as {@code /console/…}) reaches that application,
 * not the app. The fix is a dedicated HTTP listener and virtual server for previews that only the
 * gateway serves ({@code create-http-listener}, {@code create-virtual-server}); not done yet.
 */
package dev.cms.gateway.preview;
