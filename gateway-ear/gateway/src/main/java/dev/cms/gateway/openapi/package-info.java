/**
 * The OpenAPI document's finishing: {@code JsonExamples}, the {@code mp.openapi.filter} that makes
 * the annotations' JSON examples (strings, all an annotation can hold) the objects they stand for.
 */
package dev.cms.gateway.openapi;
