package maintsync.jbang;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import maintsync.VcenterEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code jbang/send-event} posts what a Knative Broker would: a binary-mode CloudEvent in either vCenter format, to the
 * path the integration listens on, and exits 0 only on a 2xx answer. A plain HTTP server stands in for the integration.
 */
class SendEventIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FIXTURES = Path.of("tests", "resources", "events");

    private HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private int status = 204;
    private String answer = "";

    private record Received(String method, String path, Map<String, String> headers, String body) {
    }

    private record Result(int exitCode, String output) {
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (received) {
                received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body));
            }
            byte[] reply = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, reply.length == 0 ? -1 : reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void generatedEventHasTheTanzuSourcesAttributesAndTheVcenterEventShape() throws Exception {
        Result result = sendEvent("--type", "enter", "--host", "esx01.lab.local", "--moref", "host-21");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().lines()).containsExactly("HTTP 204");
        Received request = single();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/events/" + VcenterEvent.ENTERED_TYPE);
        JsonNode data = JSON.readTree(request.body());
        assertThat(request.headers()).containsEntry("ce-specversion", "1.0")
                .containsEntry("ce-type", VcenterEvent.ENTERED_TYPE)
                .containsEntry("ce-id", data.get("Key").asText())
                .containsEntry("ce-source", "https://vcsa01.lab.local/sdk")
                .containsEntry("ce-time", data.get("CreatedTime").asText())
                .containsEntry("ce-eventclass", "event")
                .containsEntry("Content-Type", "application/json")
                .doesNotContainKey("ce-subject");
        JsonNode fixture = JSON.readTree(FIXTURES.resolve("entered-maintenance-mode.json").toFile());
        assertThat(fieldNames(data)).isEqualTo(fieldNames(fixture));
        assertThat(fieldNames(data.get("Host"))).isEqualTo(fieldNames(fixture.get("Host")));
        assertThat(data.get("Key").isIntegralNumber()).isTrue();
        assertThat(data.at("/Host/Name").asText()).isEqualTo("esx01.lab.local");
        assertThat(data.at("/Host/Host/Type").asText()).isEqualTo("HostSystem");
        assertThat(data.at("/Host/Host/Value").asText()).isEqualTo("host-21");
        assertThat(data.get("FullFormattedMessage").asText())
                .isEqualTo("Host esx01.lab.local in Lab-DC has entered maintenance mode");
    }

    @Test
    void eventFromAFileGoesOutUnchangedInTheEventRouterFormat() throws Exception {
        Path file = FIXTURES.resolve("exit-maintenance-mode.json");
        String createdTime = JSON.readTree(file.toFile()).get("CreatedTime").asText();

        Result result = sendEvent("--format", "legacy", "--type", "exit", "--file", file.toString(),
                "--source", "https://vcsa02.lab.local:443/sdk");

        assertThat(result.exitCode()).as(result.output()).isZero();
        Received request = single();
        assertThat(request.path()).isEqualTo("/");
        assertThat(request.body()).isEqualTo(Files.readString(file));
        assertThat(request.headers()).containsEntry("ce-type", "com.vmware.event.router/event")
                .containsEntry("ce-subject", "ExitMaintenanceModeEvent")
                .containsEntry("ce-source", "https://vcsa02.lab.local:443/sdk")
                .containsEntry("ce-time", createdTime)
                .doesNotContainKey("ce-eventclass");
        assertThat(request.headers().get("ce-id")).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    @Test
    void refusedEventPrintsTheAnswerAndExitsWithOne() throws Exception {
        status = 400;
        answer = "the CloudEvent has no source";

        Result result = sendEvent("--type", "exit", "--host", "esx01.lab.local", "--moref", "host-21", "--id", "7344");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output().lines()).containsExactly("HTTP 400", "the CloudEvent has no source");
        assertThat(single().headers()).containsEntry("ce-id", "7344");
    }

    @Test
    void wrongArgumentsSendNothingAndExitWithTwo() throws Exception {
        Result result = sendEvent("--type", "enter", "--host", "esx01.lab.local");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("--moref is required");
        synchronized (received) {
            assertThat(received).isEmpty();
        }
    }

    private Result sendEvent(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "jbang/send-event",
                "--url", "http://127.0.0.1:" + server.getAddress().getPort()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile("send-event", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean ended = process.waitFor(60, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly();
            }
            String printed = Files.readString(output);
            assertThat(ended).as("send-event ended within 60 s; it printed: %s", printed).isTrue();
            return new Result(process.exitValue(), printed);
        } finally {
            Files.delete(output);
        }
    }

    private Received single() {
        synchronized (received) {
            assertThat(received).hasSize(1);
            return received.get(0);
        }
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
