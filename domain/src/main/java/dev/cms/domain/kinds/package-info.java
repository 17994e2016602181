/**
 * The open parameters of the stream kinds other than the file kinds ({@code terminal}, {@code
 * exec}, {@code tcp}, {@code ports}, {@code processes}, {@code env}) as records with their codec:
 * {@link dev.cms.domain.kinds.KindParams}.
 */
package dev.cms.domain.kinds;
