import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Sends a vCenter maintenance mode event to a running integration the way a Knative Broker delivers it: one HTTP POST
 * in CloudEvents binary mode, the attributes in ce-* headers and the vCenter event as the JSON body (or, with
 * {@code --mode structured}, the whole event as one JSON document).
 * <p>
 * Run with {@code java jbang/SendEvent.java --help}; JDK only, so it needs no build.
 */
public class SendEvent {

    private static final String USAGE = """
            Usage: send-event --url URL --type enter|exit (--host NAME --moref host-N | --file EVENT.json)
                              [--format new|legacy] [--mode binary|structured] [--source URL] [--id ID]

            Sends a vCenter EnteredMaintenanceModeEvent or ExitMaintenanceModeEvent to the integration at URL
            (e.g. http://127.0.0.1:8080) as a Knative Broker would, and prints the HTTP status and body.

              --url URL         the integration's HTTP server, without a path
              --type enter|exit the host entered or exited maintenance mode
              --host NAME       ESXi host name, as vCenter shows it (e.g. esx01.lab.local), and
              --moref host-N    its managed object id: the event is generated with these
              --file EVENT.json or a vCenter event (the CloudEvent data) to send as it is; the integration
                                ignores an event whose Key is not above the last one it applied to that host
              --format new      Tanzu Sources for Knative, VEBA 0.8 and later (default):
                                type com.vmware.vsphere.<Event>.v0, id = the event's Key
                       legacy   VMware Event Router, VEBA up to 0.7:
                                type com.vmware.event.router/event, subject <Event>, random id
              --mode binary     the attributes in ce-* headers, the event as the body, as Brokers deliver
                                (default)
                     structured the whole CloudEvent as one JSON document (application/cloudevents+json),
                                the vCenter event as its data; the integration refuses it (415), the echo
                                shows it
              --source URL      the vCenter (default https://vcsa01.lab.local/sdk)
              --id ID           the CloudEvent id instead of the default above

            Exit code: 0 when the integration answered 2xx, 1 otherwise, 2 for wrong arguments.
            """;

    private static final Set<String> OPTIONS = Set.of("url", "type", "host", "moref", "file", "format", "mode", "source", "id");

    /** vCenter API version sent as the vsphereapiversion extension, as Tanzu Sources and the Event Router do. */
    private static final String VSPHERE_API_VERSION = "8.0.2.0";

    public static void main(String... args) {
        try {
            System.exit(send(options(args)));
        } catch (IllegalArgumentException e) {
            System.err.println("send-event: " + e.getMessage());
            System.err.println("Try --help.");
            System.exit(2);
        }
    }

    private static int send(Map<String, String> options) {
        boolean enter = switch (required(options, "type")) {
            case "enter" -> true;
            case "exit" -> false;
            default -> throw new IllegalArgumentException("--type must be enter or exit");
        };
        boolean legacy = switch (options.getOrDefault("format", "new")) {
            case "new" -> false;
            case "legacy" -> true;
            default -> throw new IllegalArgumentException("--format must be new or legacy");
        };
        boolean structured = switch (options.getOrDefault("mode", "binary")) {
            case "binary" -> false;
            case "structured" -> true;
            default -> throw new IllegalArgumentException("--mode must be binary or structured");
        };
        String base = required(options, "url").replaceAll("/+$", "");
        if (!base.matches("https?://[^/?#]+")) {
            throw new IllegalArgumentException("--url must be like http://127.0.0.1:8080, not " + base);
        }
        String data = options.containsKey("file") ? readEvent(options) : generateEvent(options, enter);

        String eventClass = enter ? "EnteredMaintenanceModeEvent" : "ExitMaintenanceModeEvent";
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ce-specversion", "1.0");
        headers.put("ce-source", options.getOrDefault("source", "https://vcsa01.lab.local/sdk"));
        String id = options.get("id");
        String path;
        if (legacy) {
            headers.put("ce-type", "com.vmware.event.router/event");
            headers.put("ce-subject", eventClass);
            headers.put("ce-id", id != null ? id : UUID.randomUUID().toString());
            path = "/";
        } else {
            String type = "com.vmware.vsphere." + eventClass + ".v0";
            headers.put("ce-type", type);
            headers.put("ce-eventclass", "event");
            headers.put("ce-id", id != null ? id : topLevelValue(data, "Key"));
            // Camel K subscribes each typed event at /events/<type>; jbang/knative.json does the same.
            path = "/events/" + type;
        }
        if (headers.get("ce-id") == null) {
            throw new IllegalArgumentException("the event has no top-level Key to use as the id; give --id");
        }
        String time = topLevelValue(data, "CreatedTime");
        if (time != null) {
            headers.put("ce-time", time);
        }
        headers.put("ce-vsphereapiversion", VSPHERE_API_VERSION);
        headers.put("Content-Type", "application/json");
        if (structured) {
            return post(URI.create(base + path), Map.of("Content-Type", "application/cloudevents+json; charset=utf-8"),
                    structuredEvent(headers, data));
        }
        return post(URI.create(base + path), headers, data);
    }

