package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The echo Integration deploys exactly routes/VCenterEventEcho.java, whose consumer gets an unfiltered Trigger. */
class EchoManifestTest {

    private static final Path ECHO = Manifests.K8S.resolve("echo/vcenter-event-echo.yaml");
    private static final Path ROUTE = Path.of("routes/VCenterEventEcho.java");

    @Test
    void theIntegrationCarriesTheRouteSourceUnchanged() {
        JsonNode source = Manifests.single(ECHO).doc().path("spec").path("sources").get(0);

        assertThat(source.path("name").asText()).isEqualTo(ROUTE.getFileName().toString());
        assertThat(source.path("content").asText()).isEqualTo(Manifests.text(ROUTE));
    }

    @Test
    void theConsumerNamesNoEventTypeSoItsTriggerHasNoFilter() {
        assertThat(Manifests.text(ROUTE)).contains("from(\"knative:event\")").doesNotContain("knative:event/");
    }
}
