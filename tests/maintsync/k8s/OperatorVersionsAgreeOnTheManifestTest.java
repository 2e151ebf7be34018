package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * What each replayed Camel K version makes of {@code k8s/integration.yaml}, without building it: the same probes and
 * the same application on 2.10.1 and 2.11.0, and the scrape of {@code k8s/monitoring/} where the build puts the
 * metrics. {@link OperatorReplay} builds and runs both.
 */
class OperatorVersionsAgreeOnTheManifestTest {

    private static final String HEALTH_EXTENSION = "org.apache.camel.quarkus:camel-quarkus-microprofile-health";

    private final JsonNode integration = OperatorBuild.integration();
    private final List<JsonNode> kamelets = OperatorBuild.kamelets(integration);

    @Test
    void everyVersionProbesTheContainerPortAtTheSamePaths() {
        List<OperatorPod.Probe> expected = List.of(
                new OperatorPod.Probe("liveness", CamelKOperator.CONTAINER_PORT, "/observe/health/live"),
                new OperatorPod.Probe("readiness", CamelKOperator.CONTAINER_PORT, "/observe/health/ready"));

        for (CamelKOperator operator : CamelKOperator.values()) {
            assertThat(OperatorPod.probes(integration, operator)).as(operator.toString()).isEqualTo(expected);
        }
        assertThat(buildProperty("quarkus.smallrye-health.root-path")).isEqualTo("/observe/health");
        assertThat(buildProperty("quarkus.management.enabled")).isEqualTo("false");
    }

    /** Why the probes are pinned: left to the versions, 2.11 probes a port the application does not open. */
    @Test
    void withoutThePinsTheVersionsWouldProbeDifferentPortsAndPaths() {
        ObjectNode unpinned = integration.deepCopy();
        ((ObjectNode) unpinned.at("/spec/traits/health")).remove(List.of("livenessProbe", "livenessPort", "readinessProbe", "readinessPort"));

        assertThat(OperatorPod.probes(unpinned, CamelKOperator.V2_10_1)).containsExactly(
                new OperatorPod.Probe("liveness", 8080, "/q/health/live"), new OperatorPod.Probe("readiness", 8080, "/q/health/ready"));
        assertThat(OperatorPod.probes(unpinned, CamelKOperator.V2_11_0)).containsExactly(
                new OperatorPod.Probe("liveness", 9876, "/observe/health/live"), new OperatorPod.Probe("readiness", 9876, "/observe/health/ready"));
    }

    /** 2.10.1's health trait lists the health extension, which observability-services brings on 2.11: one build serves both. */
    @Test
    void theVersionsDependenciesDifferOnlyInTheHealthExtensionThatObservabilityServicesBrings() {
        Set<String> older = OperatorBuild.dependencies(integration, kamelets, CamelKOperator.V2_10_1);
        Set<String> newer = OperatorBuild.dependencies(integration, kamelets, CamelKOperator.V2_11_0);
        Set<String> onlyOlder = new TreeSet<>(older);
        onlyOlder.removeAll(newer);
        Set<String> onlyNewer = new TreeSet<>(newer);
        onlyNewer.removeAll(older);

        assertThat(onlyOlder).containsExactly(HEALTH_EXTENSION);
        assertThat(onlyNewer).isEmpty();
        assertThat(newer).contains("org.apache.camel.quarkus:camel-quarkus-observability-services");
    }

    /** Both versions check camel: dependencies against their Camel K runtime 3.15 catalog, older than the extension. */
    @Test
    void observabilityServicesAsACamelDependencyFailsOnBothVersions() {
        ObjectNode named = integration.deepCopy();
        ArrayNode dependencies = (ArrayNode) named.at("/spec/dependencies");
        dependencies.removeIf(dependency -> dependency.asText().endsWith("observability-services"));
        dependencies.add("camel:observability-services");

        for (CamelKOperator operator : CamelKOperator.values()) {
            assertThatThrownBy(() -> OperatorBuild.dependencies(named, kamelets, operator)).as(operator.toString())
                    .hasMessageStartingWith("dependency camel:observability-services not found in Camel catalog");
        }
    }

    @Test
    void thePodMonitorScrapesTheContainerPortWhereTheBuildServesTheMetrics() {
        JsonNode endpoint = Manifests.single(Manifests.K8S.resolve("monitoring/podmonitor.yaml")).doc().at("/spec/podMetricsEndpoints/0");

        assertThat(endpoint.path("port").asText()).isEqualTo(OperatorPod.KNATIVE_USER_PORT);
        assertThat(endpoint.path("path").asText()).isEqualTo(buildProperty("quarkus.micrometer.export.prometheus.path"));
        assertThat(integration.at("/spec/traits/prometheus").isMissingNode()).as("the deprecated prometheus trait").isTrue();
    }

    private String buildProperty(String key) {
        return OperatorBuild.buildProperties(integration).get(key);
    }
}
