/**
 * The ClientApp: one PrimeFaces page (messages, terminal, preview) that drives the gateway only
 * through its public REST API (the typed {@link dev.cms.client.CmsClient}, see {@link
 * dev.cms.console.Gateway}), as the signed-in user, and hands the browser nothing but per-container
 * WebSocket tokens of that user's containers; the terminal and the preview run in the browser
 * ({@code resources/js/console.js}). Sign-in is Jakarta Security's form mechanism ({@link
 * dev.cms.console.ConsoleSecurity}) over an identity store that asks the gateway ({@link
 * dev.cms.console.GatewayIdentityStore}); the user's gateway session token stays in the server-side
 * {@link dev.cms.console.UserSession}. Live updates: {@link dev.cms.console.LiveEvents} reads the
 * gateway's event stream per user and pushes to the user's pages over an OmniFaces socket.
 */
package dev.cms.console;
