package maintsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import maintsync.vcenter.VcenterSoap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a reconcile pass does with each host, from what it read of both sides, as a table: vCenter's state, vROps's
 * maintenance as its listing gave it (none: the host is not maintained), and whether vROps told the resource id of a
 * host to mark. No call is made: {@link Reconciler#decide} is the pure step between reading and repairing.
 */
class ReconcilePassPlanTest {

    private static final MaintenancePlan.VcenterState IN_MAINTENANCE = MaintenancePlan.VcenterState.IN_MAINTENANCE;
    private static final MaintenancePlan.VcenterState ENTERING = MaintenancePlan.VcenterState.ENTERING;
    private static final MaintenancePlan.VcenterState IN_SERVICE = MaintenancePlan.VcenterState.IN_SERVICE;
    private static final MaintenancePlan.VcenterState UNKNOWN_IN_VCENTER = MaintenancePlan.VcenterState.UNKNOWN;
    private static final MaintenancePlan.VropsState MAINTAINED = MaintenancePlan.VropsState.MAINTAINED;
    private static final MaintenancePlan.VropsState MAINTAINED_MANUAL = MaintenancePlan.VropsState.MAINTAINED_MANUAL;
    private static final MaintenancePlan.VropsState NOT_MAINTAINED = MaintenancePlan.VropsState.NOT_MAINTAINED;
    private static final MaintenancePlan.VropsState UNKNOWN = MaintenancePlan.VropsState.UNKNOWN;
    private static final MaintenancePlan.Step MARK = MaintenancePlan.Step.MARK;
    private static final MaintenancePlan.Step EXTEND = MaintenancePlan.Step.EXTEND;
    private static final MaintenancePlan.Step UNMARK = MaintenancePlan.Step.UNMARK;
    private static final MaintenancePlan.Step NONE = MaintenancePlan.Step.NONE;
    private static final String LISTED_ID = "id-listed";
    private static final String LOOKED_UP_ID = "id-looked-up";

    /** One host: what was read, and what the pass must do and leave. */
    record Row(String what, MaintenancePlan.VcenterState vcenter, MaintenancePlan.VropsState listed, boolean idTold,
            MaintenancePlan.Step step, MaintenancePlan.VropsState inVrops, String resourceId, MaintenancePlan.VropsState after) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Stream<Row> table() {
        return Stream.of(
                new Row("in maintenance, not maintained: marked", IN_MAINTENANCE, null, true, MARK, NOT_MAINTAINED, LOOKED_UP_ID, MAINTAINED),
                new Row("entering, not maintained: marked", ENTERING, null, true, MARK, NOT_MAINTAINED, LOOKED_UP_ID, MAINTAINED),
                new Row("in maintenance, unknown to vROps: nothing", IN_MAINTENANCE, null, false, NONE, UNKNOWN, null, UNKNOWN),
                new Row("in maintenance, maintained: extended", IN_MAINTENANCE, MAINTAINED, true, EXTEND, MAINTAINED, LISTED_ID, MAINTAINED),
                new Row("in service, maintained: unmarked", IN_SERVICE, MAINTAINED, true, UNMARK, MAINTAINED, LISTED_ID, NOT_MAINTAINED),
                new Row("in service, maintained by hand: left", IN_SERVICE, MAINTAINED_MANUAL, true, NONE, MAINTAINED_MANUAL, LISTED_ID, MAINTAINED_MANUAL),
                new Row("in maintenance, maintained by hand: left", IN_MAINTENANCE, MAINTAINED_MANUAL, true, NONE, MAINTAINED_MANUAL, LISTED_ID,
                        MAINTAINED_MANUAL),
                new Row("in service, not maintained: nothing", IN_SERVICE, null, true, NONE, NOT_MAINTAINED, null, NOT_MAINTAINED),
                new Row("withheld by vCenter, maintained: left to end by itself", UNKNOWN_IN_VCENTER, MAINTAINED, true, NONE, MAINTAINED, LISTED_ID,
                        MAINTAINED),
                new Row("withheld by vCenter, not maintained: nothing", UNKNOWN_IN_VCENTER, null, true, NONE, NOT_MAINTAINED, null, NOT_MAINTAINED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decidesEachHostByThePlan(Row row) {
        VcenterSoap.HostState host = new VcenterSoap.HostState("host-21", "esx01.lab.local", row.vcenter(),
                row.vcenter() == UNKNOWN_IN_VCENTER ? "NoPermission" : null);
        Map<String, Reconciler.Maintained> maintained = row.listed() == null ? Map.of()
                : Map.of("host-21", new Reconciler.Maintained(LISTED_ID, row.listed()));
        Map<String, String> idsToMark = row.idTold() ? Map.of("host-21", LOOKED_UP_ID) : Map.of();

        List<Reconciler.HostStep> steps = Reconciler.decide(List.of(host), maintained, idsToMark);

        assertThat(steps).containsExactly(new Reconciler.HostStep(host, row.inVrops(), row.step(), row.resourceId()));
        assertThat(steps.get(0).after()).isEqualTo(row.after());
        assertThat(steps.get(0).changes()).isEqualTo(row.step() == MARK || row.step() == UNMARK);
    }

    @Test
    void everyHostGetsOneStepInVcentersOrder() {
        List<VcenterSoap.HostState> hosts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            hosts.add(new VcenterSoap.HostState("host-" + i, "esx0" + i, i % 2 == 0 ? IN_MAINTENANCE : IN_SERVICE, null));
        }

        List<Reconciler.HostStep> steps = Reconciler.decide(hosts, Map.of("host-1", new Reconciler.Maintained("id-1", MAINTAINED)),
                Map.of("host-0", "id-0", "host-4", "id-4"));

        assertThat(steps).extracting(step -> step.host().moref() + " " + step.step())
                .containsExactly("host-0 MARK", "host-1 UNMARK", "host-2 NONE", "host-3 NONE", "host-4 MARK");
        assertThat(steps).filteredOn(Reconciler.HostStep::changes).extracting(step -> step.direction().tag())
                .containsExactly("enter", "exit", "enter");
    }
}
