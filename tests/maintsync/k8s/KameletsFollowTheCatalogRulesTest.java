package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Our Kamelets, and their copies in k8s/, would pass the Apache Camel Kamelets catalog validator. */
class KameletsFollowTheCatalogRulesTest {

    private static final Path SINK = Manifests.KAMELETS.resolve("vrops-maintenance-sink.kamelet.yaml");
    /** The Kamelet with credentials. */
    private static final Path TOKEN = Manifests.KAMELETS.resolve("vrops-token-action.kamelet.yaml");

    static List<Path> kamelets() {
        return Manifests.kameletFiles();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kamelets")
    void followsEveryRule(Path file) {
        assertThat(KameletCatalogRules.violations(file, Manifests.single(file).doc())).isEmpty();
    }

    @Test
    void everyKameletHasTheSameCatalogVersion() {
        assertThat(kamelets().stream()
                .map(file -> Manifests.single(file).doc().path("metadata").path("annotations")
                        .path(KameletCatalogRules.CATALOG_VERSION).asText())
                .distinct())
                .hasSize(1);
    }

    // Each rule must catch the mistake it is there for.

    @Test
    void aParameterUsedButNotDeclaredIsReported() {
        assertViolation(kamelet -> ((ArrayNode) kamelet.at("/spec/template/from/steps"))
                .addObject().putObject("setHeader").put("name", "X-Tenant").put("constant", "{{?tenant}}"), "{{tenant}}");
    }

    @Test
    void aParameterDeclaredButNeverUsedIsReported() {
        assertViolation(kamelet -> ((ObjectNode) kamelet.at("/spec/definition/properties")).putObject("proxyHost")
                .put("title", "Proxy Host").put("type", "string").put("description", "Not used."), "proxyHost");
    }

    @Test
    void aPasswordOutsideTheCredentialsGroupIsReported() {
        assertViolation(TOKEN, kamelet -> ((ObjectNode) kamelet.at("/spec/definition/properties/password")).remove("x-descriptors"),
                KameletCatalogRules.CREDENTIALS);
    }

    @Test
    void aPropertyWithoutTitleIsReported() {
        assertViolation(TOKEN, kamelet -> ((ObjectNode) kamelet.at("/spec/definition/properties/authSource")).remove("title"),
                "authSource has no title");
    }

    @Test
    void aRequiredPropertyThatDoesNotExistIsReported() {
        assertViolation(kamelet -> ((ArrayNode) kamelet.at("/spec/definition/required")).add("token"), "token");
    }

    @Test
    void aTitleNotEndingWithTheTypeIsReported() {
        assertViolation(kamelet -> ((ObjectNode) kamelet.at("/spec/definition")).put("title", "vROps Maintenance"),
                "does not end with Sink");
    }

    @Test
    void aNameNotEndingWithTheTypeIsReported() {
        assertViolation(kamelet -> ((ObjectNode) kamelet.at("/metadata/labels")).put(KameletCatalogRules.TYPE_LABEL, "action"),
                "does not end with -action");
    }

    @Test
    void aSinkNotStartingFromTheKameletSourceIsReported() {
        assertViolation(kamelet -> ((ObjectNode) kamelet.at("/spec/template/from")).put("uri", "direct:start"), "kamelet:source");
    }

    @Test
    void aDependencyWithoutSchemeIsReported() {
        assertViolation(kamelet -> ((ArrayNode) kamelet.at("/spec/dependencies")).add("http"), "dependency http");
    }

    @Test
    void anIconThatIsNoSvgIsReported() {
        String html = Base64.getEncoder().encodeToString("<html><body/></html>".getBytes(StandardCharsets.UTF_8));
        assertViolation(kamelet -> ((ObjectNode) kamelet.at("/metadata/annotations"))
                .put(KameletCatalogRules.ICON, "data:image/svg+xml;base64," + html), "not svg");
    }

    @Test
    void anIconLinkIsReported() {
        assertViolation(kamelet -> ((ObjectNode) kamelet.at("/metadata/annotations"))
                .put(KameletCatalogRules.ICON, "https://example.com/icon.svg"), "embedded");
    }

    @Test
    void aMissingProviderIsReported() {
        assertViolation(kamelet -> ((ObjectNode) kamelet.at("/metadata/annotations")).remove(KameletCatalogRules.PROVIDER),
                KameletCatalogRules.PROVIDER);
    }

    @Test
    void aFileNamedOtherThanTheKameletIsReported() {
        JsonNode kamelet = Manifests.single(SINK).doc();

        assertThat(KameletCatalogRules.violations(Path.of("kamelets/vrops-sink.kamelet.yaml"), kamelet))
                .anySatisfy(violation -> assertThat(violation).contains("file name"));
    }

    private static void assertViolation(Consumer<JsonNode> mistake, String expected) {
        assertViolation(SINK, mistake, expected);
    }

    private static void assertViolation(Path file, Consumer<JsonNode> mistake, String expected) {
        JsonNode kamelet = Manifests.single(file).doc().deepCopy();
        mistake.accept(kamelet);

        assertThat(KameletCatalogRules.violations(file, kamelet))
                .anySatisfy(violation -> assertThat(violation).contains(expected));
    }
}
