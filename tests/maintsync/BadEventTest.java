package maintsync;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import maintsync.vrops.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An event that can never be applied is answered 400 with a one-line reason, never 404 or 409 (Brokers retry those),
 * and never reaches vROps; events that are not ours are acknowledged; the service keeps serving afterwards.
 */
class BadEventTest {

    @RegisterExtension
    static final IntegrationUnderTest stack = IntegrationUnderTest.sharedByTheClass();

    static Stream<Arguments> unusableEvents() {
        return Stream.of(
                bad("malformed JSON", event -> event.body("{\"Key\": 7301, \"Host\": {"), "event data is not a vCenter event in JSON"),
                bad("a JSON array", event -> event.body("[1, 2]"), "event data is not a vCenter event in JSON"),
                bad("no body", event -> event.body(""), "event data is not a vCenter event in JSON"),
                bad("no Host", event -> event.body("{\"Key\": 7301, \"CreatedTime\": \"2026-11-20T09:14:03.512Z\"}"), "event data has no Host.Name"),
                bad("Host null (an EventEx)", event -> event.body(VcenterEvent.fixtureText("sso-login-failure.json")), "event data has no Host.Name"),
                bad("XML data", event -> event.header("Content-Type", "application/xml").body("<EnteredMaintenanceModeEvent/>"),
                        "datacontenttype application/xml is not JSON; the VSphereSource must use payloadEncoding application/json"),
                bad("no ce-id", event -> event.header("ce-id", null), "the CloudEvent has no id"),
                bad("no ce-source", event -> event.header("ce-source", null), "the CloudEvent has no source"),
                bad("specversion 19.0", event -> event.header("ce-specversion", "19.0"), "CloudEvents specversion 19.0 is not supported"),
                bad("Event Router format without Host", event -> event.eventRouterFormat().body("{}"), "event data has no Host.Name"));
    }

    private static Arguments bad(String what, UnaryOperator<VcenterEvent> spoil, String reason) {
        return Arguments.of(what, spoil, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableEvents")
    void anUnusableEventIsRejectedWithItsReason(String what, UnaryOperator<VcenterEvent> spoil, String reason) {
        stack.vrops().clearRequests();

        HttpResponse<String> answer = stack.integration().send(spoil.apply(VcenterEvent.entered("esx01.lab.local", "host-21")));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).isEqualTo(reason);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(stack.vrops().count(Operation.MARK_MAINTAINED)).isZero();
    }

    @Test
    void anEventRouterEventOfAnotherClassIsAcknowledgedAndIgnored() {
        stack.vrops().clearRequests();
        VcenterEvent poweredOn = VcenterEvent.entered("esx01.lab.local", "host-21").eventRouterFormat()
                .header("ce-subject", "VmPoweredOnEvent").body(VcenterEvent.fixtureText("vm-powered-on.json"));

        HttpResponse<String> answer = stack.integration().send(poweredOn);

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(stack.vrops().requests()).isEmpty();
    }

    @Test
    void aTypeNoTriggerOfThisIntegrationDeliversFindsNoConsumer() {
        VcenterEvent poweredOn = VcenterEvent.entered("esx01.lab.local", "host-21")
                .header("ce-type", "com.vmware.vsphere.VmPoweredOnEvent.v0").body(VcenterEvent.fixtureText("vm-powered-on.json"));

        assertThat(stack.integration().send(poweredOn).statusCode()).isEqualTo(404);
    }

    @Test
    void aTenMegabyteBodyIsRefusedUnread() {
        stack.vrops().clearRequests();
        String huge = "{\"Host\": {\"Name\": \"" + "x".repeat(10 * 1024 * 1024) + "\"}}";

        assertThat(stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21").body(huge)).statusCode()).isEqualTo(413);
        assertThat(stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21").eventRouterFormat().body(huge)).statusCode())
                .isEqualTo(413);
        assertThat(stack.vrops().requests()).isEmpty();
    }

    @Test
    void aStructuredModeEventFindsNoConsumerSinceBrokersDeliverBinary() {
        String structured = "{\"specversion\": \"1.0\", \"id\": \"7301\", \"source\": \"" + VcenterEvent.VCSA01
                + "\", \"type\": \"" + VcenterEvent.ENTERED_TYPE + "\", \"datacontenttype\": \"application/json\", \"data\": "
                + VcenterEvent.fixtureText("entered-maintenance-mode.json") + "}";
        HttpResponse<String> answer = stack.integration().send(HttpRequest.newBuilder(
                stack.integration().eventsUri().resolve("/events/" + VcenterEvent.ENTERED_TYPE))
                .header("Content-Type", "application/cloudevents+json").POST(HttpRequest.BodyPublishers.ofString(structured)).build());

        assertThat(answer.statusCode()).isEqualTo(404);
    }

    @Test
    void onlyPostIsAccepted() {
        HttpResponse<String> answer = stack.integration().send(HttpRequest.newBuilder(
                stack.integration().eventsUri().resolve("/events/" + VcenterEvent.ENTERED_TYPE)).GET().build());

        assertThat(answer.statusCode()).isEqualTo(405);
    }

    @Test
    void theServiceKeepsServingAfterBadInput() {
        stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21").body("{"));
        stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21").header("ce-id", null));

        assertThat(stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        assertThat(stack.vrops().resourceState(stack.vrops().resourceId(VCSA01_UUID, "host-21"))).isEqualTo("MAINTAINED_MANUAL");
        assertThat(stack.integration().send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
    }
}
