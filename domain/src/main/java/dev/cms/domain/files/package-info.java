/**
 * The messages of the agent's file-operation and watch streams ({@code file-list}, {@code
 * file-stat}, {@code file-delete}, {@code file-move}, {@code file-mkdir}, {@code file-watch}):
 * {@link dev.cms.domain.files.FsWire}.
 */
package dev.cms.domain.files;
