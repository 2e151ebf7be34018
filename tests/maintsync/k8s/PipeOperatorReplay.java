package maintsync.k8s;

import static maintsync.TestSupport.freePort;
import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import maintsync.DeadLetterInbox;
import maintsync.IntegrationHarness;
import maintsync.TestSupport;
import maintsync.VcenterEvent;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsOpenApi;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Pipes of {@code k8s/pipes/} as a Camel K operator version runs them, one subclass per {@link CamelKOperator}:
 * the Integration the Pipe controller makes of each ({@link PipeIntegration}), with the Trigger and the Knative
 * environment of the knative trait (still the Pipes' way to the Broker on 2.11, where the trait is deprecated, see
 * docs/deploy.md), built on Camel Quarkus as {@link OperatorBuild} does, laid out and started as {@link OperatorPod}
 * does with the example Secret filled in and the trust store of the ConfigMap vrops-ca, and driven over real HTTP
 * at the path of its Trigger against the vROps simulator over HTTPS: enter, exit, a host vROps does not know and vROps
 * failing, each failure dead-lettered with the event's attributes, every token given back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PipeOperatorReplay {

    private static final Path WORK = Path.of("target/pipe-operator-replay");
    private static final String DEAD_LETTER_TYPE = "io.github.maintsync.vcenter-maintenance.dead-letter.v1";

    private final CamelKOperator operator;
    private final Map<String, ObjectNode> integrations = new LinkedHashMap<>();
    private final Map<String, OperatorPod> pods = new LinkedHashMap<>();
    private List<JsonNode> kamelets;
    private VropsSimulator vrops;
    private DeadLetterInbox deadLetters;

    PipeOperatorReplay(CamelKOperator operator) {
        this.operator = operator;
    }

    @BeforeAll
    void buildAndStart() throws Exception {
        for (String action : List.of("enter", "exit")) {
            integrations.put(action, PipeIntegration.of(Manifests.PIPES.resolve("vcenter-maintenance-" + action + ".pipe.yaml")));
        }
        kamelets = OperatorBuild.kamelets(integrations.get("enter"));
        assertThat(OperatorBuild.kamelets(integrations.get("exit"))).isEqualTo(kamelets);
        assertThat(OperatorBuild.dependencies(integrations.get("exit"), kamelets, operator))
                .isEqualTo(OperatorBuild.dependencies(integrations.get("enter"), kamelets, operator));
        // one build for both Pipes: their dependencies are alike
        Path quarkusApp = OperatorBuild.builtOnce(WORK, integrations.get("enter"), kamelets, operator).quarkusApp();

        vrops = VropsSimulator.builder().start();
        deadLetters = new DeadLetterInbox();

        for (Map.Entry<String, ObjectNode> pipe : integrations.entrySet()) {
            Path root = WORK.resolve("pod-" + operator.version + "-" + pipe.getKey()).toAbsolutePath();
            OperatorPod.deleteRecursively(root);
            Map<String, String> credentials = OperatorPod.exampleSecret();
            credentials.put("vrops.url", vrops.baseUri().toString().replaceAll("/+$", ""));
            credentials.put("vrops.username", "admin");
            credentials.put("dead-letter.uri", deadLetters.uri().toString());
            // the commented lines of the example Secret for a self-signed vROps, with the trust store's pod path
            credentials.put("camel.ssl.enabled", "true");
            credentials.put("camel.ssl.trustStore", "file:" + root.resolve("etc/vrops-ca/truststore.p12"));
            credentials.put("camel.ssl.trustStorePassword", VropsSimulator.TRUST_STORE_PASSWORD);
            credentials.put("camel.component.https.useGlobalSslContextParameters", "true");
            Map<String, Map<String, String>> secrets = Map.of("vrops-credentials", credentials,
                    "vrops-password", Map.of("vrops.password", "sim-admin-password"));
            OperatorPod.Container container = OperatorPod.layoutWithSecrets(pipe.getValue(), kamelets, quarkusApp, root, secrets,
                    Map.of("vrops-ca", Map.of()), freePort(), operator);
            // a ConfigMap's binary key, as kubectl create configmap --from-file writes it
            Files.copy(vrops.trustStorePkcs12(), root.resolve("etc/vrops-ca/truststore.p12"), StandardCopyOption.REPLACE_EXISTING);
            OperatorPod pod = OperatorPod.start(container, WORK.resolve("pod-" + operator.version + "-" + pipe.getKey() + ".log"));
            pods.put(pipe.getKey(), pod);
        }
        for (OperatorPod pod : pods.values()) {
            awaitListening(pod);
        }
    }

    @AfterAll
    void stop() throws Exception {
        try {
            for (OperatorPod pod : pods.values()) {
                pod.close();
            }
        } finally {
            if (deadLetters != null) {
                deadLetters.close();
            }
            if (vrops != null) {
                VropsOpenApi.load().assertRequestsValid(vrops.requests());
                vrops.close();
            }
        }
    }

    /**
     * What the Pipe controller generates: the route {@code binding} from the Broker's event type through the Kamelets,
     * each step's properties as configuration, the dead letter channel, and the knative trait's Trigger on that type
     * to the Pipe's Knative Service at /events/&lt;type&gt;.
     */
    @Test
    @Order(1)
    void thePipeControllerMakesABrokerRouteThroughTheKameletsAndTheKnativeTraitItsTrigger() {
        ObjectNode enter = integrations.get("enter");

        assertThat(enter.at("/spec/flows/1/route/from/uri").asText()).isEqualTo("knative:event/" + VcenterEvent.ENTERED_TYPE
                + "?apiVersion=eventing.knative.dev%2Fv1&kind=Broker&name=default");
        assertThat(enter.at("/spec/flows/1/route/from/steps").toString()).isEqualTo("[{\"kamelet\":{\"name\":\"vrops-token-action/action-0\"}},"
                + "{\"kamelet\":{\"name\":\"vrops-host-lookup-action/action-1\"}},{\"kamelet\":{\"name\":\"vrops-maintenance-sink/action-2\"}},"
                + "{\"kamelet\":{\"name\":\"vcenter-event-log-action/action-3\"}},{\"to\":\"kamelet:vrops-token-release-sink/sink\"}]");
        assertThat(enter.at("/spec/flows/0/errorHandler/deadLetterChannel/deadLetterUri").asText())
                .isEqualTo("kamelet:vcenter-event-dead-letter-sink/errorHandler");
        assertThat(enter.at("/spec/configuration").toString()).contains("camel.kamelet.vrops-maintenance-sink.action-2.action=enter",
                "camel.kamelet.vcenter-event-log-action.action-3.action=enter");
        assertThat(enter.at("/spec/traits/mount/configs").toString()).isEqualTo("[\"secret:vrops-credentials\",\"secret:vrops-password\"]");
        assertThat(enter.at("/spec/traits/mount/resources").toString()).isEqualTo("[\"configmap:vrops-ca@/etc/vrops-ca\"]");
        assertThat(enter.at("/spec/traits/jvm/options").toString()).isEqualTo("[\"-XX:+ExitOnOutOfMemoryError\"]");
        assertThat(kamelets).extracting(kamelet -> kamelet.at("/metadata/name").asText()).containsExactly(
                "vcenter-event-dead-letter-sink", "vcenter-event-log-action", "vrops-host-lookup-action", "vrops-maintenance-sink",
                "vrops-token-action", "vrops-token-release-sink");

        List<ObjectNode> triggers = PipeIntegration.triggers(enter);
        assertThat(triggers).hasSize(1);
        assertThat(triggers.get(0).at("/metadata/name").asText())
                .isEqualTo("default-vcenter-maintenance-enter-com.vmware.vsphere.enteredmaintenancemodeevent.v0");
        assertThat(triggers.get(0).at("/spec/filter/attributes").toString()).isEqualTo("{\"type\":\"" + VcenterEvent.ENTERED_TYPE + "\"}");
        assertThat(triggers.get(0).at("/spec/subscriber/ref/name").asText()).isEqualTo("vcenter-maintenance-enter");
        assertThat(triggers.get(0).at("/spec/subscriber/uri").asText()).isEqualTo("/events/" + VcenterEvent.ENTERED_TYPE);
        assertThat(PipeIntegration.triggers(integrations.get("exit")).get(0).at("/spec/filter/attributes/type").asText())
                .isEqualTo(VcenterEvent.EXIT_TYPE);
    }

    @Test
    @Order(2)
    void theEnterPipeMarksAndTheExitPipeUnmarksAHost() {
        String host = vrops.resourceId(VCSA01_UUID, "host-21");
        VcenterEvent entered = VcenterEvent.entered("esx01.lab.local", "host-21");
        VcenterEvent exited = VcenterEvent.exited("esx01.lab.local", "host-21");

        assertThat(send("enter", entered).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(host)).isEqualTo("MAINTAINED_MANUAL");
        assertThat(send("exit", exited).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(host)).isEqualTo("STARTED");

        assertThat(pods.get("enter").log()).contains("Apache Camel 4.17.0").contains("Event " + entered.id()
                + " from https://vcsa01.lab.local/sdk: enter maintenance of vROps resource " + host + ", host esx01.lab.local");
        assertThat(pods.get("exit").log()).contains("Event " + exited.id()
                + " from https://vcsa01.lab.local/sdk: exit maintenance of vROps resource " + host + ", host esx01.lab.local");
        assertThat(vrops.activeTokens()).as("each token given back").isZero();
    }

    /** Camel K's Broker source answers 204 whatever happened; the dead letter carries the event's attributes. */
    @Test
    @Order(3)
    void aFailedEventIsDeadLetteredWithItsAttributesAndItsTokenGivenBack() throws Exception {
        VcenterEvent unknown = VcenterEvent.entered("esx99.lab.local", "host-99");
        assertThat(send("enter", unknown).statusCode()).isEqualTo(204);
        Map<String, String> unknownLetter = deadLetters.next();

        VcenterEvent refused = VcenterEvent.exited("esx02.cl.vmweventbroker.io", "host-19");
        vrops.faults().failNext(Operation.UNMARK_MAINTAINED, 1, 503);
        assertThat(send("exit", refused).statusCode()).isEqualTo(204);
        Map<String, String> refusedLetter = deadLetters.next();

        assertThat(unknownLetter).containsEntry("ce-type", DEAD_LETTER_TYPE).containsEntry("ce-id", unknown.id() + "-dead-letter")
                .containsEntry("ce-originalid", unknown.id()).containsEntry("ce-originaltype", VcenterEvent.ENTERED_TYPE)
                .containsEntry("ce-originalsource", VcenterEvent.VCSA01).containsEntry("ce-vcenterhost", "esx99.lab.local");
        assertThat(unknownLetter.get("ce-deadletterreason")).contains("vROps has no HostSystem named esx99.lab.local");
        assertThat(refusedLetter).containsEntry("ce-originalid", refused.id()).containsEntry("ce-originaltype", VcenterEvent.EXIT_TYPE)
                .containsEntry("ce-vcenterhost", "esx02.cl.vmweventbroker.io");
        assertThat(refusedLetter.get("ce-deadletterreason")).contains("503");
        assertThat(pods.get("enter").log()).contains("WARN").contains("dead-letter id=" + unknown.id());
        TestSupport.await(Duration.ofSeconds(10), () -> vrops.activeTokens() == 0, "every token given back");
        assertThat(vrops.count(Operation.RELEASE_TOKEN)).isEqualTo(vrops.count(Operation.ACQUIRE_TOKEN));
    }

    private HttpResponse<String> send(String pipe, VcenterEvent event) {
        // the path of the Pipe's Trigger, where the knative trait's environment makes the consumer listen
        String path = PipeIntegration.triggers(integrations.get(pipe)).get(0).at("/spec/subscriber/uri").asText();
        OperatorPod pod = pods.get(pipe);
        return pod.send(IntegrationHarness.request(pod.uri().resolve(path), event));
    }

    /**
     * Ready as Knative Serving sees a container without a readiness probe of its own (the Pipes set no health trait):
     * once its port accepts connections; the Broker source's route is started by then.
     */
    private static void awaitListening(OperatorPod pod) {
        URI uri = pod.uri();
        TestSupport.await(Duration.ofSeconds(90), () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
                return pod.log().contains(") started in ");
            } catch (IOException notYet) {
                return false;
            }
        }, "the pod listening on " + uri);
    }
}
