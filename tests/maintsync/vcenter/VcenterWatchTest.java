package maintsync.vcenter;

import static maintsync.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import maintsync.IntegrationHarness;
import maintsync.VcenterEvent;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watch of a vCenter (vcsim) with no events at all and passes ten minutes apart, so that only the watch can explain
 * what vROps does: a host changed in vCenter reaches vROps within seconds; an event that arrives after the watch
 * applied its change costs no call to vROps nor to vCenter; and after vCenter restarts (every connection cut, every
 * session gone, its hosts as at start) the watch resyncs and watches again.
 */
class VcenterWatchTest {

    /** What a test waits at most: the watch makes it seconds, a pass would take ten minutes. */
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final String PASSWORD = "watch-pw";

    private Vcsim vcenter;
    private VropsSimulator vrops;
    private IntegrationHarness integration;
    private List<Vcsim.Host> hosts;

    @BeforeEach
    void start() throws Exception {
        // hosts enough for a crowd changing at once, which the watch applies with bulk calls
        vcenter = Vcsim.start(PASSWORD, List.of("-cluster-hosts", "40"));
        hosts = vcenter.hosts();
        vrops = WithVcenter.vropsKnowing(vcenter);
        integration = IntegrationHarness.against(vrops, WithVcenter.settings("lab", vcenter, PASSWORD,
                Map.of("reconcile.interval-ms", "600000", "vcenter.watch.max-wait-seconds", "5")));
        integration.awaitReady(PATIENCE);
        await(PATIENCE, () -> WithVcenter.watchUp(integration, "lab") == 1, "the watch up");
    }

    @AfterEach
    void stop() {
        WithVcenter.stop(integration, vrops, vcenter);
    }

    @Test
    void aHostChangedInVcenterWithoutAnEventReachesVropsWithinSeconds() {
        Vcsim.Host host = hosts.get(1);
        String resource = vrops.resourceId(vcenter.instanceUuid(), host.moref());
        double passesBefore = passes();

        vcenter.enterMaintenanceMode(host);
        await(PATIENCE, () -> vrops.resourceState(resource).equals("MAINTAINED"), "vROps has the host in maintenance");
        vcenter.exitMaintenanceMode(host);
        await(PATIENCE, () -> vrops.resourceState(resource).equals("STARTED"), "vROps has the host back in service");

        await(PATIENCE, () -> WithVcenter.watchChanges(integration, "lab", "applied") == 2, "both changes counted as applied by the watch");
        assertThat(passes()).as("passes since the watch came up: none, the watch alone did it").isEqualTo(passesBefore);
        assertThat(hosts.stream().filter(other -> other != host)
                .map(other -> vrops.resourceState(vrops.resourceId(vcenter.instanceUuid(), other.moref())))).containsOnly("STARTED");
        String metrics = integration.send(HttpRequest.newBuilder(integration.managementUri().resolve("observe/metrics")).GET().build()).body();
        assertThat(metrics).contains("vcenter_maintenance_watch_up{camelContext=\"vcenter-maintenance\",vcenter=\"lab\"} 1.0");
        String page = integration.send(HttpRequest.newBuilder(integration.managementUri().resolve("observe/hosts?format=text")).GET().build()).body();
        assertThat(page).contains("vCenter lab: watch up since");
    }

