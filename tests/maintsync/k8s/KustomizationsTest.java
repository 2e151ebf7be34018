package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import maintsync.k8s.Manifests.Manifest;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl apply -k k8s/} deploys the Integration, {@code kubectl apply -k k8s/pipes/} the Pipes, each with
 * the Kamelets, {@code kubectl apply -k k8s/app/} the Camel Quarkus application, and nothing applies the example Secret. Every file stays inside its kustomization's directory, which
 * kubectl requires, or is a directory with its own kustomization.
 */
class KustomizationsTest {

    private static final String KUSTOMIZATION = "kustomization.yaml";
    /** The kinds k8s/ may hold, with the API version each must have. */
    private static final Set<String> KNOWN = Set.of("camel.apache.org/v1 Integration", "camel.apache.org/v1 Kamelet",
            "camel.apache.org/v1 Pipe", "eventing.knative.dev/v1 Trigger", "v1 Secret",
            "kustomize.config.k8s.io/v1beta1 Kustomization", "monitoring.coreos.com/v1 PrometheusRule",
            "monitoring.coreos.com/v1 PodMonitor", "v1 ConfigMap", "serving.knative.dev/v1 Service");

    @Test
    void everyDocumentIsOfAKnownApiVersionAndKind() {
        assertThat(Manifests.all()).allSatisfy(manifest ->
                assertThat(manifest.apiVersion() + " " + manifest.kind()).as(manifest.file().toString()).isIn(KNOWN));
    }

    @Test
    void k8sDeploysTheIntegrationItsKameletsAndTheTriggersOfBothFormats() {
        assertThat(kinds(applied(Manifests.K8S)))
                .containsExactlyInAnyOrder("Integration", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet",
                        "Kamelet", "Kamelet", "Trigger", "Trigger", "Trigger", "Trigger");
    }

    @Test
    void k8sPipesDeploysThePipesAndTheKamelets() {
        assertThat(kinds(applied(Manifests.PIPES))).containsExactlyInAnyOrder("Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet",
                "Kamelet", "Pipe", "Pipe");
    }

    @Test
    void k8sAppDeploysTheApplicationsServiceAndTheTriggersOfBothFormats() {
        assertThat(kinds(applied(GeneratedManifests.APP))).containsExactlyInAnyOrder("Service", "Trigger", "Trigger", "Trigger", "Trigger");
    }

    @Test
    void k8sMonitoringDeploysTheScrapeTheAlertsAndTheDashboard() {
        // apart: a cluster without the Prometheus Operator has no PodMonitor kind, and kubectl apply -k k8s/ would fail
        assertThat(kinds(applied(Manifests.K8S.resolve("monitoring"))))
                .containsExactlyInAnyOrder("PodMonitor", "PrometheusRule", "ConfigMap");
    }

    @Test
    void everyManifestButTheExampleSecretsIsDeployedByOneOfThem() {
        Set<Path> applied = new TreeSet<>();
        applied(Manifests.K8S).forEach(manifest -> applied.add(manifest.file()));
        applied(Manifests.PIPES).forEach(manifest -> applied.add(manifest.file()));
        applied(Manifests.K8S.resolve("echo")).forEach(manifest -> applied.add(manifest.file()));
        applied(Manifests.K8S.resolve("monitoring")).forEach(manifest -> applied.add(manifest.file()));
        applied(GeneratedManifests.APP).forEach(manifest -> applied.add(manifest.file()));
        Set<Path> manifests = new TreeSet<>();
        Manifests.all().stream().filter(manifest -> !manifest.kind().equals("Kustomization"))
                .forEach(manifest -> manifests.add(manifest.file()));
        manifests.remove(Manifests.SECRET_EXAMPLE);
        manifests.remove(Manifests.PASSWORD_EXAMPLE);

        assertThat(applied).containsExactlyInAnyOrderElementsOf(manifests)
                .doesNotContain(Manifests.SECRET_EXAMPLE, Manifests.PASSWORD_EXAMPLE);
    }

    /** The documents a kustomization applies, following the directories it includes. */
    private static List<Manifest> applied(Path directory) {
        Path kustomization = directory.resolve(KUSTOMIZATION);
        JsonNode doc = Manifests.single(kustomization).doc();
        assertThat(doc.path("kind").asText()).isEqualTo("Kustomization");
        List<Manifest> manifests = new ArrayList<>();
        for (JsonNode entry : doc.path("resources")) {
            Path resource = directory.resolve(entry.asText()).normalize();
            if (Files.isDirectory(resource)) {
                assertThat(resource.resolve(KUSTOMIZATION)).as("%s includes a directory without kustomization", kustomization).exists();
                manifests.addAll(applied(resource));
            } else {
                assertThat(resource).as("%s: kubectl refuses files outside its directory", kustomization).startsWith(directory);
                assertThat(resource).exists();
                Manifests.read(resource).forEach(manifest -> manifests.add(new Manifest(resource, manifest)));
            }
        }
        return manifests;
    }

    private static List<String> kinds(List<Manifest> manifests) {
        return manifests.stream().map(Manifest::kind).toList();
    }
}
