package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import maintsync.IntegrationUnderTest;
import maintsync.VcenterEvent;
import maintsync.vrops.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An event exactly as each Event Router Trigger lets it through (its filter attributes as CloudEvent attributes, sent
 * to the Trigger's subscriber path) is applied by the route: one Trigger's events start maintenance, the other's end
 * it. A Trigger whose filter the route did not accept would leave vROps untouched.
 */
class EventRouterTriggersReachTheRouteTest {

    @RegisterExtension
    static final IntegrationUnderTest stack = IntegrationUnderTest.sharedByTheClass();

    @Test
    void oneTriggerStartsMaintenanceAndTheOtherEndsIt() {
        // Maintained first, so that whichever Trigger comes first has a state to change.
        assertThat(stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        List<Operation> applied = new ArrayList<>();

        for (JsonNode trigger : Manifests.read(Manifests.EVENT_ROUTER_TRIGGERS)) {
            long marked = stack.vrops().count(Operation.MARK_MAINTAINED);
            long unmarked = stack.vrops().count(Operation.UNMARK_MAINTAINED);

            HttpResponse<String> answer = stack.integration().send(asDeliveredBy(trigger, VcenterEvent.entered("esx01.lab.local", "host-21")));

            assertThat(answer.statusCode()).as(trigger.at("/metadata/name").asText()).isEqualTo(204);
            if (stack.vrops().count(Operation.MARK_MAINTAINED) == marked + 1 && stack.vrops().count(Operation.UNMARK_MAINTAINED) == unmarked) {
                applied.add(Operation.MARK_MAINTAINED);
            } else if (stack.vrops().count(Operation.UNMARK_MAINTAINED) == unmarked + 1 && stack.vrops().count(Operation.MARK_MAINTAINED) == marked) {
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
        HttpRequest.Builder request = HttpRequest.newBuilder(stack.integration().eventsUri().resolve(trigger.at("/spec/subscriber/uri").asText()))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(event.body()));
        event.headers().forEach(request::header);
        return request.build();
    }
}