    @Test
    void anEventAfterTheWatchAppliedItsChangeCostsNoCall() {
        Vcsim.Host host = hosts.get(2);
        String resource = vrops.resourceId(vcenter.instanceUuid(), host.moref());
        vcenter.enterMaintenanceMode(host);
        await(PATIENCE, () -> vrops.resourceState(resource).equals("MAINTAINED"), "vROps has the host in maintenance");
        await(PATIENCE, () -> WithVcenter.watchChanges(integration, "lab", "applied") == 1, "the watch's application ended");
        int vropsCalls = vrops.requests().size();
        double vcenterReads = vcenterCalls("RetrievePropertiesEx");

        var answer = integration.send(VcenterEvent.entered(host.name(), host.moref()).source(vcenter.sdk().toString()));

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(vrops.requests()).as("vROps calls for the event").hasSize(vropsCalls);
        assertThat(vcenterCalls("RetrievePropertiesEx")).as("vCenter reads for the event").isEqualTo(vcenterReads);
        assertThat(integration.meters().find("vcenter.maintenance.events").tags("action", "enter", "outcome", "unchanged").counter().count()).isEqualTo(1);

        // an event the watch contradicts is checked as without a watch: vCenter and vROps are asked, nothing changes
        var forged = integration.send(VcenterEvent.exited(host.name(), host.moref()).source(vcenter.sdk().toString()));
        assertThat(forged.statusCode()).isEqualTo(204);
        assertThat(vcenterCalls("RetrievePropertiesEx")).isGreaterThan(vcenterReads);
        assertThat(integration.meters().find("vcenter.maintenance.events").tags("action", "exit", "outcome", "contradicted").counter().count()).isEqualTo(1);
        assertThat(vrops.resourceState(resource)).isEqualTo("MAINTAINED");
    }

