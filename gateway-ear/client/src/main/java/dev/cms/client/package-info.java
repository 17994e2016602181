/**
 * The gateway's REST API ({@code /api/v1}) as a typed MicroProfile Rest Client: one interface per
 * area ({@link dev.cms.client.ContainersApi}, {@link dev.cms.client.FilesApi}, {@link
 * dev.cms.client.ProcessesApi}, {@link dev.cms.client.UsersApi}, {@link
 * dev.cms.client.SessionsApi}) and records that mirror the API's JSON field for field. {@link
 * dev.cms.client.CmsClient#connect} builds them with a bearer credential; refusals arrive as {@link
 * dev.cms.client.CmsApiException} with the problem's status, title, detail and rule.
 *
 * <p>Depends on nothing of the gateway: it is the contract as a caller sees it. Works inside a
 * Jakarta EE server that provides MicroProfile Rest Client (Payara) and in plain Java SE with an
 * implementation on the class path (Jersey's {@code jersey-mp-rest-client} with a JSON-B provider
 * and a MicroProfile Config implementation).
 */
package dev.cms.client;
