package io.lambdarun.core.pool;

import java.net.http.HttpHeaders;

/**
 * An instance's answer to one event.
 *
 * @param statusCode the HTTP status
 * @param headers the response headers, looked up case-insensitively
 * @param body the body; empty when {@code oversized}
 * @param oversized whether the body exceeded {@link FunctionInvoker#MAX_PAYLOAD_BYTES} and was not
 *     read
 */
record InstanceResponse(int statusCode, HttpHeaders headers, byte[] body, boolean oversized) {}
