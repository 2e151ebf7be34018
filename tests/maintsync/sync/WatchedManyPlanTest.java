package maintsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import maintsync.vcenter.VcenterSoap;
import maintsync.vrops.VropsClient;
import org.junit.jupiter.api.Test;

/**
 * What the watch does with each of many hosts changed at once, from one listing of the vCenter's hosts in vROps, as a
 * table: vCenter's state, the host as vROps listed it (none: vROps does not know it), and the step, the state it is
 * decided from, the resource id acted on and vROps's state after. No call is made: {@link MaintenanceSync#planWatched}
 * is the pure step between the listing and the bulk calls.
 */
class WatchedManyPlanTest {

    private static final MaintenancePlan.VcenterState IN_MAINTENANCE = MaintenancePlan.VcenterState.IN_MAINTENANCE;
    private static final MaintenancePlan.VcenterState ENTERING = MaintenancePlan.VcenterState.ENTERING;
    private static final MaintenancePlan.VcenterState IN_SERVICE = MaintenancePlan.VcenterState.IN_SERVICE;
    private static final MaintenancePlan.VcenterState WITHHELD = MaintenancePlan.VcenterState.UNKNOWN;
    private static final MaintenancePlan.VropsState MAINTAINED = MaintenancePlan.VropsState.MAINTAINED;
    private static final MaintenancePlan.VropsState MANUAL = MaintenancePlan.VropsState.MAINTAINED_MANUAL;
    private static final MaintenancePlan.VropsState NOT_MAINTAINED = MaintenancePlan.VropsState.NOT_MAINTAINED;
    private static final MaintenancePlan.VropsState UNKNOWN = MaintenancePlan.VropsState.UNKNOWN;
    private static final MaintenancePlan.Step MARK = MaintenancePlan.Step.MARK;
    private static final MaintenancePlan.Step EXTEND = MaintenancePlan.Step.EXTEND;
    private static final MaintenancePlan.Step UNMARK = MaintenancePlan.Step.UNMARK;
    private static final MaintenancePlan.Step NONE = MaintenancePlan.Step.NONE;
    /** Listed by vROps with this state; null: not listed. */
    private record Row(String what, MaintenancePlan.VcenterState vcenter, MaintenancePlan.VropsState listed, MaintenancePlan.Step step,
            MaintenancePlan.VropsState inVrops, boolean actsOnTheListedId, MaintenancePlan.VropsState after) {
    }

    private static final List<Row> TABLE = List.of(
            new Row("in maintenance, not maintained: marked", IN_MAINTENANCE, NOT_MAINTAINED, MARK, NOT_MAINTAINED, true, MAINTAINED),
            new Row("entering, not maintained: marked", ENTERING, NOT_MAINTAINED, MARK, NOT_MAINTAINED, true, MAINTAINED),
            new Row("in maintenance, maintained: extended", IN_MAINTENANCE, MAINTAINED, EXTEND, MAINTAINED, true, MAINTAINED),
            new Row("in service, maintained: unmarked", IN_SERVICE, MAINTAINED, UNMARK, MAINTAINED, true, NOT_MAINTAINED),
            new Row("in service, maintained by hand: left", IN_SERVICE, MANUAL, NONE, MANUAL, true, MANUAL),
            new Row("in maintenance, maintained by hand: left", IN_MAINTENANCE, MANUAL, NONE, MANUAL, true, MANUAL),
            new Row("in service, not maintained: nothing", IN_SERVICE, NOT_MAINTAINED, NONE, NOT_MAINTAINED, true, NOT_MAINTAINED),
            new Row("in maintenance, listed without a state: nothing", IN_MAINTENANCE, UNKNOWN, NONE, UNKNOWN, true, UNKNOWN),
            new Row("in maintenance, not listed: nothing, unknown", IN_MAINTENANCE, null, NONE, UNKNOWN, false, UNKNOWN),
            new Row("in service, not listed: nothing, unknown", IN_SERVICE, null, NONE, UNKNOWN, false, UNKNOWN),
            new Row("withheld by vCenter, maintained: left to end by itself", WITHHELD, MAINTAINED, NONE, MAINTAINED, true, MAINTAINED));

    @Test
    void eachHostIsPlannedFromTheListingAsAPassWouldAndInTheOrderGiven() {
        List<VcenterSoap.HostState> hosts = new ArrayList<>();
        Map<String, VropsClient.Listed> listed = new HashMap<>();
        for (int i = 0; i < TABLE.size(); i++) {
            Row row = TABLE.get(i);
            String moref = "host-" + i;
            hosts.add(new VcenterSoap.HostState(moref, "esx" + i, row.vcenter(), row.vcenter() == WITHHELD ? "NoPermission" : null));
            if (row.listed() != null) {
                listed.put(moref, new VropsClient.Listed("id-" + i, moref, row.listed()));
            }
        }

        List<Reconciler.HostStep> steps = MaintenanceSync.planWatched(hosts, listed);

        assertThat(steps).hasSize(TABLE.size());
        for (int i = 0; i < TABLE.size(); i++) {
            Row row = TABLE.get(i);
            Reconciler.HostStep step = steps.get(i);
            assertThat(step.host()).as(row.what()).isEqualTo(hosts.get(i));
            assertThat(step.step()).as(row.what()).isEqualTo(row.step());
            assertThat(step.inVrops()).as(row.what()).isEqualTo(row.inVrops());
            assertThat(step.resourceId()).as(row.what()).isEqualTo(row.actsOnTheListedId() ? "id-" + i : null);
            assertThat(step.after()).as(row.what()).isEqualTo(row.after());
        }
    }
}
