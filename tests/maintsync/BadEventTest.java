package maintsync;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import maintsync.vrops.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus, one table: each input, the status the Broker gets, the one-line reason and the effect. The
 * same rows are the table "Bad input" of docs/behaviour.md, which a test here compares. Permanent failures are never
 * answered 404 or 409 (Brokers retry those); nothing here reaches vROps except the host named with blanks around it,
 * which is the host; and the service keeps serving after the whole corpus.
 */
class BadEventTest {

    @RegisterExtension
    static final IntegrationUnderTest stack = IntegrationUnderTest.sharedByTheClass(Map.of("events.body-timeout-ms", "2000"));

    private static final Path DOCS = Path.of("docs/behaviour.md");
    private static final String HOST = "esx01.lab.local";

    /** What an input does in vROps. */
    enum Effect { NOTHING, MARKED }

    /** One row: the input, how to send it to the integration at a base URI, and what must come of it. */
    record Row(String input, Function<URI, HttpRequest> request, int status, String reason, Effect effect) {
        @Override
        public String toString() {
            return input;
        }
    }

    static List<Row> corpus() {
        String huge = "{\"Host\": {\"Name\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}}";
        String structured = "{\"specversion\": \"1.0\", \"id\": \"7301\", \"source\": \"" + VcenterEvent.VCSA01
                + "\", \"type\": \"" + VcenterEvent.ENTERED_TYPE + "\", \"datacontenttype\": \"application/json\", \"data\": "
                + VcenterEvent.fixtureText("entered-maintenance-mode.json") + "}";
        return List.of(
                event("malformed JSON", e -> e.body("{\"Key\": 7301, \"Host\": {"), 400, "event data is not a vCenter event in JSON"),
                event("a JSON array", e -> e.body("[1, 2]"), 400, "event data is not a vCenter event in JSON"),
                event("no body", e -> e.body(""), 400, "event data is not a vCenter event in JSON"),
                event("data after the JSON event", e -> e.body(e.body() + " {\"Key\": 1}"), 400,
                        "event data holds more than the vCenter event: data follows its JSON value"),
                event("no Host", e -> e.body("{\"Key\": 7301, \"CreatedTime\": \"2026-11-20T09:14:03.512Z\"}"), 400, "event data has no Host.Name"),
                event("Host null (an EventEx)", e -> e.body(VcenterEvent.fixtureText("sso-login-failure.json")), 400, "event data has no Host.Name"),
                event("Host.Name blank", e -> e.body(e.body().replace("\"Name\":\"" + HOST + "\"", "\"Name\":\"  \"")), 400, "event data has no Host.Name"),
                event("Key 7301.5", e -> key(e, "7301.5"), 400, "event Key 7301.5 is not a 64-bit integer"),
                event("Key 7301.0", e -> key(e, "7301.0"), 400, "event Key 7301.0 is not a 64-bit integer"),
                event("Key as text", e -> key(e, "\"7301\""), 400, "event Key \"7301\" is not a 64-bit integer"),
                event("Key beyond 64 bits", e -> key(e, "99999999999999999999"), 400, "event Key 99999999999999999999 is not a 64-bit integer"),
                event("XML data", e -> e.header("Content-Type", "application/xml").body("<EnteredMaintenanceModeEvent/>"), 400,
                        "datacontenttype application/xml is not JSON; the VSphereSource must use payloadEncoding application/json"),
                event("no ce-id", e -> e.header("ce-id", null), 400, "the CloudEvent has no id"),
                event("no ce-source", e -> e.header("ce-source", null), 400, "the CloudEvent has no source"),
                event("specversion 19.0", e -> e.header("ce-specversion", "19.0"), 400, "CloudEvents specversion 19.0 is not supported"),
                event("Event Router format without Host", e -> e.eventRouterFormat().body("{}"), 400, "event data has no Host.Name"),
                event("a type no Trigger sends", e -> e.header("ce-type", "com.vmware.vsphere.VmPoweredOnEvent.v0"), 400,
                        "no consumer for type com.vmware.vsphere.VmPoweredOnEvent.v0 at path /events/com.vmware.vsphere.VmPoweredOnEvent.v0"
                                + ": check the Trigger's filter and subscriber URI (k8s/*-triggers.yaml)"),
                event("an Event Router event of a type no Trigger sends", e -> e.eventRouterFormat().header("ce-type", "com.example.other"), 400,
                        "no consumer for type com.example.other at path /: check the Trigger's filter and subscriber URI (k8s/*-triggers.yaml)"),
                new Row("ce-type twice", base -> withHeaders(base, VcenterEvent.entered(HOST, "host-21"), Map.of("ce-type", VcenterEvent.ENTERED_TYPE)),
                        400, "ce-type is given 2 times", Effect.NOTHING),
                event("no ce-type", e -> e.header("ce-type", null), 400, "no ce-type header: this is not a CloudEvent in binary mode"),
                new Row("structured mode", base -> HttpRequest.newBuilder(base.resolve("/events/" + VcenterEvent.ENTERED_TYPE))
                        .header("Content-Type", "application/cloudevents+json").POST(HttpRequest.BodyPublishers.ofString(structured)).build(),
                        415, "a CloudEvent in structured mode (application/cloudevents+json) is not accepted: Brokers deliver binary mode", Effect.NOTHING),
                new Row("GET", base -> HttpRequest.newBuilder(base.resolve("/events/" + VcenterEvent.ENTERED_TYPE)).GET().build(),
                        405, "method GET is not accepted: events are POSTed", Effect.NOTHING),
                event("a 2 MiB body", e -> e.body(huge), 413,
                        "the event body is larger than the limit of the consumer (transport.maxBodySize, 1 MiB); a vCenter event is a few KB"),
                event("a 2 MiB body in the Event Router format", e -> e.eventRouterFormat().body(huge), 413,
                        "the event body is larger than the limit of the consumer (transport.maxBodySize, 1 MiB); a vCenter event is a few KB"),
                event("Host.Name with blanks around it", e -> e.body(e.body().replace("\"Name\":\"" + HOST + "\"", "\"Name\":\" " + HOST + "\\t\"")),
                        204, null, Effect.MARKED),
                event("Host.Name with a no-break space around it", e -> name(e, "\\u00a0" + HOST + "\\u00a0"), 204, null, Effect.MARKED),
                event("Host.Name with a no-break space (U+00A0)", e -> name(e, "esx01\\u00a0.lab.local"), 400, notAHostName("esx01\\u00a0.lab.local", "U+00A0")),
                event("Host.Name with a figure space (U+2007)", e -> name(e, "esx01\\u2007.lab.local"), 400, notAHostName("esx01\\u2007.lab.local", "U+2007")),
                event("Host.Name with an ideographic space (U+3000)", e -> name(e, "esx01\\u3000.lab.local"), 400, notAHostName("esx01\\u3000.lab.local", "U+3000")),
                event("Host.Name with a line separator (U+2028)", e -> name(e, "esx01\\u2028.lab.local"), 400, notAHostName("esx01\\u2028.lab.local", "U+2028")),
                event("Host.Name with a paragraph separator (U+2029)", e -> name(e, "esx01\\u2029.lab.local"), 400, notAHostName("esx01\\u2029.lab.local", "U+2029")),
                event("Host.Name with a zero-width space (U+200B, a format character)", e -> name(e, "esx01\\u200b.lab.local"), 400,
                        notAHostName("esx01\\u200b.lab.local", "U+200B")),
                event("Host.Name with a quote", e -> name(e, "esx01'.lab.local"), 400, notAHostName("esx01'.lab.local", "U+0027")),
                event("Host.Name of 256 characters", e -> name(e, "x".repeat(256)), 400, "event data Host.Name has 256 characters: a host name has at most 255"),
                event("Host.Host.Value of a million characters", e -> moref(e, "h".repeat(1_000_000)), 400,
                        "event data Host.Host.Value has 1000000 characters: a managed object id has 1 to 80"),
                event("Host.Host.Value with a line break, a carriage return and ESC", e -> moref(e, "host-21\\nlab\\r\\u001b[2K"), 400,
                        "event data Host.Host.Value \"host-21\\nlab\\r\\u001b[2K\" is no managed object id: it holds U+000A; "
                                + "vCenter's ids (host-21, ha-host) hold only ASCII letters, digits, '.', '-', '_' and ':'"),
                event("ce-source with a blank in its vCenter", e -> e.source("https://vcsa01 forged/sdk"), 400,
                        "the CloudEvent source \"https://vcsa01 forged/sdk\" names no vCenter: its host is 1 to 255 letters, digits, '.', '-', '_' and ':'"),
                event("ce-id of 200 characters", e -> e.header("ce-id", "7".repeat(200)), 400,
                        "the CloudEvent id is longer than 128 characters: a vCenter source's is the event Key or a UUID"),
                new Row("page 2147483647 of the host page, 10000 a page", base -> HttpRequest.newBuilder(
                        base.resolve("/observe/hosts?page=2147483647&pageSize=10000")).GET().build(), 200, null, Effect.NOTHING),
                event("Host.Name with a line break and a forged log line", e -> e.body(e.body().replace("\"Name\":\"" + HOST + "\"",
                        "\"Name\":\"esx01\\nERROR forged line\\u001b[2K\"")).header("ce-id", "7301\tforged"), 400,
                        "event data Host.Name \"esx01\\nERROR forged line\\u001b[2K\" is no host name: it holds control characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachInputGetsItsStatusReasonAndEffect(Row row) {
        stack.vrops().clearRequests();
        String host = stack.vrops().resourceId(VCSA01_UUID, "host-21");

        HttpResponse<String> answer = stack.integration().send(row.request().apply(stack.integration().eventsUri()));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(row.status());
        if (row.status() == 200) {
            assertThat(answer.body()).contains("\"hosts\":[]");
        } else if (row.reason() == null) {
            assertThat(answer.body()).isEmpty();
        } else {
            assertThat(answer.body()).isEqualTo(row.reason());
            assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        }
        if (row.effect() == Effect.MARKED) {
            assertThat(stack.vrops().resourceState(host)).isEqualTo("MAINTAINED_MANUAL");
            assertThat(stack.integration().send(VcenterEvent.exited(HOST, "host-21")).statusCode()).isEqualTo(204);
        } else {
            assertThat(stack.vrops().count(Operation.MARK_MAINTAINED) + stack.vrops().count(Operation.UNMARK_MAINTAINED)).isZero();
        }
        assertThat(stack.vrops().resourceState(host)).isEqualTo("STARTED");
    }

    @Test
    void theServiceKeepsServingAfterTheWholeCorpus() {
        for (Row row : corpus()) {
            stack.integration().send(row.request().apply(stack.integration().eventsUri()));
        }

        assertThat(stack.integration().send(VcenterEvent.entered(HOST, "host-21")).statusCode()).isEqualTo(204);
        assertThat(stack.vrops().resourceState(stack.vrops().resourceId(VCSA01_UUID, "host-21"))).isEqualTo("MAINTAINED_MANUAL");
        assertThat(stack.integration().send(VcenterEvent.exited(HOST, "host-21")).statusCode()).isEqualTo(204);
    }

    /**
     * The table of docs/behaviour.md has the rows of the corpus: input, status and reason, where {@code <...>} stands
     * for what the request held and "(the same)" for the reason of the row above.
     */
    @Test
    void theDocumentedTableIsTheCorpus() throws IOException {
        String docs = Files.readString(DOCS);
        String table = docs.substring(docs.indexOf("## Bad input"));
        Matcher row = Pattern.compile("(?m)^\\| (.+?) \\| `(\\d{3})` \\|(.*)\\|(.*)\\|$").matcher(table);
        Map<String, String> documented = new java.util.TreeMap<>();
        String previous = "";
        while (row.find()) {
            String reason = row.group(3).strip().equals("(the same)") ? previous : row.group(3).strip();
            documented.put(row.group(1) + " -> " + row.group(2), reason);
            previous = reason;
        }

        Map<String, String> tested = new java.util.TreeMap<>();
        corpus().forEach(r -> tested.put(r.input() + " -> " + r.status(), r.reason() == null ? "" : r.reason()));
        assertThat(documented.keySet()).containsExactlyInAnyOrderElementsOf(
                Stream.concat(tested.keySet().stream(), Stream.of("a body that stalls -> 408")).toList());
        tested.forEach((input, reason) -> assertThat(reason).as(input)
                .matches(Pattern.quote(documented.get(input)).replaceAll("<[^>]+>", "\\\\E.+\\\\Q")));
    }

    /** Each line at most, whatever the event: a name with a line break cannot start a line of its own. */
    @Test
    void loggedEventFieldsCannotForgeALine() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Row forged = corpus().get(corpus().size() - 1);
        try (LogCapture capture = LogCapture.everythingAtTrace(lines::add)) {
            stack.integration().send(forged.request().apply(stack.integration().eventsUri()));
        }

        assertThat(lines).anyMatch(line -> line.contains("esx01\\nERROR forged line\\u001b[2K") && line.contains("7301\\tforged"));
        assertThat(lines).noneMatch(line -> line.startsWith("ERROR forged line")).noneMatch(line -> line.contains("\u001b"));
    }

    /** Refused requests are counted by reason and logged once a minute per reason, not once each. */
    @Test
    void refusedRequestsAreCountedAndTheirWarningIsRateLimited() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Row unknownType = corpus().stream().filter(r -> r.input().equals("an Event Router event of a type no Trigger sends")).findFirst().orElseThrow();
        double before = refused("no-consumer");
        try (LogCapture capture = LogCapture.everythingAtTrace(lines::add)) {
            for (int i = 0; i < 5; i++) {
                assertThat(stack.integration().send(unknownType.request().apply(stack.integration().eventsUri())).statusCode()).isEqualTo(400);
            }
        }

        assertThat(refused("no-consumer") - before).isEqualTo(5);
        assertThat(lines.stream().filter(line -> line.contains("Refused POST / with 400: no consumer for type com.example.other")))
                .hasSizeLessThanOrEqualTo(1);
    }

