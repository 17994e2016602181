/**
 * The open parameters of the non-file stream kinds ({@code tcp}, {@code ports}, {@code processes},
 * {@code env}) as records with their codec: {@link dev.cms.domain.kinds.KindParams}.
 */
package dev.cms.domain.kinds;
