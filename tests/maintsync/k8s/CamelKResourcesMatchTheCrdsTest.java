package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import maintsync.k8s.Manifests.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every Integration, Kamelet and Pipe is accepted by the Camel K CRDs as it is written, with no field ignored. */
class CamelKResourcesMatchTheCrdsTest {

    private static final List<String> CAMEL_K_KINDS = List.of("Integration", "Kamelet", "Pipe");

    private static CamelKCrds crds;

    @BeforeAll
    static void loadCrds() {
        crds = CamelKCrds.load();
    }

    /** Those of k8s/, and the Kamelets of kamelets/ (the same as their copies, unless a copy is out of date). */
    static Stream<Manifest> camelKResources() {
        Stream<Manifest> k8s = Manifests.all().stream().filter(manifest -> manifest.apiVersion().startsWith("camel.apache.org/"));
        Stream<Manifest> catalog = GeneratedManifests.catalogKamelets().stream().map(Manifests::single);
        return Stream.concat(k8s, catalog);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("camelKResources")
    void isValid(Manifest resource) {
        assertThat(resource.kind()).isIn(CAMEL_K_KINDS);
        assertThat(crds.problems(resource.doc())).as(resource.toString()).isEmpty();
    }

    @Test
    void theDeliveryHasTwoIntegrationsTenKameletsAndTwoPipes() {
        // each Kamelet twice: its source in kamelets/ and its copy in k8s/kamelets/
        assertThat(camelKResources().map(Manifest::kind))
                .containsExactlyInAnyOrder("Integration", "Integration", "Pipe", "Pipe",
                        "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet",
                        "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet", "Kamelet");
    }

    // The checks above would pass on anything if the schema were lax: each mistake below must be caught.

    @Test
    void aMisspelledTraitFieldIsRejected() {
        assertRejected(Manifests.INTEGRATION, integration -> {
            ObjectNode service = (ObjectNode) integration.at("/spec/traits/knative-service");
            service.set("minScal", service.remove("minScale"));
        }, "minScal");
    }

    @Test
    void anUnknownTraitIsRejected() {
        assertRejected(Manifests.INTEGRATION, integration -> ((ObjectNode) integration.at("/spec/traits"))
                .putObject("knative-services").put("minScale", 1), "knative-services");
    }

    @Test
    void aWrongValueTypeIsRejected() {
        assertRejected(Manifests.INTEGRATION, integration -> ((ObjectNode) integration.at("/spec/traits/mount"))
                .put("configs", "secret:vrops-credentials"), "configs");
    }

    @Test
    void aRuntimeProviderCamelKDoesNotKnowIsRejected() {
        assertRejected(Manifests.INTEGRATION, integration -> ((ObjectNode) integration.at("/spec/traits/camel"))
                .put("runtimeProvider", "quarkus-plain"), "runtimeProvider");
    }

    @Test
    void anUnknownMetadataFieldIsRejected() {
        assertRejected(Manifests.PIPES.resolve("vcenter-maintenance-enter.pipe.yaml"), pipe -> {
            ObjectNode metadata = (ObjectNode) pipe.path("metadata");
            metadata.set("annotation", metadata.remove("annotations"));
        }, "annotation");
    }

    @Test
    void aMisspelledPipeEndpointFieldIsRejected() {
        assertRejected(Manifests.PIPES.resolve("vcenter-maintenance-exit.pipe.yaml"), pipe -> {
            ObjectNode sink = (ObjectNode) pipe.at("/spec/sink");
            sink.set("property", sink.remove("properties"));
        }, "property");
    }

    @Test
    void aMisspelledKameletPropertyKeywordIsRejected() {
        assertRejected(kameletCopy(), kamelet -> {
            ObjectNode password = (ObjectNode) kamelet.at("/spec/definition/properties/password");
            password.set("x-descriptor", password.remove("x-descriptors"));
        }, "x-descriptor");
    }

    @Test
    void kameletDependenciesMustBeAList() {
        assertRejected(kameletCopy(), kamelet -> ((ObjectNode) kamelet.path("spec"))
                .set("dependencies", ((ArrayNode) kamelet.at("/spec/dependencies")).get(0)), "dependencies");
    }

    private static Path kameletCopy() {
        return GeneratedManifests.KAMELET_COPIES.resolve("vrops-token-action" + Manifests.KAMELET_SUFFIX);
    }

    private static void assertRejected(Path file, Consumer<JsonNode> mistake, String field) {
        JsonNode resource = Manifests.single(file).doc().deepCopy();
        mistake.accept(resource);

        assertThat(crds.problems(resource)).as("problems of %s with %s broken", file, field)
                .anySatisfy(problem -> assertThat(problem).contains(field));
    }
}