    /** A client that sends its headers and then stalls is answered 408 and its connection closed. */
    @Test
    void aBodyThatStallsIsAnswered408() throws Exception {
        URI events = stack.integration().eventsUri();
        try (Socket client = new Socket(events.getHost(), events.getPort())) {
            client.setSoTimeout(30_000);
            OutputStream out = client.getOutputStream();
            out.write(("POST /events/" + VcenterEvent.ENTERED_TYPE + " HTTP/1.1\r\nHost: 127.0.0.1\r\nce-specversion: 1.0\r\n"
                    + "ce-id: 1\r\nce-source: x\r\nce-type: " + VcenterEvent.ENTERED_TYPE + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"Key\":").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            InputStream in = client.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);

            assertThat(answer).startsWith("HTTP/1.1 408").contains("the request body did not arrive within 2000 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        }
    }

    private double refused(String reason) {
        var counter = stack.integration().context().getComponent("micrometer", org.apache.camel.component.micrometer.MicrometerComponent.class)
                .getMetricsRegistry().find("vcenter.maintenance.requests.refused").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private static Row event(String input, Function<VcenterEvent, VcenterEvent> spoil, int status, String reason) {
        return event(input, spoil, status, reason, Effect.NOTHING);
    }

    private static Row event(String input, Function<VcenterEvent, VcenterEvent> spoil, int status, String reason, Effect effect) {
        return new Row(input, base -> IntegrationHarness.request(base, spoil.apply(VcenterEvent.entered(HOST, "host-21"))),
                status, reason, effect);
    }

    /** The event with this Host.Name, given as JSON string contents. */
    private static VcenterEvent name(VcenterEvent event, String json) {
        return event.body(event.body().replace("\"Name\":\"" + HOST + "\"", "\"Name\":\"" + json + "\""));
    }

    /** The event with this Host.Host.Value, given as JSON string contents. */
    private static VcenterEvent moref(VcenterEvent event, String json) {
        return event.body(event.body().replace("\"Value\":\"host-21\"", "\"Value\":\"" + json + "\""));
    }

    /** The reason for a name that holds a character no DNS name or IP address holds; {@code escaped} as the log writes it. */
    private static String notAHostName(String escaped, String character) {
        return "event data Host.Name \"" + escaped + "\" is no host name: it holds " + character
                + "; a DNS name or IP address holds only letters, digits, '.', '-', '_' and ':'";
    }

    private static VcenterEvent key(VcenterEvent event, String json) {
        return event.body(event.body().replaceFirst("\"Key\":\\d+", "\"Key\":" + Matcher.quoteReplacement(json)));
    }

    /** The event as a Broker sends it, plus headers given a second time. */
    private static HttpRequest withHeaders(URI base, VcenterEvent event, Map<String, String> again) {
        HttpRequest.Builder request = HttpRequest.newBuilder(IntegrationHarness.request(base, event), (name, value) -> true);
        again.forEach(request::header);
        return request.build();
    }
}
