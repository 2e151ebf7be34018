package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import maintsync.IntegrationHarness;
import maintsync.VcenterEvent;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An event exactly as each Event Router Trigger lets it through (its filter attributes as CloudEvent attributes, sent
 * to the Trigger's subscriber path) is applied by the route: one Trigger's events start maintenance, the other's end
 * it. A Trigger whose filter the route did not accept would leave vROps untouched.
 */
class EventRouterTriggersReachTheRouteTest {

    private static VropsSimulator vrops;
    private static IntegrationHarness integration;

    @BeforeAll
    static void start() throws Exception {
        vrops = VropsSimulator.builder().start();
        integration = IntegrationHarness.against(vrops);
    }

    @AfterAll
    static void stop() {
        if (integration != null) {
            integration.close();
        }
        vrops.close();
    }

    @Test
    void oneTriggerStartsMaintenanceAndTheOtherEndsIt() {
        // Maintained first, so that whichever Trigger comes first has a state to change.
        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        List<Operation> applied = new ArrayList<>();

        for (JsonNode trigger : Manifests.read(Manifests.EVENT_ROUTER_TRIGGERS)) {
            long marked = vrops.count(Operation.MARK_MAINTAINED);
            long unmarked = vrops.count(Operation.UNMARK_MAINTAINED);

            HttpResponse<String> answer = integration.send(asDeliveredBy(trigger, VcenterEvent.entered("esx01.lab.local", "host-21")));

            assertThat(answer.statusCode()).as(trigger.at("/metadata/name").asText()).isEqualTo(204);
            if (vrops.count(Operation.MARK_MAINTAINED) == marked + 1 && vrops.count(Operation.UNMARK_MAINTAINED) == unmarked) {
                applied.add(Operation.MARK_MAINTAINED);
            } else if (vrops.count(Operation.UNMARK_MAINTAINED) == unmarked + 1 && vrops.count(Operation.MARK_MAINTAINED) == marked) {
                applied.add(Operation.UNMARK_MAINTAINED);
            }
        }

        assertThat(applied).containsExactlyInAnyOrder(Operation.MARK_MAINTAINED, Operation.UNMARK_MAINTAINED);
    }

    /** The event with the Trigger's filter attributes as its CloudEvent attributes, to the Trigger's subscriber path. */
    private static HttpRequest asDeliveredBy(JsonNode trigger, VcenterEvent event) {
        event.eventRouterFormat();
        trigger.at("/spec/filter/attributes").properties()
                .forEach(attribute -> event.header("ce-" + attribute.getKey(), attribute.getValue().asText()));
        HttpRequest.Builder request = HttpRequest.newBuilder(integration.eventsUri().resolve(trigger.at("/spec/subscriber/uri").asText()))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(event.body()));
        event.headers().forEach(request::header);
        return request.build();
    }
}
