package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.apache.camel.main.Main;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;

/** The echo route logs every event, attributes and data, whatever its type, and acknowledges it. */
class EventEchoTest {

    @Test
    void everyEventIsLoggedWithItsAttributesAndData() throws Exception {
        StringWriter logs = new StringWriter();
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = logging.getConfiguration();
        WriterAppender capture = WriterAppender.newBuilder().setName("echo-capture").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%m%n").build()).build();
        capture.start();
        configuration.getRootLogger().addAppender(capture, Level.INFO, null);
        logging.updateLoggers();

        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Main main = new Main();
        main.configure().withRoutesIncludePattern("file:echo/VCenterEventEcho.java");
        main.addOverrideProperty("camel.component.knative.environmentPath", "file:echo/knative.json");
        main.addOverrideProperty("camel.server.enabled", "true");
        main.addOverrideProperty("camel.server.port", Integer.toString(port));
        main.start();
        try {
            VcenterEvent poweredOn = VcenterEvent.entered("esx01.lab.local", "host-21").eventRouterFormat()
                    .header("ce-subject", "VmPoweredOnEvent").body(VcenterEvent.fixtureText("vm-powered-on.json"));
            VcenterEvent entered = VcenterEvent.entered("esx01.lab.local", "host-21");

            assertThat(post(port, poweredOn).statusCode()).isEqualTo(204);
            assertThat(post(port, entered).statusCode()).isEqualTo(204);
        } finally {
            main.stop();
            configuration.getRootLogger().removeAppender("echo-capture");
            logging.updateLoggers();
        }

        assertThat(logs.toString())
                .contains("type=com.vmware.event.router/event subject=VmPoweredOnEvent")
                .contains("build-agent-07 on esx01.lab.local in Lab-DC is powered on")
                .contains("type=" + VcenterEvent.ENTERED_TYPE + " subject= id=")
                .contains("source=https://vcsa01.lab.local/sdk")
                .contains("has entered maintenance mode");
    }

    private static HttpResponse<String> post(int port, VcenterEvent event) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(event.body()));
        event.headers().forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
