/**
 * Where the gateway's records are kept: the database, its migrations ({@code db/migration}) and the
 * JPA converters the entities share. Used by the stores of the components that own records.
 */
package dev.cms.gateway.persistence;
