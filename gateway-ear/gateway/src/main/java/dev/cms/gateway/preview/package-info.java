/**
 * App previews: HTTP and WebSocket traffic for a port inside a container, served by the gateway's
 * own preview listener ({@link dev.cms.gateway.preview.control.PreviewListener}, {@code
 * CMS_PREVIEW_PORT}) and carried by the agent's dial-back data connections ({@link
 * dev.cms.gateway.agents.control.DataConnections}). Owns the preview addresses and secrets ({@code
 * PreviewUrls}, {@code PreviewKeys}), admission ({@code PreviewProxy}) and the relay ({@code
 * PreviewConnection}, {@code HttpHeads}, {@code Wire}); calls the containers (status, activity),
 * processes (an exited app's page) and agents (data connections) components.
 *
 * <h2>Addresses</h2>
 *
 * <ul>
 *   <li><b>Host form</b> (preferred): {@code Host: {port}-{id}-{secret}.{CMS_PREVIEW_DOMAIN}[:any
 *       port]}, e.g. {@code http://3000-c-abcdefghjk23-0123456789abcdef.localhost:8082/}. Every
 *       path goes to the app unchanged. Each preview is its own origin.
 *   <li><b>Path form</b>: {@code /preview/{id}-{secret}/{port}/…} on any host of the preview
 *       listener; the app sees {@code /…} (the prefix removed, query kept). {@code
 *       /preview/{id}-{secret}/{port}} without the slash is redirected (308). An absolute {@code
 *       Location: /x} from the app becomes {@code /preview/{id}-{secret}/{port}/x}; nothing else is
 *       rewritten, so apps that use absolute paths work only in the host form. All path-form
 *       previews share the preview listener's origin, never the console's or the API's.
 * </ul>
 *
 * <p>{@code secret} is the first 16 hex digits of {@code HMAC-SHA256(key, id + "/" + port)} with
 * one random key in {@code <CMS_DATA_DIR>/preview-key}: one port's URL opens no other port. A
 * request that is not an admitted preview (malformed, a wrong secret, an unknown or not RUNNING
 * container, or simply not a preview, such as {@code /console/} or {@code /api/v1/…}) gets the same
 * plain {@code 404 Not Found} (container states are cached for 2 s).
 *
 * <h2>Relay</h2>
 *
 * <p>One data connection per browser connection, kept alive across its requests (the agent connects
 * it to {@code 127.0.0.1:port}, then {@code [::1]:port}). Request heads are parsed with httpcore5
 * and rewritten ({@link dev.cms.gateway.preview.control.RequestHead}: hop-by-hop fields dropped,
 * {@code X-Forwarded-For} appended, {@code X-Forwarded-Proto}/{@code -Host} set, {@code Host:
 * localhost:{port}} with {@code CMS_PREVIEW_REWRITE_HOST=true}); bodies and responses are passed on
 * as they are (framing followed, the path form's {@code Location} rewritten). A request with {@code
 * Upgrade} and {@code Connection: upgrade} (WebSocket, HMR) is passed on, and from then on bytes
 * flow raw both ways.
 *
 * <h2>Errors</h2>
 *
 * <ul>
 *   <li>Nothing listening on the port: {@code 503} with {@code Retry-After: 1}; a client accepting
 *       {@code text/html} gets "Waiting for the app on port N…" that reloads itself every second
 *       (or, when the process started for the port exited, a page with its exit code), others
 *       {@code application/problem+json}.
 *   <li>Agent not connected: {@code 503} the same way; no data connection or agent answer within 10
 *       s: {@code 504}; other refusals by the agent: {@code 502}; the app closing without an
 *       answer: {@code 502}.
 * </ul>
 *
 * <p>Every admitted preview request counts as container activity, recorded at most once per 5 s per
 * container.
 */
package dev.cms.gateway.preview;
