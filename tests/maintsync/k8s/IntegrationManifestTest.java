package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * What the Integration needs besides the route: the dependencies of the route's own code, the Kamelet it calls, and
 * settings that reach every key of application.properties exactly once, from the Secret or from the camel trait.
 */
class IntegrationManifestTest {

    /** The settings the user sets, the same for the Integration and the Pipes. */
    private static final Set<String> USER_SETTINGS = Set.of("vrops.url", "vrops.username", "vrops.password-file",
            "vrops.auth-source", "vrops.tls.ca-file", "vrops.tls.insecure", "vrops.vcenter-uuids", "vrops.maintenance-minutes");
    private static final String SECRET = "vrops-credentials";
    private static final String PASSWORD_SECRET = "vrops-password";


    /** A qualified class name in Java source: lower-case package segments, then a capitalised name. */
    private static final Pattern QUALIFIED_NAME = Pattern.compile("\\b((?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_]*)");
    /** Jars of Camel's core and the logging API it depends on, which every Camel K runtime has. */
    private static final Set<String> CAMEL_CORE = Set.of("camel-api", "camel-util", "camel-util-json", "camel-support",
            "camel-base", "camel-base-engine", "camel-core-engine", "camel-core-model", "camel-core-processor",
            "camel-core-reifier", "camel-core-languages", "camel-management-api", "slf4j-api");
    /** Camel jars that another component brings, and that component. */
    private static final Map<String, String> CAMEL_PARTS = Map.of("camel-http-base", "camel:http", "camel-http-common", "camel:http",
            "camel-knative-http", "camel:knative", "camel-knative-api", "camel:knative");
    /** Libraries the route may use directly, by jar name prefix, and the Camel component that brings each. */
    private static final Map<String, String> LIBRARIES = Map.of(
            "jackson-", "camel:jackson", "httpclient5", "camel:http", "httpcore5", "camel:http", "micrometer-", "camel:micrometer",
            "vertx-", "camel:platform-http");

    private final JsonNode integration = Manifests.single(Manifests.INTEGRATION).doc();

    @Test
    void itDeclaresTheDependencyOfEveryClassTheRouteUses() throws Exception {
        Set<String> needed = new TreeSet<>();
        Matcher name = QUALIFIED_NAME.matcher(allSources());
        while (name.find()) {
            Class<?> type;
            try {
                type = Class.forName(name.group(1), false, getClass().getClassLoader());
            } catch (ClassNotFoundException notAClass) {
                continue; // a property key or a log text
            }
            CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source != null) {
                dependencyOf(source.getLocation()).ifPresent(needed::add);
            }
        }
        List<String> declared = new ArrayList<>();
        integration.at("/spec/dependencies").forEach(dependency -> declared.add(dependency.asText()));

