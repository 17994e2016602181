/**
 * The ClientApp: one PrimeFaces page (messages, terminal, preview) that drives the gateway only
 * through its public REST API ({@link dev.cms.console.GatewayClient}) and hands the browser nothing
 * but per-container WebSocket tokens; the terminal and the preview run in the browser ({@code
 * resources/js/console.js}).
 */
package dev.cms.console;
