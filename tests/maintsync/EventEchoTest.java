package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The echo route logs every event, attributes and data, whatever its type, and acknowledges it: at / (its Trigger)
 * and at /events/&lt;type&gt; (where jbang/send-event posts by default), in binary and in structured mode. The events are
 * sent by jbang/send-event itself where it can send them.
 */
class EventEchoTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StringWriter logs = new StringWriter();
    private LoggerContext logging;
    private Configuration configuration;
    private Main main;
    private int port;

    @BeforeEach
    void startTheEcho() throws Exception {
        logging = (LoggerContext) LogManager.getContext(false);
        configuration = logging.getConfiguration();
        WriterAppender capture = WriterAppender.newBuilder().setName("echo-capture").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%m%n").build()).build();
        capture.start();
        configuration.getRootLogger().addAppender(capture, Level.INFO, null);
        logging.updateLoggers();

        port = TestSupport.freePort();
        main = new Main();
        main.configure().withRoutesIncludePattern("file:echo/VCenterEventEcho.java");
        main.addOverrideProperty("camel.component.knative.environmentPath", "file:echo/knative.json");
        main.addOverrideProperty("camel.server.enabled", "true");
        main.addOverrideProperty("camel.server.host", "127.0.0.1");
        main.addOverrideProperty("camel.server.port", Integer.toString(port));
        main.start();
    }

    @AfterEach
    void stopTheEcho() {
        main.stop();
        configuration.getRootLogger().removeAppender("echo-capture");
        logging.updateLoggers();
    }

    @Test
    void everyEventIsLoggedWithItsAttributesAndData() throws Exception {
        VcenterEvent poweredOn = VcenterEvent.entered("esx01.lab.local", "host-21").eventRouterFormat()
                .header("ce-subject", "VmPoweredOnEvent").body(VcenterEvent.fixtureText("vm-powered-on.json"));
        VcenterEvent entered = VcenterEvent.entered("esx01.lab.local", "host-21");

        assertThat(post("/", poweredOn).statusCode()).isEqualTo(204);
        assertThat(post("/", entered).statusCode()).isEqualTo(204);

        assertThat(logs.toString())
                .contains("type=com.vmware.event.router/event subject=VmPoweredOnEvent")
                .contains("build-agent-07 on esx01.lab.local in Lab-DC is powered on")
                .contains("type=" + VcenterEvent.ENTERED_TYPE + " subject= id=")
                .contains("source=https://vcsa01.lab.local/sdk")
                .contains("has entered maintenance mode");
    }

    /** Both formats of jbang/send-event, each in both modes: the paths it posts to are the ones the echo serves. */
    @Test
    void answersJbangSendEventInBothFormatsAndBothModes() throws Exception {
        List<String> outputs = new ArrayList<>();
        for (String format : List.of("new", "legacy")) {
            for (String mode : List.of("binary", "structured")) {
                String host = "esx-" + format + "-" + mode + ".lab.local";
                outputs.add(sendEvent("--type", "enter", "--host", host, "--moref", "host-7", "--format", format, "--mode", mode));
                assertThat(entryOf(host)).as(format + " " + mode).contains("type=" + (format.equals("new")
                        ? VcenterEvent.ENTERED_TYPE + " subject= id=" : "com.vmware.event.router/event subject=EnteredMaintenanceModeEvent id="))
                        .contains("source=https://vcsa01.lab.local/sdk time=20").contains("datacontenttype=application/json")
                        .contains("\"Name\": \"" + host + "\"").contains("\"Value\": \"host-7\"");
            }
        }
        assertThat(outputs).containsOnly("HTTP 204");
    }

    /**
     * A structured event without a parameter in its content type is decoded by Camel's consumer itself, which leaves
     * its data a Java map; the echo still logs it as JSON. Data that is text, or base64, is logged as text.
     */
    @Test
    void structuredEventsShowTheirDataAsJsonOrText() throws Exception {
        ObjectNode event = structured(VcenterEvent.entered("esx31.lab.local", "host-31"));
        assertThat(postStructured("/", "application/cloudevents+json", event.toString()).statusCode()).isEqualTo(204);
        assertThat(entryOf("esx31.lab.local")).contains("type=" + VcenterEvent.ENTERED_TYPE)
                .contains("datacontenttype=application/json").contains("\"Name\": \"esx31.lab.local\"").doesNotContain("Name=");

        ObjectNode text = structured(VcenterEvent.entered("esx32.lab.local", "host-32"));
        text.put("data", "plain text of esx32").put("datacontenttype", "text/plain");
        assertThat(postStructured("/events/" + VcenterEvent.ENTERED_TYPE, "application/cloudevents+json; charset=utf-8", text.toString())
                .statusCode()).isEqualTo(204);
        assertThat(logs.toString()).contains("datacontenttype=text/plain\nplain text of esx32");

        ObjectNode base64 = structured(VcenterEvent.entered("esx33.lab.local", "host-33"));
        base64.remove("data");
        base64.put("data_base64", java.util.Base64.getEncoder().encodeToString("bytes of esx33".getBytes(StandardCharsets.UTF_8)));
        assertThat(postStructured("/", "application/cloudevents+json; charset=utf-8", base64.toString()).statusCode()).isEqualTo(204);
        assertThat(logs.toString()).contains("bytes of esx33");
    }

    /** The log entry (first line and data) that names the host, or "" when none does. */
    private String entryOf(String host) {
        String[] entries = logs.toString().split("(?m)^(?=type=)");
        for (String entry : entries) {
            if (entry.contains("\"" + host + "\"")) {
                return entry;
            }
        }
        return "";
    }

    private static ObjectNode structured(VcenterEvent event) throws IOException {
        ObjectNode structured = JSON.createObjectNode();
        event.headers().forEach((name, value) -> {
            if (name.startsWith("ce-")) {
                structured.put(name.substring("ce-".length()), value);
            }
        });
        structured.put("datacontenttype", "application/json");
        structured.set("data", JSON.readTree(event.body()));
        return structured;
    }

    private String sendEvent(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "jbang/send-event", "--url", "http://127.0.0.1:" + port));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("jbang/send-event ended").isTrue();
        return output;
    }

    private HttpResponse<String> post(String path, VcenterEvent event) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(event.body()));
        event.headers().forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postStructured(String path, String contentType, String event) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(event)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
