package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.internal.eventing.pkg.apis.duck.v1.DeliverySpec;
import io.fabric8.knative.internal.pkg.apis.duck.v1.Destination;
import maintsync.k8s.Manifests.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Trigger reads into Knative's Trigger type (the fabric8 model of eventing.knative.dev/v1) with no field
 * unknown, and has what Knative's validation requires of it.
 */
class KnativeTriggersMatchTheKnativeModelTest {

    private static final Path ECHO_TRIGGER = Manifests.K8S.resolve("echo/trigger.yaml");

    /**
     * The Triggers of the maintenance sync; the echo's, which only logs, has neither filter nor retries, and those of
     * k8s/app/ are copies of these (GeneratedManifestsTest).
     */
    static Stream<Manifest> triggers() {
        return Manifests.ofKind("Trigger").stream().filter(trigger -> !trigger.file().equals(ECHO_TRIGGER)
                && !trigger.file().startsWith(GeneratedManifests.APP));
    }

    @Test
    void theEchoTriggerIsATriggerWithNoFilter() throws JsonProcessingException {
        Trigger trigger = StrictKubernetesModel.read(Manifests.single(ECHO_TRIGGER).doc(), Trigger.class);

        assertThat(trigger.getSpec().getFilter()).isNull();
        assertThat(trigger.getSpec().getSubscriber().getRef().getKind()).isEqualTo("Service");
    }

    @Test
    void thereAreTwoTriggersForEachEventFormat() {
        assertThat(triggers().map(Manifest::file)).containsExactlyInAnyOrder(Manifests.TANZU_SOURCES_TRIGGERS,
                Manifests.TANZU_SOURCES_TRIGGERS, Manifests.EVENT_ROUTER_TRIGGERS, Manifests.EVENT_ROUTER_TRIGGERS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("triggers")
    void isAValidTrigger(Manifest manifest) throws JsonProcessingException {
        assertThat(manifest.apiVersion()).isEqualTo("eventing.knative.dev/v1");
        Trigger trigger = StrictKubernetesModel.read(manifest.doc(), Trigger.class);

        assertThat(trigger.getMetadata().getName()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        assertThat(trigger.getSpec().getBroker()).isNotBlank();
        assertThat(trigger.getSpec().getFilter().getAttributes()).isNotEmpty().doesNotContainValue("");
        Destination subscriber = trigger.getSpec().getSubscriber();
        assertThat(subscriber.getRef()).isNotNull();
        assertThat(List.of(subscriber.getRef().getApiVersion(), subscriber.getRef().getKind(), subscriber.getRef().getName()))
                .allSatisfy(field -> assertThat(field).isNotBlank());
        assertThat(trigger.getStatus()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("triggers")
    void waitsLongerThanTheIntegrationAndRetries(Manifest manifest) throws JsonProcessingException {
        DeliverySpec delivery = StrictKubernetesModel.read(manifest.doc(), Trigger.class).getSpec().getDelivery();

        // The route answers 503 after its own retries, within about 40 s.
        assertThat(Duration.parse(delivery.getTimeout())).isGreaterThan(Duration.ofSeconds(45));
        assertThat(delivery.getRetry()).isPositive();
        assertThat(delivery.getBackoffPolicy()).isIn("linear", "exponential");
        assertThat(Duration.parse(delivery.getBackoffDelay())).isPositive();
    }

    // Without these, a lax reading would accept anything.

    @Test
    void aMisspelledFieldIsRejected() {
        JsonNode trigger = firstTrigger();
        ObjectNode spec = (ObjectNode) trigger.path("spec");
        spec.set("subscribers", spec.remove("subscriber"));

        assertThatThrownBy(() -> StrictKubernetesModel.read(trigger, Trigger.class)).hasMessageContaining("subscribers");
    }

    @Test
    void aMisspelledDeliveryFieldIsRejected() {
        JsonNode trigger = firstTrigger();
        ObjectNode delivery = (ObjectNode) trigger.at("/spec/delivery");
        delivery.set("retries", delivery.remove("retry"));

        assertThatThrownBy(() -> StrictKubernetesModel.read(trigger, Trigger.class)).hasMessageContaining("retries");
    }

    @Test
    void aRetryCountWrittenAsTextIsRejected() {
        JsonNode trigger = firstTrigger();
        ((ObjectNode) trigger.at("/spec/delivery")).put("retry", "6");

        assertThatThrownBy(() -> StrictKubernetesModel.read(trigger, Trigger.class)).hasMessageContaining("retry");
    }

    private static JsonNode firstTrigger() {
        return triggers().findFirst().orElseThrow().doc().deepCopy();
    }
}
