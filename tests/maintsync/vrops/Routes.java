package maintsync.vrops;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Maps a request path and method to the suite-api operation it calls. */
final class Routes {

    static final String SUITE_API = "/suite-api";
    private static final String API = SUITE_API + "/api/";

    /**
     * @param operation the operation; {@link Operation#UNKNOWN} for an unknown path or method
     * @param pathKnown whether the path names a suite-api resource, which tells 405 from 404
     * @param allowed   the methods the path supports
     * @param variables the path template variables, decoded
     */
    record Match(Operation operation, boolean pathKnown, Set<String> allowed, Map<String, String> variables) {
    }

    private record Template(String[] segments, Map<String, Operation> operations) {
        Template(String path, Map<String, Operation> operations) {
            this(path.split("/"), operations);
        }
    }

    /** Literal paths come before the templates they would otherwise match, as in JAX-RS. */
    private static final List<Template> TEMPLATES = List.of(
            new Template("auth/token/acquire", Map.of("POST", Operation.ACQUIRE_TOKEN)),
            new Template("auth/token/release", Map.of("POST", Operation.RELEASE_TOKEN)),
            new Template("auth/currentuser", Map.of("GET", Operation.CURRENT_USER)),
            new Template("resources", Map.of("GET", Operation.GET_RESOURCES)),
            new Template("resources/maintained", Map.of(
                    "PUT", Operation.BULK_MARK_MAINTAINED, "DELETE", Operation.BULK_UNMARK_MAINTAINED)),
            new Template("resources/{id}", Map.of("GET", Operation.GET_RESOURCE)),
            new Template("resources/{id}/maintained", Map.of(
                    "PUT", Operation.MARK_MAINTAINED, "DELETE", Operation.UNMARK_MAINTAINED)),
            new Template("adapterkinds/{adapterKindKey}/resourcekinds/{resourceKindKey}/resources",
                    Map.of("GET", Operation.LOOKUP_BY_KIND)),
            new Template("deployment/node/status", Map.of("GET", Operation.NODE_STATUS)));

    private static final Match UNKNOWN_PATH = new Match(Operation.UNKNOWN, false, Set.of(), Map.of());

    private Routes() {
    }

    static Match match(String method, String rawPath) {
        if (!rawPath.startsWith(API)) {
            return UNKNOWN_PATH;
        }
        String[] segments = rawPath.substring(API.length()).split("/", -1);
        for (Template template : TEMPLATES) {
            Map<String, String> variables = bind(template.segments(), segments);
            if (variables != null) {
                Operation operation = template.operations().getOrDefault(method, Operation.UNKNOWN);
                return new Match(operation, true, new TreeSet<>(template.operations().keySet()), variables);
            }
        }
        return UNKNOWN_PATH;
    }

    private static Map<String, String> bind(String[] template, String[] segments) {
        if (template.length != segments.length) {
            return null;
        }
        Map<String, String> variables = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            if (template[i].startsWith("{")) {
                if (segments[i].isEmpty()) {
                    return null;
                }
                variables.put(template[i].substring(1, template[i].length() - 1), decode(segments[i]));
            } else if (!template[i].equals(segments[i])) {
                return null;
            }
        }
        return variables;
    }

    /** A path segment keeps '+' literal, unlike a form-encoded query; a malformed escape stays as sent. */
    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }
}
