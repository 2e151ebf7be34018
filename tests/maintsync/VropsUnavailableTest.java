package maintsync;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When vROps is down, slow or overloaded the integration retries a few times itself, then answers 503 so that the
 * Broker delivers the event again later; it never acknowledges an event vROps did not apply.
 */
class VropsUnavailableTest {

    @RegisterExtension
    final IntegrationUnderTest stack = IntegrationUnderTest.perTest();
    private final VropsSimulator vrops = stack.vrops();
    private IntegrationHarness integration;

    @Test
    void aPassing503IsRetriedInsideAndTheEventApplies() throws Exception {
        integration = stack.start();
        vrops.faults().failNext(Operation.MARK_MAINTAINED, 1, 503);

        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);

        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isEqualTo(2);
        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("MAINTAINED_MANUAL");
    }

    @Test
    void aLasting503IsHandedBackToTheBrokerAfterTheConfiguredRetries() throws Exception {
        integration = stack.start(Map.of("vrops.retries", "2"));
        vrops.faults().failNext(Operation.MARK_MAINTAINED, 3, 503);

        HttpResponse<String> answer = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(answer.statusCode()).as("requests %s", vrops.requests()).isEqualTo(503);
        assertThat(answer.body()).isEqualTo("vROps unavailable: it answered HTTP 503 to the enter maintenance");
        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isEqualTo(3);
        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("STARTED");
    }

    @Test
    void rateLimitingIsTransientToo() throws Exception {
        integration = stack.start(Map.of("vrops.retries", "1"));
        vrops.faults().failNext(Operation.LOOKUP_BY_KIND, 2, 429);

        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(503);
        assertThat(vrops.count(Operation.LOOKUP_BY_KIND)).isEqualTo(2);
    }

    @Test
    void aDroppedConnectionIsRetried() throws Exception {
        integration = stack.start();
        vrops.faults().dropNext(Operation.UNMARK_MAINTAINED, 1);

        assertThat(integration.send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        assertThat(vrops.count(Operation.UNMARK_MAINTAINED)).isEqualTo(2);
    }

    @Test
    void aSlowVropsTimesOutWithinTheConfiguredBudget() throws Exception {
        integration = stack.start(Map.of("vrops.response-timeout-ms", "300", "vrops.retries", "1"));
        vrops.faults().latency(Duration.ofSeconds(2));

        long started = System.nanoTime();
        HttpResponse<String> answer = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).startsWith("vROps unavailable: ");
        assertThat(took).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void anUnreachableVropsIsAnswered503() throws Exception {
        integration = stack.start(Map.of("vrops.retries", "1"));
        vrops.close();

        HttpResponse<String> answer = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).startsWith("vROps unavailable: ");
    }

    @Test
    void aBootingNodeIsAnswered503AndTheNextDeliveryApplies() throws Exception {
        integration = stack.start(Map.of("vrops.retries", "0"));
        vrops.faults().nodeOffline(true);

        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(503);

        vrops.faults().nodeOffline(false);
        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("MAINTAINED_MANUAL");
    }
}
