package maintsync.k8s;

import static maintsync.TestSupport.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import maintsync.VcenterEvent;
import maintsync.vrops.Operation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Camel Quarkus application of {@code app/}, built from {@code routes/} and {@code kamelets/} by its Maven project
 * and started as the image of {@code k8s/app/knative-service.yaml} starts it ({@link CamelQuarkusApp}), with the
 * example Secret filled in, driven over real HTTP against the vROps simulator as the operator replay drives Camel K:
 * both event formats, readiness through the vROps check, the metrics where {@code k8s/monitoring/podmonitor.yaml}
 * scrapes them, the host page, and a stop.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CamelQuarkusAppIT extends PodTest {

    private static final Path WORK = Path.of("target/camel-quarkus-app");
    private static final Path PODMONITOR = Manifests.K8S.resolve("monitoring/podmonitor.yaml");

    private Path quarkusApp;

    @BeforeAll
    void buildAndStart() throws Exception {
        quarkusApp = CamelQuarkusApp.build();
        podRoot = WORK.resolve("pod").toAbsolutePath();
        OperatorPod.deleteRecursively(WORK);

        vrops = PodTest.vropsKnowing(List.of(), List.of());
        Map<String, String> secret = OperatorPod.exampleSecret();
        secret.put("vrops.url", vrops.baseUri().toString());
        secret.put("vrops.username", "admin");
        secret.put("vrops.tls.ca-file", "/etc/vrops-ca/ca.pem");
        Map<String, Map<String, String>> volumes = Map.of("vrops-ca", Map.of("ca.pem", Files.readString(vrops.caCertificatePem())),
                "vrops-password", Map.of("vrops.password", "sim-admin-password"));
        OperatorPod.Container container = CamelQuarkusApp.layout(quarkusApp, podRoot, secret, volumes, freePort(),
                CamelQuarkusApp.imageJvmOptions());
        podFiles = PodTest.files(podRoot);
        pod = OperatorPod.start(container, WORK.resolve("app.log")).awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws Exception {
        stopPodAndVrops();
    }

    /** No jOOR, no route source to read at start: the routes are classes of the application, the Kamelets its resources. */
    @Test
    @Order(1)
    void theRoutesAreCompiledIntoTheApplicationAndTheKameletsAreInside() throws IOException {
        try (var jars = Files.list(quarkusApp.resolve("lib/main"))) {
            assertThat(jars.map(jar -> jar.getFileName().toString())).noneMatch(jar -> jar.contains("joor"));
        }
        assertThat(pod.log()).contains("Apache Camel 4.17.0", "Started vsphere-entered-maintenance", "Started event-router-maintenance",
                "Started vrops-mark-maintained").doesNotContain("ERROR");
    }

    /** The Service's probes, on the container port; readiness carries the vROps check, down on a refusal and up again. */
    @Test
    @Order(4)
    void theServicesProbesAnswerAndReadinessFollowsVrops() {
        OperatorPod.Probe liveness = pod.probe("liveness");
        OperatorPod.Probe readiness = pod.probe("readiness");
        assertThat(List.of(liveness, readiness)).containsExactly(new OperatorPod.Probe("liveness", 8080, "/observe/health/live"),
                new OperatorPod.Probe("readiness", 8080, "/observe/health/ready"));
        assertThat(pod.get(liveness.port(), liveness.path()).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = pod.get(readiness.port(), readiness.path());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"UP\"").contains("vrops");

        vrops.faults().failNext(Operation.MARK_MAINTAINED, 1, 403);
        assertThat(send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(403);
        HttpResponse<String> refused = pod.get(readiness.port(), readiness.path());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("vROps refused the enter maintenance of user admin (HTTP 403)");

        assertThat(send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        assertThat(pod.get(readiness.port(), readiness.path()).statusCode()).isEqualTo(200);
        assertThat(send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
    }

    /** k8s/monitoring/podmonitor.yaml's endpoint, on the container port, serves the counters the alerts read. */
    @Test
    @Order(5)
    void thePodMonitorsEndpointServesTheEventAndVropsCounters() {
        JsonNode endpoint = Manifests.single(PODMONITOR).doc().at("/spec/podMetricsEndpoints/0");
        HttpResponse<String> metrics = pod.get(endpoint.path("path").asText());

        assertServesTheAlertsCounters(metrics);
        assertThat(metrics.body()).doesNotContain("camel_exchange_event_notifier");
    }

    @Test
    @Order(6)
    void theHostPageShowsTheHostsOfTheEvents() {
        HttpResponse<String> page = pod.get("observe/hosts?format=text");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body().lines()).anyMatch(line -> line.contains(" esx01.lab.local ") && line.contains(" host-21 ")
                && line.contains(" not_maintained ") && line.contains(" exit "));
        assertThat(page.body().lines()).anyMatch(line -> line.contains(" esx02.cl.vmweventbroker.io ") && line.contains(" host-19 "));
    }
}
