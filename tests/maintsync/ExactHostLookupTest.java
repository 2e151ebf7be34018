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
 * vROps looks names up by partial match and morefs repeat across vCenters: the integration must still touch exactly
 * the host of the event, by name when it knows no vCenter UUID, by identifiers when it does.
 */
class ExactHostLookupTest {

    @RegisterExtension
    final IntegrationUnderTest stack = IntegrationUnderTest.perTest();
    private final VropsSimulator vrops = stack.vrops();
    private IntegrationHarness integration;

    @Test
    void esx1NeverPicksEsx10OrABackupHostWithALongerName() throws Exception {
        integration = stack.start();

        assertThat(integration.send(VcenterEvent.entered("esx1.lab.local", "host-10")).statusCode()).isEqualTo(204);

        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-10"))).isEqualTo("MAINTAINED_MANUAL");
        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-11"))).isEqualTo("STARTED");
        assertThat(vrops.resourceState(vrops.resourceId(VCSA02_UUID, "host-40"))).isEqualTo("STARTED");
        assertThat(vrops.requests()).filteredOn(request -> request.operation() == Operation.LOOKUP_BY_KIND)
                .singleElement()
                .satisfies(lookup -> assertThat(lookup.rawQuery()).contains("name=esx1.lab.local"));
    }

    @Test
    void theVcenterUuidOfTheEventSourceSelectsTheHostAmongVcentersSharingAMoref() throws Exception {
        integration = stack.start(Map.of("vrops.vcenter-uuids",
                "vcsa01.lab.local=" + VCSA01_UUID + ", vcsa02.lab.local=" + VCSA02_UUID.toUpperCase()));

        assertThat(integration.send(VcenterEvent.entered("esx01.other.local", "host-21").source(VCSA02)).statusCode())
                .isEqualTo(204);

        assertThat(vrops.resourceState(vrops.resourceId(VCSA02_UUID, "host-21"))).isEqualTo("MAINTAINED_MANUAL");
        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("STARTED");
        assertThat(vrops.requests()).filteredOn(request -> request.operation() == Operation.LOOKUP_BY_KIND)
                .singleElement()
                .satisfies(lookup -> assertThat(lookup.rawQuery())
                        .contains("identifiers%5BVMEntityObjectID%5D=host-21")
                        .contains("identifiers%5BVMEntityVCID%5D=" + VCSA02_UUID.toUpperCase())
                        .doesNotContain("name="));
    }

    @Test
    void aHostNamedByItsAddressOrWithNonAsciiLettersIsFound() throws Exception {
        integration = stack.start();

        assertThat(integration.send(VcenterEvent.entered("192.168.60.15", "host-30")).statusCode()).isEqualTo(204);
        assertThat(integration.send(VcenterEvent.entered("esx-münchen-01.lab.local", "host-31")).statusCode()).isEqualTo(204);

        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-30"))).isEqualTo("MAINTAINED_MANUAL");
        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-31"))).isEqualTo("MAINTAINED_MANUAL");
    }

    @Test
    void aRememberedIdThatVropsNoLongerKnowsIsLookedUpAgain() throws Exception {
        integration = stack.start();
        integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));
        vrops.faults().failNext(Operation.UNMARK_MAINTAINED, 1, 404);

        assertThat(integration.send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);

        assertThat(vrops.count(Operation.LOOKUP_BY_KIND)).isEqualTo(2);
        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("STARTED");
    }

    @Test
    void aConfiguredDurationGivesATimedMaintenanceWindow() throws Exception {
        integration = stack.start(Map.of("vrops.maintenance-minutes", "90"));

        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);

        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("MAINTAINED");
        assertThat(vrops.requests()).filteredOn(request -> request.operation() == Operation.MARK_MAINTAINED)
                .singleElement()
                .satisfies(mark -> assertThat(mark.rawQuery()).isEqualTo("duration=90"));
    }
}
