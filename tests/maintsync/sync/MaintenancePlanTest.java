package maintsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one decision of events and passes, as a table: every vCenter state against every vROps state. The rows that
 * matter most: maintenance set by hand is never changed, and a host back in service is never left silenced by the
 * integration's own maintenance.
 */
class MaintenancePlanTest {

    static Stream<Arguments> table() {
        return Stream.of(
                row("IN_MAINTENANCE", "NOT_MAINTAINED", "MARK"),
                row("IN_MAINTENANCE", "MAINTAINED", "EXTEND"),
                row("IN_MAINTENANCE", "MAINTAINED_MANUAL", "NONE"),
                row("IN_MAINTENANCE", "UNKNOWN", "NONE"),
                row("ENTERING", "NOT_MAINTAINED", "MARK"),
                row("ENTERING", "MAINTAINED", "EXTEND"),
                row("ENTERING", "MAINTAINED_MANUAL", "NONE"),
                row("ENTERING", "UNKNOWN", "NONE"),
                row("IN_SERVICE", "NOT_MAINTAINED", "NONE"),
                row("IN_SERVICE", "MAINTAINED", "UNMARK"),
                row("IN_SERVICE", "MAINTAINED_MANUAL", "NONE"),
                row("IN_SERVICE", "UNKNOWN", "NONE"),
                row("UNKNOWN", "NOT_MAINTAINED", "NONE"),
                row("UNKNOWN", "MAINTAINED", "NONE"),
                row("UNKNOWN", "MAINTAINED_MANUAL", "NONE"),
                row("UNKNOWN", "UNKNOWN", "NONE"));
    }

    private static Arguments row(String vcenter, String vrops, String step) {
        return Arguments.of(MaintenancePlan.VcenterState.valueOf(vcenter), MaintenancePlan.VropsState.valueOf(vrops),
                MaintenancePlan.Step.valueOf(step));
    }

    @ParameterizedTest(name = "vCenter {0}, vROps {1}: {2}")
    @MethodSource("table")
    void decides(MaintenancePlan.VcenterState vcenter, MaintenancePlan.VropsState vrops, MaintenancePlan.Step step) {
        MaintenancePlan.Decision decision = MaintenancePlan.decide(vcenter, vrops);

        assertThat(decision.step()).isEqualTo(step);
        assertThat(decision.why()).isNotBlank();
    }

    @Test
    void theTableHasEveryPairOnce() {
        assertThat(table().map(arguments -> arguments.get()[0] + "/" + arguments.get()[1]).distinct().count())
                .isEqualTo((long) MaintenancePlan.VcenterState.values().length * MaintenancePlan.VropsState.values().length);
    }

    @Test
    void manualMaintenanceIsNeverChanged() {
        for (MaintenancePlan.VcenterState vcenter : MaintenancePlan.VcenterState.values()) {
            assertThat(MaintenancePlan.decide(vcenter, MaintenancePlan.VropsState.MAINTAINED_MANUAL).step()).isEqualTo(MaintenancePlan.Step.NONE);
        }
    }

    @Test
    void onlyAHostVcenterHasInMaintenanceIsSilenced() {
        for (MaintenancePlan.VcenterState vcenter : EnumSet.of(MaintenancePlan.VcenterState.IN_SERVICE, MaintenancePlan.VcenterState.UNKNOWN)) {
            for (MaintenancePlan.VropsState vrops : MaintenancePlan.VropsState.values()) {
                assertThat(MaintenancePlan.decide(vcenter, vrops).step()).isNotIn(MaintenancePlan.Step.MARK, MaintenancePlan.Step.EXTEND);
            }
        }
    }
}
