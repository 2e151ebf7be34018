package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The echo Integration deploys exactly echo/VCenterEventEcho.java, with the Knative environment of its local run, and
 * its own unfiltered Trigger to the path its consumer listens at; the operator makes none.
 */
class EchoManifestTest {

    private static final Path ECHO = Manifests.K8S.resolve("echo/vcenter-event-echo.yaml");
    private static final Path ROUTE = Path.of("echo/VCenterEventEcho.java");
    private static final Path TRIGGER = Manifests.K8S.resolve("echo/trigger.yaml");
    private static final Map<String, String> LOCAL_ENVIRONMENT = GeneratedManifests.knativeEnvironment(Path.of("echo/knative.json"));

    @Test
    void theIntegrationCarriesTheRouteSourceUnchanged() {
        JsonNode source = Manifests.single(ECHO).doc().path("spec").path("sources").get(0);

        assertThat(source.path("name").asText()).isEqualTo(ROUTE.getFileName().toString());
        assertThat(source.path("content").asText()).isEqualTo(Manifests.text(ROUTE));
    }

    @Test
    void theConsumerNamesNoEventTypeAndItsTriggerHasNoFilter() {
        JsonNode trigger = Manifests.single(TRIGGER).doc();

        assertThat(Manifests.text(ROUTE)).contains("from(\"knative:event\")").doesNotContain("knative:event/");
        assertThat(trigger.at("/spec/filter").isMissingNode()).isTrue();
        assertThat(trigger.at("/spec/subscriber/ref/name").asText()).isEqualTo(Manifests.single(ECHO).name());
        assertThat(trigger.at("/spec/subscriber/uri").asText()).isEqualTo(LOCAL_ENVIRONMENT.get("camel.component.knative.environment.resources[0].path"));
    }

    @Test
    void theIntegrationListensWhereTheLocalRunDoesAndTheOperatorMakesNoTrigger() {
        JsonNode echo = Manifests.single(ECHO).doc();
        Map<String, String> properties = new LinkedHashMap<>();
        echo.at("/spec/traits/camel/properties").forEach(entry -> {
            String[] keyValue = entry.asText().split("=", 2);
            properties.put(keyValue[0], keyValue[1]);
        });

        assertThat(properties).containsExactlyEntriesOf(LOCAL_ENVIRONMENT);
        assertThat(echo.at("/spec/traits/knative/enabled").asBoolean(true)).isFalse();
    }
}
