package maintsync.vrops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/**
 * What the simulator answers before it is rendered as JSON or XML.
 *
 * @param body     the payload, or {@code null} for an empty body
 * @param rootName the XML root element name (the OpenAPI schema name) of the payload
 * @param headers  extra response headers
 */
record Reply(int status, JsonNode body, String rootName, Map<String, String> headers) {

    static final String INVALID_TOKEN = "The provided token for auth scheme \"%s\" is either invalid or has expired.";
    static final int INVALID_TOKEN_CODE = 1512;
    static final String TOKEN_SCHEME = "vRealizeOpsToken";

    static Reply ok(String rootName, JsonNode body) {
        return new Reply(200, body, rootName, Map.of());
    }

    static Reply empty() {
        return new Reply(200, null, null, Map.of());
    }

    static Reply error(int status, String message) {
        return error(status, message, status);
    }

    /** The vendor's {@code error} body, as observed on live appliances. */
    static Reply error(int status, String message, int apiErrorCode) {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("message", message)
                .put("httpStatusCode", status)
                .put("apiErrorCode", apiErrorCode);
        return new Reply(status, body, "error", Map.of());
    }

    static Reply invalidToken(String scheme) {
        return error(401, String.format(INVALID_TOKEN, scheme), INVALID_TOKEN_CODE);
    }

    /** The body the status table of the vROps API reference gives for a status, for injected failures. */
    static Reply standard(int status) {
        return switch (status) {
            case 401 -> invalidToken(TOKEN_SCHEME);
            case 403 -> forbidden();
            case 404 -> error(404, "The requested resource could not be found.");
            case 405 -> error(405, "Unsupported method for URL.");
            case 415 -> error(415, "Invalid content type.");
            case 429 -> error(429, "Rate Limit Exceeded.");
            case 500 -> error(500, "Internal Server error.");
            case 502 -> error(502, "Bad Gateway.");
            case 503 -> error(503, "Service Unavailable.");
            case 504 -> error(504, "Gateway Timeout.");
            default -> error(status, "Request failed with status " + status + ".");
        };
    }

    static Reply forbidden() {
        return error(403, "This operation is not allowed for your account type or the user does not have"
                + " the role capability to perform this action.");
    }

    Reply withHeader(String name, String value) {
        Map<String, String> merged = new HashMap<>(headers);
        merged.put(name, value);
        return new Reply(status, body, rootName, Map.copyOf(merged));
    }
}