        assertThat(needed).as("dependencies the route's imports need").isNotEmpty();
        assertThat(declared).containsAll(needed);
    }

    /** The operator finds the Kamelets by the literal kamelet: URIs of the sources (pkg/util/source/kamelet.go). */
    @Test
    void theSourcesCallEachKameletLiterallyAndK8sDeploysThem() {
        Matcher kamelet = Pattern.compile("\\.to\\(\"kamelet:([a-z0-9-]+)").matcher(allSources());
        Set<String> called = new TreeSet<>();
        while (kamelet.find()) {
            called.add(kamelet.group(1));
        }

        assertThat(called).containsExactlyInAnyOrder("vrops-token-action", "vrops-host-lookup-action",
                "vrops-current-user-action", "vrops-maintenance-sink", "vrops-hosts-action",
                "vrops-timed-maintenance-action", "vrops-end-maintenance-action");
        assertThat(called).allSatisfy(name -> assertThat(GeneratedManifests.KAMELET_COPIES.resolve(name + Manifests.KAMELET_SUFFIX)).exists());
        assertThat(integration.at("/spec/traits/kamelets").isMissingNode()).as("no kamelets trait needed").isTrue();
    }

    @Test
    void theSecretHoldsTheUserSettingsAndTheCamelTraitTheRest() {
        Map<String, String> application = Manifests.properties(Manifests.text(Manifests.APPLICATION_PROPERTIES));
        Map<String, String> secret = Manifests.secretExampleProperties();

        assertThat(secret).containsKeys(USER_SETTINGS.toArray(String[]::new));
        assertThat(application.keySet()).as("one vocabulary: the Secret sets settings of application.properties")
                .containsAll(secret.keySet());
        // Never in both: which of a Secret and the camel trait wins is not something to rely on.
        List<String> camelTrait = new ArrayList<>();
        integration.at("/spec/traits/camel/properties").forEach(setting -> camelTrait.add(setting.asText().split("=", 2)[0]));
        assertThat(camelTrait).doesNotContainAnyElementsOf(secret.keySet());
    }

    @Test
    void theSecretsWiringOfTheKameletIsThatOfApplicationProperties() {
        Map<String, String> application = Manifests.properties(Manifests.text(Manifests.APPLICATION_PROPERTIES));

        Manifests.secretExampleProperties().forEach((key, value) -> {
            if (!USER_SETTINGS.contains(key)) {
                assertThat(value).as(key).isEqualTo(application.get(key));
            }
        });
    }

    @Test
    void theSecretExampleHoldsNoCredentials() {
        Map<String, String> secret = Manifests.secretExampleProperties();

        assertThat(secret.get("vrops.username")).matches("<.+>");
        assertThat(secret.get("vrops.url")).contains("example.com");
        assertThat(secret).doesNotContainKey("vrops.password");
        assertThat(Manifests.single(Manifests.PASSWORD_EXAMPLE).doc().at("/stringData/vrops.password").asText()).matches("<.+>");
    }

    /**
     * The password reaches the Java route as a file of a Secret mounted as a resource, never as a property; a Pipe
     * mounts that Secret as properties, the only way a Kamelet gets it.
     */
    @Test
    void thePasswordIsAFileForTheIntegrationAndAPropertyForThePipes() {
        assertThat(Manifests.single(Manifests.PASSWORD_EXAMPLE).name()).isEqualTo(PASSWORD_SECRET);
        assertThat(integration.at("/spec/traits/mount/configs").toString()).doesNotContain(PASSWORD_SECRET);
        assertThat(integration.at("/spec/traits/mount/resources").toString())
                .contains("\"secret:" + PASSWORD_SECRET + "@/etc/vrops-password\"");
        assertThat(Manifests.secretExampleProperties()).containsEntry("vrops.password-file", "/etc/vrops-password/vrops.password")
                .doesNotContainKey("camel.kamelet.vrops-token-action.password");
        assertThat(Manifests.ofKind("Pipe")).allSatisfy(pipe -> {
            assertThat(pipe.doc().at("/metadata/annotations").path("trait.camel.apache.org/mount.configs").asText())
                    .isEqualTo("[\"secret:" + SECRET + "\", \"secret:" + PASSWORD_SECRET + "\"]");
            assertThat(pipe.doc().at("/metadata/annotations").path("trait.camel.apache.org/camel.properties").asText())
                    .contains("\"camel.kamelet.vrops-token-action.password={{vrops.password}}\"");
        });
    }

    @Test
    void theIntegrationAndThePipesMountTheExampleSecret() {
        assertThat(Manifests.single(Manifests.SECRET_EXAMPLE).name()).isEqualTo(SECRET);
        assertThat(integration.at("/spec/traits/mount/configs/0").asText()).isEqualTo("secret:" + SECRET);
    }

    @Test
    void theKnativeServiceIsProbedAndReadinessLeavesTheBlipsToTheVropsCheck() {
        JsonNode health = integration.at("/spec/traits/health");
        Map<String, String> application = Manifests.properties(Manifests.text(Manifests.APPLICATION_PROPERTIES));

        assertThat(health.path("readinessProbeEnabled").asBoolean()).isTrue();
        assertThat(health.path("livenessProbeEnabled").asBoolean()).isTrue();
        // the route counts failed vROps checks itself; a second threshold here would only delay "not ready"
        assertThat(health.path("readinessFailureThreshold").asInt()).isEqualTo(1);
        assertThat(Integer.parseInt(application.get("vrops.readiness.failure-threshold"))).isGreaterThan(1);
        assertThat(health.path("readinessPeriod").asLong() * 1000)
                .isGreaterThanOrEqualTo(Long.parseLong(application.get("vrops.readiness.check-interval-ms")));
    }

    /**
     * Camel Quarkus applies Camel Main's configuration to every camel.* key and stops at start on those of Camel
     * Main's own HTTP server, metrics and health; build-time keys of Camel Quarkus go to the builder trait.
     */
    @Test
    void theCamelTraitCarriesNoKeyThatOnlyCamelMainKnowsNorABuildTimeKey() {
        List<String> camelTrait = new ArrayList<>();
        integration.at("/spec/traits/camel/properties").forEach(setting -> camelTrait.add(setting.asText().split("=", 2)[0]));

        assertThat(camelTrait).isNotEmpty().noneMatch(key -> key.startsWith("camel.management.")
                || key.startsWith("camel.metrics.") || key.startsWith("camel.server.") || key.startsWith("camel.beans.vertxOptions")
                || key.startsWith("quarkus.camel.metrics."));
        assertThat(integration.at("/spec/traits/builder/properties").toString())
                .contains("quarkus.camel.metrics.enable-exchange-event-notifier=false");
    }

    private static String allSources() {
        StringBuilder text = new StringBuilder();
        Manifests.integrationSources().forEach(source -> text.append(Manifests.text(source)));
        return text.toString();
    }

    /** The Camel K dependency that brings a jar, or none for the JDK and Camel's core. */
    private static Optional<String> dependencyOf(URL jar) {
        String file = Path.of(jar.getPath()).getFileName().toString();
        String artifact = file.replaceFirst("-\\d[^-]*(-SNAPSHOT)?\\.jar$", "");
        if (CAMEL_CORE.contains(artifact) || !file.endsWith(".jar")) {
            return Optional.empty();
        }
        if (CAMEL_PARTS.containsKey(artifact)) {
            return Optional.of(CAMEL_PARTS.get(artifact));
        }
        if (artifact.startsWith("camel-")) {
            return Optional.of("camel:" + artifact.substring("camel-".length()));
        }
        return LIBRARIES.entrySet().stream().filter(library -> artifact.startsWith(library.getKey()))
                .map(Map.Entry::getValue).findFirst()
                .or(() -> {
                    throw new AssertionError("The route uses " + file + ": name the Camel component that brings it in "
                            + IntegrationManifestTest.class.getSimpleName() + ".LIBRARIES");
                });
    }
}