    /**
     * The answer from what the watch has seen writes nothing, so it does not wait for the other events of the host: a
     * forged Exit waiting for a slow vROps does not hold up the Enter that repeats what the watch applied.
     */
    @Test
    void anEventTheWatchAppliedDoesNotWaitForAnotherEventOfTheHost() throws Exception {
        Vcsim.Host host = hosts.get(2);
        String resource = vrops.resourceId(vcenter.instanceUuid(), host.moref());
        vcenter.enterMaintenanceMode(host);
        await(PATIENCE, () -> WithVcenter.watchChanges(integration, "lab", "applied") == 1, "the watch's change applied");
        double vcenterReads = vcenterCalls("RetrievePropertiesEx");
        vrops.faults().latency(Duration.ofSeconds(4));
        ExecutorService broker = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> forged = broker.submit(() -> integration.send(VcenterEvent.exited(host.name(), host.moref())
                    .source(vcenter.sdk().toString())).statusCode());
            // the forged Exit has read vCenter while it holds the host, and now waits for vROps
            await(PATIENCE, () -> vcenterCalls("RetrievePropertiesEx") > vcenterReads, "the forged event's vCenter read");

            var repeated = integration.send(VcenterEvent.entered(host.name(), host.moref()).source(vcenter.sdk().toString()));

            assertThat(repeated.statusCode()).isEqualTo(204);
            assertThat(forged).as("the forged event, still waiting for vROps").isNotDone();
            assertThat(integration.meters().find("vcenter.maintenance.events").tags("action", "enter", "outcome", "unchanged").counter().count()).isEqualTo(1);
            assertThat(forged.get(30, TimeUnit.SECONDS)).isEqualTo(204);
            assertThat(integration.meters().find("vcenter.maintenance.events").tags("action", "exit", "outcome", "contradicted").counter().count()).isEqualTo(1);
            assertThat(vrops.resourceState(resource)).isEqualTo("MAINTAINED");
        } finally {
            vrops.faults().latency(Duration.ZERO);
            broker.shutdownNow();
        }
    }

    @Test
    void afterVcenterRestartsTheWatchResyncsAndWatchesAgain() {
        Vcsim.Host before = hosts.get(0);
        Vcsim.Host after = hosts.get(3);
        String beforeResource = vrops.resourceId(vcenter.instanceUuid(), before.moref());
        String afterResource = vrops.resourceId(vcenter.instanceUuid(), after.moref());
        vcenter.enterMaintenanceMode(before);
        await(PATIENCE, () -> vrops.resourceState(beforeResource).equals("MAINTAINED"), "vROps has the host in maintenance");
        double passesBefore = passes();

        // the restarted simulator has every host out of maintenance mode: only a resync can tell
        vcenter.restart();
        await(PATIENCE, () -> vrops.resourceState(beforeResource).equals("STARTED"), "the resync unmarked the host vCenter no longer has in maintenance");
        assertThat(passes()).as("the resync pass").isGreaterThan(passesBefore);
        await(PATIENCE, () -> WithVcenter.watchUp(integration, "lab") == 1, "the watch up again");

        vcenter.enterMaintenanceMode(after);
        await(PATIENCE, () -> vrops.resourceState(afterResource).equals("MAINTAINED"), "the new watch follows vCenter");
        assertThat(vrops.resourceState(beforeResource)).isEqualTo("STARTED");
    }

    @Test
    void manyHostsChangedAtOnceFollowWithBulkCallsAndManualMaintenanceIsLeftAlone() throws Exception {
        List<Vcsim.Host> crowd = hosts.subList(4, 40);
        List<String> resources = crowd.stream().map(host -> vrops.resourceId(vcenter.instanceUuid(), host.moref())).toList();
        List<String> manual = List.of(resources.get(0), resources.get(17));
        manual.forEach(vrops::markManually);
        List<String> timed = resources.stream().filter(resource -> !manual.contains(resource)).toList();
        double passesBefore = passes();
        vrops.clearRequests();

        atOnce(crowd, vcenter::enterMaintenanceMode);
        await(PATIENCE, () -> timed.stream().allMatch(resource -> vrops.resourceState(resource).equals("MAINTAINED")),
                "vROps has the crowd in maintenance");
        await(PATIENCE, () -> WithVcenter.watchChanges(integration, "lab", "applied") == timed.size(), "each host's change counted as applied by the watch");
        assertThat(vrops.count(Operation.BULK_MARK_MAINTAINED)).as("bulk holds").isPositive();
        assertThat(vrops.count(Operation.MARK_MAINTAINED) + vrops.count(Operation.LOOKUP_BY_KIND))
                .as("calls of one host each: at most the first answers' few hosts").isLessThan(crowd.size() / 2);

        vrops.clearRequests();
        atOnce(crowd, vcenter::exitMaintenanceMode);
        await(PATIENCE, () -> timed.stream().allMatch(resource -> vrops.resourceState(resource).equals("STARTED")),
                "vROps has the crowd back in service");
        await(PATIENCE, () -> WithVcenter.watchChanges(integration, "lab", "applied") == 2 * timed.size(), "each host's change counted as applied by the watch");
        assertThat(vrops.count(Operation.BULK_UNMARK_MAINTAINED)).as("bulk unmarks").isPositive();
        assertThat(vrops.count(Operation.UNMARK_MAINTAINED) + vrops.count(Operation.LOOKUP_BY_KIND))
                .as("calls of one host each: at most the first answers' few hosts").isLessThan(crowd.size() / 2);

        assertThat(manual).as("maintenance set by hand, never ended").allMatch(resource -> vrops.resourceState(resource).equals("MAINTAINED_MANUAL"));
        assertThat(passes()).as("passes since the watch came up: none, the watch alone did it").isEqualTo(passesBefore);
        String page = integration.send(HttpRequest.newBuilder(integration.managementUri().resolve("observe/hosts?format=text")).GET().build()).body();
        assertThat(page).contains(crowd.get(5).name(), crowd.get(30).name());
    }

    /** The change on every host at the same time, as administrators (or a script) would make it. */
    private static void atOnce(List<Vcsim.Host> hosts, Consumer<Vcsim.Host> change) throws Exception {
        ExecutorService administrators = Executors.newFixedThreadPool(hosts.size());
        try {
            List<Future<?>> changes = new ArrayList<>();
            hosts.forEach(host -> changes.add(administrators.submit(() -> change.accept(host))));
            for (Future<?> each : changes) {
                each.get();
            }
        } finally {
            administrators.shutdownNow();
        }
    }

    private double passes() {
        var timer = integration.meters().find("vcenter.maintenance.reconcile").tags("vcenter", "lab").timers();
        return timer.stream().mapToDouble(t -> t.count()).sum();
    }

    private double vcenterCalls(String method) {
        return integration.meters().find("vcenter.calls").tags("vcenter", "lab", "call", method).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
