package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A permanent failure is answered 4xx, which VEBA's RabbitMQ Broker takes as success and forgets: the integration
 * itself sends the event, with the reason, to the configured dead-letter URI as a CloudEvent of its own type.
 */
class DeadLetterTest {

    private record Received(Headers headers, String body) {
    }

    private final VropsSimulator vrops = VropsSimulator.builder().start();
    private final BlockingQueue<Received> deadLetters = new LinkedBlockingQueue<>();
    private HttpServer receiver;
    private IntegrationHarness integration;

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            deadLetters.add(new Received(exchange.getRequestHeaders(),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        receiver.start();
        integration = IntegrationHarness.against(vrops,
                Map.of("dead-letter.uri", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/default"));
    }

    @AfterEach
    void stop() {
        integration.close();
        receiver.stop(0);
        vrops.close();
    }

    @Test
    void anUnusableEventIsDeadLetteredWithItsReason() throws Exception {
        VcenterEvent event = VcenterEvent.entered("esx01.lab.local", "host-21").body("{\"Key\": 7301}");

        assertThat(integration.send(event).statusCode()).isEqualTo(400);

        Received deadLetter = deadLetters.poll(10, TimeUnit.SECONDS);
        assertThat(deadLetter).isNotNull();
        assertThat(deadLetter.body()).isEqualTo("{\"Key\": 7301}");
        assertThat(deadLetter.headers().getFirst("ce-type")).isEqualTo("io.github.maintsync.vcenter-maintenance.dead-letter.v1");
        assertThat(deadLetter.headers().getFirst("ce-specversion")).isEqualTo("1.0");
        assertThat(deadLetter.headers().getFirst("ce-id")).isEqualTo(event.id() + "-dead-letter");
        assertThat(deadLetter.headers().getFirst("ce-deadletterreason")).isEqualTo("event data has no Host.Name");
        assertThat(deadLetter.headers().getFirst("ce-originalid")).isEqualTo(event.id());
        assertThat(deadLetter.headers().getFirst("ce-originaltype")).isEqualTo(VcenterEvent.ENTERED_TYPE);
        assertThat(deadLetter.headers().getFirst("ce-originalsource")).isEqualTo(VcenterEvent.VCSA01);
    }

    @Test
    void anEventRefusedForTheConfiguredUserKeepsItsBodyInTheDeadLetter() throws Exception {
        integration.close();
        integration = IntegrationHarness.against(vrops, Map.of("vrops.password", "wrong-password",
                "dead-letter.uri", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/default"));
        VcenterEvent event = VcenterEvent.exited("esx01.lab.local", "host-21").eventRouterFormat();

        assertThat(integration.send(event).statusCode()).isEqualTo(403);

        Received deadLetter = deadLetters.poll(10, TimeUnit.SECONDS);
        assertThat(deadLetter).isNotNull();
        assertThat(deadLetter.body()).isEqualTo(event.body());
        assertThat(deadLetter.headers().getFirst("ce-originalsubject")).isEqualTo("ExitMaintenanceModeEvent");
        assertThat(deadLetter.headers().getFirst("ce-deadletterreason")).contains("HTTP 401");
        assertThat(deadLetter.headers().keySet()).noneMatch(name -> name.equalsIgnoreCase("authorization"));
    }

    @Test
    void anUnreachableDeadLetterSinkDoesNotChangeTheAnswer() throws IOException {
        receiver.stop(0);

        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21").body("[]")).statusCode()).isEqualTo(400);
    }
}
