package maintsync.k8s;

import static maintsync.TestSupport.freePort;
import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.IntegrationHarness;
import maintsync.TestSupport;
import maintsync.VcenterEvent;
import maintsync.vcenter.Vcsim;
import maintsync.vrops.Inventory;
import maintsync.vrops.Operation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code k8s/integration.yaml} built and run the way a Camel K operator version builds and runs it, one subclass per
 * {@link CamelKOperator}: the Maven project {@link OperatorBuild} generates from the manifest, built on Camel Quarkus,
 * started in the pod layout of {@link OperatorPod} with the example Secret filled in, and driven over real HTTP
 * against the vROps simulator, at the ports and paths that version's traits and {@code k8s/monitoring/} give. The
 * Kamelets come from {@code k8s/kamelets/}, as the operator reads them from the cluster. The versions share one
 * build where their projects differ only in dependencies that their own dependencies declare
 * ({@link OperatorBuild#build(JsonNode, List, Path, List, List)}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OperatorReplay extends PodTest {

    private static final Path WORK = Path.of("target/operator-replay");
    private static final Path PODMONITOR = Manifests.K8S.resolve("monitoring/podmonitor.yaml");
    private static final int LOST_ENTERS = 11;

    private final CamelKOperator operator;
    private Vcsim vcenter;
    private Set<String> dependencies;

    OperatorReplay(CamelKOperator operator) {
        this.operator = operator;
    }

    @BeforeAll
    void buildAndStart() throws Exception {
        JsonNode integration = OperatorBuild.integration();
        List<JsonNode> kamelets = OperatorBuild.kamelets(integration);
        dependencies = OperatorBuild.dependencies(integration, kamelets, operator);
        OperatorBuild.Built built = OperatorBuild.builtOnce(WORK, integration, kamelets, operator);
        System.out.printf("%s: the shared build adds %s%n", operator, built.added().isEmpty() ? "nothing" : built.added());
        Path quarkusApp = built.quarkusApp();
        podRoot = WORK.resolve("pod-" + operator.version).toAbsolutePath();
        Path root = podRoot;
        OperatorPod.deleteRecursively(root);

        // a vCenter for the events of its hosts (the others' source, vcsa01.lab.local, is configured nowhere)
        vcenter = Vcsim.start("vc-replay-password", List.of("-cluster-hosts", "12"));
        // their Enters lost before the pod starts: its first pass lists vROps's hosts (more than 10 to find) and marks them
        vcenter.hosts().subList(1, 1 + LOST_ENTERS).forEach(vcenter::enterMaintenanceMode);
        vrops = PodTest.vropsKnowing(List.of(new Inventory.VCenter(vcenter.sdk().getHost(), vcenter.instanceUuid())),
                vcenter.hosts().stream().map(host -> new Inventory.Host(host.name(), host.moref(), vcenter.sdk().getHost())).toList());
        Map<String, String> secret = OperatorPod.exampleSecret();
        secret.put("vrops.url", vrops.baseUri().toString());
        secret.put("vrops.username", "admin");
        secret.put("vrops.tls.ca-file", root.resolve("etc/vrops-ca/ca.pem").toString());
        secret.put("vcenter.names", "lab");
        secret.put("vcenter.lab.url", vcenter.sdk().toString());
        secret.put("vcenter.lab.username", Vcsim.USERNAME);
        secret.put("vcenter.lab.password-file", IntegrationHarness.passwordFile("vc-replay-password").toString());
        secret.put("vcenter.lab.tls.ca-file", vcenter.caCertificatePem().toString());
        secret.put("vrops.password-file", root.resolve("etc/vrops-password/vrops.password").toString());
        Map<String, Map<String, String>> configMaps = Map.of("vrops-ca", Map.of("ca.pem", Files.readString(vrops.caCertificatePem())),
                "vrops-password", Map.of("vrops.password", "sim-admin-password"));
        OperatorPod.Container container = OperatorPod.layout(integration, kamelets, quarkusApp, root, secret, configMaps,
                freePort(), operator);
        podFiles = PodTest.files(root);
        pod = OperatorPod.start(container, WORK.resolve("pod-" + operator.version + ".log")).awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            stopPodAndVrops();
        } finally {
            if (vcenter != null) {
                vcenter.close();
            }
        }
    }

    @Test
    @Order(1)
    void theOperatorBuildsCamelQuarkusWithTheComponentsTheRouteAndTheKameletsUseAndObservabilityServices() {
        assertThat(dependencies).contains(
                "org.apache.camel.quarkus:camel-quarkus-java-joor-dsl", "org.apache.camel.quarkus:camel-quarkus-yaml-dsl",
                "org.apache.camel.quarkus:camel-quarkus-knative", "org.apache.camel.quarkus:camel-quarkus-platform-http",
                "org.apache.camel.quarkus:camel-quarkus-kamelet", "org.apache.camel.quarkus:camel-quarkus-http",
                "org.apache.camel.quarkus:camel-quarkus-jsonpath", "org.apache.camel.quarkus:camel-quarkus-micrometer",
                "org.apache.camel.quarkus:camel-quarkus-observability-services");
        // 2.10.1's health trait lists the health extension, 2.11's leaves it to observability-services
        assertThat(dependencies.contains("org.apache.camel.quarkus:camel-quarkus-microprofile-health"))
                .isEqualTo(operator.healthCapability);
        assertThat(pod.log()).contains("Apache Camel 4.17.0").doesNotContain("ERROR");
    }

    /** On Quarkus too, an event of a configured vCenter is checked against it, forged then confirmed, and the pass ran. */
    @Test
    @Order(4)
    void anEventOfAConfiguredVcenterIsCheckedAgainstIt() {
        Vcsim.Host host = vcenter.hosts().get(0);
        String resource = vrops.resourceId(vcenter.instanceUuid(), host.moref());
        VcenterEvent forged = VcenterEvent.entered(host.name(), host.moref()).source(vcenter.sdk().toString());

        assertThat(send(forged).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resource)).isEqualTo("STARTED");
        vcenter.enterMaintenanceMode(host);
        assertThat(send(VcenterEvent.entered(host.name(), host.moref()).source(vcenter.sdk().toString())).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resource)).isEqualTo("MAINTAINED");
        vcenter.exitMaintenanceMode(host);
        assertThat(send(VcenterEvent.exited(host.name(), host.moref()).source(vcenter.sdk().toString())).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resource)).isEqualTo("STARTED");
        assertThat(pod.log()).contains("Logged in to vCenter lab").contains("contradicted");
    }

    /** On Camel Quarkus too: the listing and the timed maintenance of many hosts per call, and the page of the hosts. */
    @Test
    @Order(4)
    void theFirstPassMarksTheHostsWhoseEntersWereLostAndThePageShowsThem() throws Exception {
        List<Vcsim.Host> lost = vcenter.hosts().subList(1, 1 + LOST_ENTERS);
        TestSupport.await(Duration.ofSeconds(30), () -> pod.log().contains("Reconciled vCenter lab"), "the first pass");
        assertThat(pod.log()).contains("Reconciled vCenter lab: 13 hosts, " + LOST_ENTERS + " repairs in");
        assertThat(lost).allSatisfy(host -> assertThat(vrops.resourceState(vrops.resourceId(vcenter.instanceUuid(), host.moref())))
                .isEqualTo("MAINTAINED"));
        assertThat(vrops.count(Operation.BULK_MARK_MAINTAINED)).isEqualTo(1);
        // the listing: a call per page of 500 of vROps's hosts, not one per host
        assertThat(vrops.requests()).filteredOn(request -> request.operation() == Operation.GET_RESOURCES
                && !request.rawQuery().contains("resourceState")).hasSizeLessThan(LOST_ENTERS)
                .allSatisfy(request -> assertThat(request.rawQuery()).contains("pageSize=500"));

        HttpResponse<String> page = pod.get("observe/hosts?format=text");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body().lines().filter(line -> line.startsWith("lab ") && line.contains(" in_maintenance ")
                && line.contains(" maintained ") && line.contains(" enter "))).hasSize(LOST_ENTERS);
        assertThat(new ObjectMapper().readTree(pod.get("observe/hosts").body()).at("/pageInfo/totalCount").asInt()).isGreaterThanOrEqualTo(13);
    }

    @Test
    @Order(5)
    void eachFailureGetsTheDocumentedAnswer() {
        VcenterEvent event = VcenterEvent.entered("esx01.lab.local", "host-21");

        HttpResponse<String> notJson = send(event.body("{"));
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).isEqualTo("event data is not a vCenter event in JSON");

        vrops.faults().failNext(Operation.MARK_MAINTAINED, 1, 403);
        assertThat(send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(403);
        // a refused maintenance call makes the pod not ready, and Quarkus's readiness answer carries the reason
        OperatorPod.Probe readiness = pod.probe("readiness");
        HttpResponse<String> refused = pod.get(readiness.port(), readiness.path());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("vROps refused the enter maintenance of user admin (HTTP 403): "
                + "give the user a role that may start and end maintenance");

        vrops.faults().nodeOffline(true);
        HttpResponse<String> offline = send(VcenterEvent.entered("esx01.lab.local", "host-21"));
        vrops.faults().nodeOffline(false);
        assertThat(offline.statusCode()).isEqualTo(503);
        assertThat(offline.body()).startsWith("vROps unavailable");

        // on Quarkus's router too, what no consumer takes is answered on purpose (BrokerEdge), never with 404
        HttpResponse<String> noConsumer = send(VcenterEvent.entered("esx01.lab.local", "host-21").eventRouterFormat()
                .header("ce-type", "com.example.other"));
        assertThat(noConsumer.statusCode()).isEqualTo(400);
        assertThat(noConsumer.body()).startsWith("no consumer for type com.example.other at path /");
        HttpResponse<String> get = pod.send(HttpRequest.newBuilder(pod.uri().resolve("/events/" + VcenterEvent.ENTERED_TYPE)).GET().build());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.body()).isEqualTo("method GET is not accepted: events are POSTed");
        assertThat(pod.send(HttpRequest.newBuilder(pod.uri().resolve("/events/" + VcenterEvent.ENTERED_TYPE))
                .header("Content-Type", "application/cloudevents+json").POST(HttpRequest.BodyPublishers.ofString("{}")).build())
                .statusCode()).isEqualTo(415);
        String huge = "{\"Host\": {\"Name\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}}";
        HttpResponse<String> tooLarge = send(VcenterEvent.entered("esx01.lab.local", "host-21").body(huge));
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).startsWith("the event body is larger than the limit");
        assertThat(scrape().body().lines()).anyMatch(line -> line.startsWith("vcenter_maintenance_requests_refused_total{")
                && line.contains("reason=\"too-large\""));

        // and it keeps serving
        assertThat(send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("STARTED");
    }

    /**
     * Pinned in the health trait, the probes are the same on every version (2.11 would probe port 9876 by default), on
     * the container port, where Knative Serving wants them; and the management port that observability-services
     * would open stays closed, as the builder trait asks.
     */
    @Test
    @Order(6)
    void theHealthTraitsProbesAnswerOnTheContainerPortAndReadinessIncludesVrops() {
        OperatorPod.Probe liveness = pod.probe("liveness");
        OperatorPod.Probe readiness = pod.probe("readiness");
        HttpResponse<String> live = pod.get(liveness.port(), liveness.path());
        HttpResponse<String> ready = pod.get(readiness.port(), readiness.path());

        assertThat(List.of(liveness, readiness)).containsExactly(
                new OperatorPod.Probe("liveness", CamelKOperator.CONTAINER_PORT, "/observe/health/live"),
                new OperatorPod.Probe("readiness", CamelKOperator.CONTAINER_PORT, "/observe/health/ready"));
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).doesNotContain("vrops");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"UP\"").contains("vrops");
        assertThatThrownBy(() -> pod.get(OperatorPod.MANAGEMENT_PORT, "/observe/health/ready"))
                .as("the management port").isInstanceOf(UncheckedIOException.class);
    }

    /** k8s/monitoring/podmonitor.yaml's endpoint serves the event and vROps counters the alerts read. */
    @Test
    @Order(7)
    void thePodMonitorsEndpointServesTheEventAndVropsCounters() {
        HttpResponse<String> metrics = scrape();

        assertServesTheAlertsCounters(metrics);
        assertThat(metrics.body().lines()).anyMatch(line -> line.startsWith("camel_route_policy_seconds_count{")
                && line.contains("routeId=\"apply-maintenance\""));
        // the build-time property of the builder trait turned the per-endpoint timers off
        assertThat(metrics.body()).doesNotContain("camel_exchange_event_notifier");
    }

    /** A scrape as k8s/monitoring/podmonitor.yaml configures it: its path on the port Knative names user-port. */
    private HttpResponse<String> scrape() {
        JsonNode endpoint = Manifests.single(PODMONITOR).doc().at("/spec/podMetricsEndpoints/0");
        assertThat(endpoint.path("port").asText()).isEqualTo(OperatorPod.KNATIVE_USER_PORT);
        return pod.get(CamelKOperator.CONTAINER_PORT, endpoint.path("path").asText());
    }
}
