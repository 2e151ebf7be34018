package maintsync;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static maintsync.VcenterEvent.VCSA02;
import static maintsync.VcenterEvent.VCSA02_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Broker reorders and repeats events: per host and vCenter, only an event newer than the last one applied changes
 * vROps, so a late Enter can never silence a host that has already come back.
 */
class EventOrderTest {

    @RegisterExtension
    final IntegrationUnderTest stack = IntegrationUnderTest.perTest();
    private final VropsSimulator vrops = stack.vrops();
    private IntegrationHarness integration;

    @Test
    void anEnterArrivingAfterItsExitIsStaleAndLeavesTheHostInService() throws Exception {
        integration = stack.start();

        assertThat(integration.send(VcenterEvent.exited("esx01.lab.local", "host-21").key(5002)).statusCode()).isEqualTo(204);
        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21").key(5001)).statusCode()).isEqualTo(204);

        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("STARTED");
        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isZero();
    }

    @Test
    void aRedeliveredEventIsAppliedOnceInEitherFormat() throws Exception {
        integration = stack.start();

        for (int delivery = 0; delivery < 3; delivery++) {
            assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21").key(6001)).statusCode()).isEqualTo(204);
            // the Event Router gave every delivery a new random id: the vCenter Key still tells it is the same event
            assertThat(integration.send(VcenterEvent.entered("esx10.lab.local", "host-11").key(6002).eventRouterFormat()).statusCode())
                    .isEqualTo(204);
        }

        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isEqualTo(2);
    }

    @Test
    void theSameMorefOnAnotherVcenterIsAnotherHost() throws Exception {
        integration = stack.start(Map.of("vrops.vcenter-uuids",
                "vcsa01.lab.local=" + VCSA01_UUID + ",vcsa02.lab.local=" + VCSA02_UUID));

        integration.send(VcenterEvent.entered("esx01.lab.local", "host-21").key(900));
        integration.send(VcenterEvent.entered("esx01.other.local", "host-21").key(12).source(VCSA02));

        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("MAINTAINED_MANUAL");
        assertThat(vrops.resourceState(vrops.resourceId(VCSA02_UUID, "host-21"))).isEqualTo("MAINTAINED_MANUAL");
    }

    @Test
    void anEnterRetriedByTheBrokerAfterItsExitWasAppliedStaysStale() throws Exception {
        integration = stack.start(Map.of("vrops.retries", "0"));
        vrops.faults().failNext(Operation.MARK_MAINTAINED, 1, 503);

        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21").key(7001)).statusCode()).isEqualTo(503);
        assertThat(integration.send(VcenterEvent.exited("esx01.lab.local", "host-21").key(7002)).statusCode()).isEqualTo(204);
        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21").key(7001)).statusCode()).isEqualTo(204);

        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("STARTED");
        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isEqualTo(1);
    }

    @Test
    void aFailedEventDoesNotCountAsAppliedSoItsRetryApplies() throws Exception {
        integration = stack.start(Map.of("vrops.retries", "0"));
        vrops.faults().failNext(Operation.UNMARK_MAINTAINED, 1, 503);

        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21").key(8001)).statusCode()).isEqualTo(204);
        assertThat(integration.send(VcenterEvent.exited("esx01.lab.local", "host-21").key(8002)).statusCode()).isEqualTo(503);
        assertThat(integration.send(VcenterEvent.exited("esx01.lab.local", "host-21").key(8002)).statusCode()).isEqualTo(204);

        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("STARTED");
    }
}