    /**
     * The event in CloudEvents structured mode: each ce-* header an attribute, the Content-Type the datacontenttype,
     * the vCenter event (JSON) the data, as it is.
     */
    private static String structuredEvent(Map<String, String> headers, String data) {
        StringBuilder event = new StringBuilder("{");
        headers.forEach((name, value) -> {
            String attribute = name.equals("Content-Type") ? "datacontenttype" : name.substring("ce-".length());
            event.append(json(attribute)).append(": ").append(json(value)).append(", ");
        });
        return event.append("\"data\": ").append(data.strip()).append('}').toString();
    }

    /** Prints the answer's status and body; 0 for a 2xx answer, else 1. */
    private static int post(URI target, Map<String, String> headers, String data) {
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(data));
        headers.forEach(request::header);
        // HTTP/1.1, as a Broker delivers; a Broker also waits, so the timeout is generous.
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            System.err.println("send-event: no answer from " + target + ": " + reason);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        System.out.println("HTTP " + response.statusCode());
        if (!response.body().isBlank()) {
            System.out.println(response.body().strip());
        }
        return response.statusCode() / 100 == 2 ? 0 : 1;
    }

    private static String readEvent(Map<String, String> options) {
        if (options.containsKey("host") || options.containsKey("moref")) {
            throw new IllegalArgumentException("give either --file or --host and --moref, not both");
        }
        Path file = Path.of(options.get("file"));
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --file " + file + ": " + e.getMessage());
        }
    }

    /** A vCenter event with the fields and nesting of what govmomi sends for a host's maintenance mode. */
    private static String generateEvent(Map<String, String> options, boolean enter) {
        String host = required(options, "host");
        String moref = required(options, "moref");
        // vCenter numbers its events in order, and the integration ignores an event for a host that is not newer
        // than the last one it applied: the time keeps the events sent one after another in order.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long key = now.toEpochMilli();
        String message = "Host " + host + " in Lab-DC has " + (enter ? "entered" : "exited") + " maintenance mode";
        return """
                {
                  "Key": %d,
                  "ChainId": %d,
                  "CreatedTime": "%s",
                  "UserName": "VSPHERE.LOCAL\\\\Administrator",
                  "Datacenter": {"Name": "Lab-DC", "Datacenter": {"Type": "Datacenter", "Value": "datacenter-3"}},
                  "ComputeResource": {"Name": "Lab-Cluster", "ComputeResource": {"Type": "ClusterComputeResource", "Value": "domain-c8"}},
                  "Host": {"Name": %s, "Host": {"Type": "HostSystem", "Value": %s}},
                  "Vm": null,
                  "Ds": null,
                  "Net": null,
                  "Dvs": null,
                  "FullFormattedMessage": %s,
                  "ChangeTag": ""
                }
                """.formatted(key, key, now, json(host), json(moref), json(message));
    }

    private static String json(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    /**
     * The value of a top-level member of a JSON object, a number or a string without escapes (Key and CreatedTime
     * are), or null. Nested members are skipped: an EventEx carries further "Key"s in its Arguments.
     */
    private static String topLevelValue(String json, String name) {
        int depth = 0;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"') {
                int end = endOfString(json, i);
                String member = json.substring(i + 1, end);
                i = end;
                int colon = skipSpace(json, end + 1);
                if (depth == 1 && member.equals(name) && colon < json.length() && json.charAt(colon) == ':') {
                    int start = skipSpace(json, colon + 1);
                    if (start < json.length() && json.charAt(start) == '"') {
                        return json.substring(start + 1, endOfString(json, start));
                    }
                    int stop = start;
                    while (stop < json.length() && ",}] \t\r\n".indexOf(json.charAt(stop)) < 0) {
                        stop++;
                    }
                    String value = json.substring(start, stop);
                    return value.equals("null") ? null : value;
                }
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return null;
    }

    private static int endOfString(String json, int openingQuote) {
        int i = openingQuote + 1;
        while (i < json.length() && json.charAt(i) != '"') {
            i += json.charAt(i) == '\\' ? 2 : 1;
        }
        return i;
    }

    private static int skipSpace(String json, int from) {
        int i = from;
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        return i;
    }

    private static Map<String, String> options(String... args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.print(USAGE);
                System.exit(0);
            }
            String name = arg.startsWith("--") ? arg.substring(2) : "";
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option " + arg);
            }
            options.put(name, value);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
