package maintsync.k8s;

import static maintsync.TestSupport.freePort;
import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import maintsync.EventsDuringAStop;
import maintsync.IntegrationHarness;
import maintsync.VcenterEvent;
import maintsync.vrops.Inventory;
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
 * The Camel Quarkus application of {@code app/}, built from {@code routes/} and {@code kamelets/} by its Maven project
 * and started as the image of {@code k8s/app/knative-service.yaml} starts it ({@link CamelQuarkusApp}), with the
 * example Secret filled in, driven over real HTTP against the vROps simulator as the operator replay drives Camel K:
 * both event formats, readiness through the vROps check, the metrics where {@code k8s/monitoring/podmonitor.yaml}
 * scrapes them, the host page, and a stop.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CamelQuarkusAppIT {

    private static final Path WORK = Path.of("target/camel-quarkus-app");
    private static final Path PODMONITOR = Manifests.K8S.resolve("monitoring/podmonitor.yaml");

    private VropsSimulator vrops;
    private OperatorPod pod;
    private Path quarkusApp;
    private Path root;
    private Map<Path, FileTime> podFiles;

    @BeforeAll
    void buildAndStart() throws Exception {
        quarkusApp = CamelQuarkusApp.build();
        root = WORK.resolve("pod").toAbsolutePath();
        OperatorPod.deleteRecursively(WORK);

        Inventory defaults = Inventory.defaults();
        List<Inventory.Host> hosts = new ArrayList<>(defaults.hosts());
        hosts.addAll(EventsDuringAStop.INVENTORY.hosts());
        List<Inventory.VCenter> vcenters = new ArrayList<>(defaults.vcenters());
        vcenters.addAll(EventsDuringAStop.INVENTORY.vcenters());
        vrops = VropsSimulator.builder().inventory(new Inventory(defaults.users(), vcenters, hosts)).start();
        Map<String, String> secret = OperatorPod.exampleSecret();
        secret.put("vrops.url", vrops.baseUri().toString());
        secret.put("vrops.username", "admin");
        secret.put("vrops.tls.ca-file", "/etc/vrops-ca/ca.pem");
        Map<String, Map<String, String>> volumes = Map.of("vrops-ca", Map.of("ca.pem", Files.readString(vrops.caCertificatePem())),
                "vrops-password", Map.of("vrops.password", "sim-admin-password"));
        OperatorPod.Container container = CamelQuarkusApp.layout(quarkusApp, root, secret, volumes, freePort(),
                CamelQuarkusApp.imageJvmOptions());
        podFiles = files(root);
        pod = OperatorPod.start(container, WORK.resolve("app.log")).awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (pod != null) {
                pod.close();
            }
        } finally {
            if (vrops != null) {
                VropsOpenApi.load().assertRequestsValid(vrops.requests());
                vrops.close();
            }
        }
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

    @Test
    @Order(2)
    void enterAndExitInTheTanzuSourcesFormat() {
        String host = vrops.resourceId(VCSA01_UUID, "host-21");

        assertThat(send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(host)).isEqualTo("MAINTAINED_MANUAL");
        assertThat(send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(host)).isEqualTo("STARTED");
    }

    @Test
    @Order(3)
    void enterAndExitInTheEventRouterFormat() {
        String host = vrops.resourceId(VCSA01_UUID, "host-19");

        assertThat(send(VcenterEvent.entered("esx02.cl.vmweventbroker.io", "host-19").eventRouterFormat()).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(host)).isEqualTo("MAINTAINED_MANUAL");
        assertThat(send(VcenterEvent.exited("esx02.cl.vmweventbroker.io", "host-19").eventRouterFormat()).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(host)).isEqualTo("STARTED");
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

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body().lines()).anyMatch(line -> line.startsWith("vcenter_maintenance_events_total{")
                && line.contains("outcome=\"applied\"") && line.contains("action=\"enter\""));
        assertThat(metrics.body().lines()).anyMatch(line -> line.startsWith("vcenter_maintenance_events_received_total{")
                && line.contains("format=\"event-router\""));
        assertThat(metrics.body().lines()).anyMatch(line -> line.startsWith("vrops_calls_total{") && line.contains("call=\"token\""));
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

    /**
     * SIGTERM while events keep arriving: readiness turns down while events are still served, none is lost, the
     * token is released, and the application wrote no file into its image or mounts.
     */
    @Test
    @Order(7)
    void aStopLosesNoEventReleasesTheTokenAndWritesNoFile() throws Exception {
        assertThat(vrops.activeTokens()).isEqualTo(1);
        pod.stopWhileEventsArrive(vrops);
        assertThat(vrops.count(Operation.RELEASE_TOKEN)).isEqualTo(1);
        assertThat(vrops.activeTokens()).isZero();
        assertThat(files(root)).containsExactlyEntriesOf(podFiles);
    }

    private HttpResponse<String> send(VcenterEvent event) {
        return pod.send(IntegrationHarness.request(pod.uri(), event));
    }

    /** Every file under the pod's root, the fast-jar behind its link included, and when it was last changed. */
    private static Map<Path, FileTime> files(Path root) throws IOException {
        Map<Path, FileTime> files = new TreeMap<>();
        try (var paths = Files.walk(root, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            for (Path path : paths.toList()) {
                files.put(root.relativize(path), Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS));
            }
        }
        return files;
    }
}
