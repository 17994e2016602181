package dev.cms.client;

/**
 * A command run in the background ({@link ProcessesApi#execInBackground}).
 *
 * @param execId its id, to wait for, stream ({@code GET …/exec/{execId}/stream}, SSE) or kill
 * @param container the container it runs in
 * @param status {@code RUNNING}, {@code EXITED}, {@code KILLED} or {@code FAILED}
 * @param result how it ended, once it did
 * @param error why it FAILED, else null
 */
public record ExecJob(
    String execId, String container, String status, ExecResult result, String error) {}
