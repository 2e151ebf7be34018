package maintsync.vcenter;

import static maintsync.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import maintsync.IntegrationHarness;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watch's long poll answered badly by the tests' own vCenter ({@link HostileVcenter}): endlessly, a byte a second,
 * with NotAuthenticated, or with each host's state withheld. Each bad answer is cut off by its size or its deadline,
 * the watch goes down, logs in again, resyncs and watches again once vCenter answers well; a withheld state changes
 * nothing in vROps. Passes are ten minutes apart: only the watch and its resyncs act.
 */
class VcenterWatchBoundsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String PASSWORD = "hostile-watch-pw";
    private static final long MAX_ANSWER_BYTES = 1 << 20;

    private HostileVcenter vcenter;
    private VropsSimulator vrops;
    private IntegrationHarness integration;

    @AfterEach
    void stop() {
        WithVcenter.stop(integration, vrops, vcenter);
    }

    @Test
    void badAnswersToTheLongPollAreCutOffAndEndInAResyncNeverInAWrongState() throws Exception {
        vcenter = HostileVcenter.start("127.0.0.2", PASSWORD, 3);
        List<Vcsim.Host> hosts = vcenter.hosts();
        vrops = WithVcenter.vropsKnowing(vcenter);
        integration = IntegrationHarness.against(vrops, WithVcenter.settings("lab", vcenter, PASSWORD, Map.of("reconcile.interval-ms", "600000",
                "vcenter.watch.max-wait-seconds", "1", "vcenter.timeout-ms", "2000", "vcenter.max-answer-bytes", Long.toString(MAX_ANSWER_BYTES))));
        integration.awaitReady(PATIENCE);
        await(PATIENCE, () -> WithVcenter.watchUp(integration, "lab") == 1, "the watch up");
        vcenter.inMaintenanceMode(hosts.get(0), true);
        await(PATIENCE, () -> state(hosts.get(0)).equals("MAINTAINED"), "the watch applied a change");

        int host = 1;
        for (HostileVcenter.Answer bad : List.of(HostileVcenter.Answer.ENDLESS, HostileVcenter.Answer.TRICKLE)) {
            long polls = calls("WaitForUpdatesEx");
            vcenter.answer("WaitForUpdatesEx", bad);
            // each attempt, its full list included, is cut off: by its size, or by its deadline (1 s of wait, 2 s more)
            await(PATIENCE, () -> calls("WaitForUpdatesEx") >= polls + 3, "three long polls answered " + bad);
            assertThat(WithVcenter.watchUp(integration, "lab")).as("the watch while vCenter answers " + bad).isZero();
            Vcsim.Host changed = hosts.get(host++ % hosts.size());
            vcenter.inMaintenanceMode(changed, true);
            double resyncs = passesOk();
            vcenter.answer("WaitForUpdatesEx", HostileVcenter.Answer.NORMAL);
            await(PATIENCE, () -> WithVcenter.watchUp(integration, "lab") == 1, "the watch up again after " + bad);
            assertThat(passesOk()).as("a resync pass after " + bad).isGreaterThan(resyncs);
            await(PATIENCE, () -> state(changed).equals("MAINTAINED"), "the change made while the watch was down");
        }
        assertThat(vcenter.badBytesSent()).as("bytes of bad answers sent, each cut off past vcenter.max-answer-bytes")
                .isLessThan(40 * MAX_ANSWER_BYTES);

        // a lost session: NotAuthenticated once, then a new Login, a resync, and the watch follows again
        long logins = calls("Login");
        vcenter.answer("WaitForUpdatesEx", HostileVcenter.Answer.NOT_AUTHENTICATED);
        vcenter.inMaintenanceMode(hosts.get(0), false); // wakes the long poll, which gets the fault
        await(PATIENCE, () -> calls("Login") > logins && WithVcenter.watchUp(integration, "lab") == 1, "a new Login and the watch up again");
        await(PATIENCE, () -> state(hosts.get(0)).equals("STARTED"), "the change made as the session was lost");

        // a withheld state is unknown: nothing is changed in vROps, whatever vCenter has
        long marks = vrops.count(Operation.MARK_MAINTAINED) + vrops.count(Operation.UNMARK_MAINTAINED);
        double skipped = WithVcenter.watchChanges(integration, "lab", "skipped");
        long before = calls("WaitForUpdatesEx");
        vcenter.answer("WaitForUpdatesEx", HostileVcenter.Answer.WITHHELD);
        // the long poll under way was asked before: the change goes to one asked since
        await(PATIENCE, () -> calls("WaitForUpdatesEx") >= before + 2, "a long poll asked since");
        vcenter.inMaintenanceMode(hosts.get(0), true);
        await(PATIENCE, () -> WithVcenter.watchChanges(integration, "lab", "skipped") > skipped, "the withheld state seen and left alone");
        assertThat(vrops.count(Operation.MARK_MAINTAINED) + vrops.count(Operation.UNMARK_MAINTAINED)).isEqualTo(marks);
        assertThat(state(hosts.get(0))).isEqualTo("STARTED");
        assertThat(WithVcenter.watchUp(integration, "lab")).isEqualTo(1);
    }

    private String state(Vcsim.Host host) {
        return vrops.resourceState(vrops.resourceId(vcenter.instanceUuid(), host.moref()));
    }

    private long calls(String method) {
        return vcenter.calls().stream().filter(call -> call.method().equals(method)).count();
    }

    private double passesOk() {
        var timer = integration.meters().find("vcenter.maintenance.reconcile").tags("vcenter", "lab", "outcome", "ok").timer();
        return timer == null ? 0 : timer.count();
    }
}
