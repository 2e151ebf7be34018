package maintsync.vrops;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request the simulator received and what it answered.
 *
 * @param method              HTTP method
 * @param path                raw request path, e.g. {@code /suite-api/api/resources/<id>/maintained}
 * @param rawQuery            raw (still percent-encoded) query string, or {@code null} without one
 * @param headers             request headers; names in lower case
 * @param body                request body as UTF-8 text, empty when there was none
 * @param operation           the operation the request was routed to
 * @param status              response status, or {@code 0} when the connection was dropped without a response
 * @param responseContentType response Content-Type, or {@code null} when the response had no body
 * @param responseBody        response body, empty when there was none
 */
public record RecordedRequest(String method, String path, String rawQuery, Map<String, List<String>> headers,
        String body, Operation operation, int status, String responseContentType, String responseBody) {

    public RecordedRequest {
        Map<String, List<String>> lowerCased = new TreeMap<>();
        headers.forEach((name, values) -> lowerCased.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        headers = Map.copyOf(lowerCased);
        body = body == null ? "" : body;
        responseBody = responseBody == null ? "" : responseBody;
    }

    /** The first value of a request header (any case), or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Whether the simulator closed the connection instead of answering. */
    public boolean dropped() {
        return status == 0;
    }

    /** Method, path, operation and status only: headers and bodies carry tokens and passwords. */
    @Override
    public String toString() {
        return method + " " + path + (rawQuery == null ? "" : "?" + rawQuery) + " [" + operation + "] -> "
                + (dropped() ? "dropped" : status);
    }
}
