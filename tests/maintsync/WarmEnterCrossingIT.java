package maintsync;

import static maintsync.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import javax.management.ObjectName;

import maintsync.vcenter.Vcsim;
import maintsync.vcenter.WithVcenter;
import maintsync.vrops.VropsOpenApi;
import maintsync.vrops.VropsSimulator;
import org.jacoco.core.data.ExecutionData;
import org.jacoco.core.data.ExecutionDataReader;
import org.jacoco.core.data.ExecutionDataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which of the project's classes a warm Enter event runs through, measured rather than counted by hand: the
 * integration runs as users run it (from source, vcsim as its vCenter, the vROps simulator over HTTPS) under the
 * JaCoCo agent that this test's own failsafe execution attaches ({@code crossing} in pom.xml). Once an event has warmed
 * it up (token, session, resource ids), the agent's record is emptied, one Enter event is sent, and the classes of
 * {@code routes/} whose code ran are read from the record: a nested class or lambda counted with the class it is
 * written in, a nested record (a value handed around) not at all. docs/architecture.md gives the same lists: a change
 * that makes an event cross more classes shows here first.
 */
class WarmEnterCrossingIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** What every event crosses to be reported, whatever it does: counted, shown on the host page, logged. */
    private static final List<String> REPORTING = List.of(
            "VCenterMaintenanceRoute", // the event's counts, by the route's consumers and at its end
            "maintsync.edge.Hooks", // the counters
            "maintsync.edge.HostStatus", // the host's row and gauge
            "maintsync.edge.LogLines"); // the event's log line kept one line
    private static final String PASSWORD = "crossing-pw";

    private Vcsim vcenter;
    private VropsSimulator vrops;
    private IntegrationHarness integration;

    /** An Enter event of a configured vCenter: what docs/architecture.md walks through. */
    @Test
    void anEventOfAConfiguredVcenterCrossesTheseClasses() throws Exception {
        // no watch and no pass but the first, so that only the event asks vCenter and vROps
        start(Map.of("vcenter.watch", "false"));
        await(PATIENCE, () -> passes() >= 1, "the first pass");
        List<Vcsim.Host> hosts = vcenter.hosts();
        vcenter.enterMaintenanceMode(hosts.get(0));
        assertThat(integration.send(enteredOf(hosts.get(0))).statusCode()).isEqualTo(204);

        vcenter.enterMaintenanceMode(hosts.get(1));
        Set<String> crossed = crossedBy(() -> assertThat(integration.send(enteredOf(hosts.get(1))).statusCode()).isEqualTo(204));

        assertThat(vrops.resourceState(vrops.resourceId(vcenter.instanceUuid(), hosts.get(1).moref()))).isEqualTo("MAINTAINED");
        assertThat(crossed).as("the event's work, then what reports it").containsExactlyInAnyOrderElementsOf(with(REPORTING,
                "maintsync.edge.BrokerEdge", // let in, answered
                "maintsync.sync.MaintenanceEvent", // the CloudEvent read
                "maintsync.sync.MaintenanceSync", // the event applied
                "maintsync.vcenter.Vcenters", // the event's vCenter and its session
                "maintsync.vcenter.VcenterWatch", // what the watch has seen of the host (nothing: it is off)
                "maintsync.sync.HostEventOrder", // one event of the host at a time
                "maintsync.vcenter.VcenterSoap", // the host's state read
                "maintsync.vrops.VropsClient", // the host found, its state read, marked
                "maintsync.vrops.VropsCalls", // the lookup and the mark, through the Kamelets
                "maintsync.edge.CallLimits", // each vCenter and vROps call bounded in size and time
                "maintsync.sync.MaintenancePlan", // the decision
                "maintsync.vrops.VropsReadiness")); // told that vROps lets the user change maintenance (readiness)
    }

    /**
     * The same event with the watch on, as by default, once the watch has applied the change: answered from what the
     * watch has seen, with no call to either side.
     */
    @Test
    void anEventTheWatchHasAppliedCrossesTheseClasses() throws Exception {
        // a long poll that nothing ends early but a change, so that the watch's own reading stays out of the record
        start(Map.of("vcenter.watch.max-wait-seconds", "60"));
        Vcsim.Host host = vcenter.hosts().get(1);
        String resource = vrops.resourceId(vcenter.instanceUuid(), host.moref());
        await(PATIENCE, () -> WithVcenter.watchUp(integration, "lab") == 1, "the watch up");
        vcenter.enterMaintenanceMode(host);
        await(PATIENCE, () -> vrops.resourceState(resource).equals("MAINTAINED") && WithVcenter.watchChanges(integration, "lab", "applied") == 1, "the watch's change applied");
        int vropsCalls = vrops.requests().size();

        Set<String> crossed = crossedBy(() -> assertThat(integration.send(enteredOf(host)).statusCode()).isEqualTo(204));

        assertThat(vrops.requests()).as("vROps calls for the event").hasSize(vropsCalls);
        assertThat(crossed).as("the event's work, then what reports it").containsExactlyInAnyOrderElementsOf(with(REPORTING,
                "maintsync.edge.BrokerEdge",
                "maintsync.sync.MaintenanceEvent",
                "maintsync.sync.MaintenanceSync",
                "maintsync.vcenter.Vcenters",
                "maintsync.vcenter.VcenterWatch", // the host as the watch has seen it, and vROps as the watch left it
                "maintsync.sync.MaintenancePlan")); // would the plan change anything now: no
    }

    /** An Enter event of a source no vCenter is configured for, trusted as it comes: the benchmark's event. */
    @Test
    void aTrustedEventCrossesTheseClasses() throws Exception {
        try (VropsSimulator simulator = VropsSimulator.builder().start(); IntegrationHarness trusting = IntegrationHarness.against(simulator)) {
            trusting.awaitReady(PATIENCE);
            assertThat(trusting.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
            assertThat(trusting.send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);

            Set<String> crossed = crossedBy(() -> assertThat(trusting.send(VcenterEvent.entered("esx01.lab.local", "host-21"))
                    .statusCode()).isEqualTo(204));

            assertThat(crossed).as("the event's work, then what reports it").containsExactlyInAnyOrderElementsOf(with(REPORTING,
                    "maintsync.edge.BrokerEdge",
                    "maintsync.sync.MaintenanceEvent",
                    "maintsync.sync.MaintenanceSync",
                    "maintsync.vcenter.Vcenters", // only asked whether the event's source is a configured vCenter
                    "maintsync.sync.HostEventOrder", // in vCenter's order: not older than the last event applied
                    "maintsync.vrops.VropsClient", // the remembered resource id, marked
                    "maintsync.vrops.VropsCalls",
                    "maintsync.edge.CallLimits",
                    "maintsync.vrops.VropsReadiness"));
            VropsOpenApi.load().assertRequestsValid(simulator.requests());
        }
    }

    private static List<String> with(List<String> reporting, String... work) {
        return Stream.concat(Stream.of(work), reporting.stream()).toList();
    }

    @AfterEach
    void stop() {
        if (vcenter != null) {
            WithVcenter.stop(integration, vrops, vcenter);
        }
    }

    /** vcsim as vCenter {@code lab}, a vROps that knows its hosts, and the integration with these settings, ready. */
    private void start(Map<String, String> settings) throws Exception {
        vcenter = Vcsim.start(PASSWORD);
        vrops = WithVcenter.vropsKnowing(vcenter);
        integration = IntegrationHarness.against(vrops, WithVcenter.settings("lab", vcenter, PASSWORD, settings));
        integration.awaitReady(PATIENCE);
    }

    private VcenterEvent enteredOf(Vcsim.Host host) {
        return VcenterEvent.entered(host.name(), host.moref()).source(vcenter.sdk().toString());
    }

    private double passes() {
        return integration.meters().find("vcenter.maintenance.reconcile").timers().stream().mapToLong(timer -> timer.count()).sum();
    }

    /**
     * The classes of {@code routes/} whose code ran while {@code event} was handled, by the agent's record: emptied
     * before, read after. Sorted by name.
     */
    private static Set<String> crossedBy(Runnable event) throws Exception {
        ObjectName agent = new ObjectName("org.jacoco:type=Runtime");
        var server = ManagementFactory.getPlatformMBeanServer();
        assertThat(server.isRegistered(agent)).as("the JaCoCo agent of failsafe's execution 'crossing' (pom.xml); run this test with "
                + "mvn verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=none -Dfailsafe.failIfNoSpecifiedTests=false").isTrue();
        server.invoke(agent, "reset", new Object[0], new String[0]);
        event.run();
        byte[] record = (byte[]) server.invoke(agent, "getExecutionData", new Object[] {false}, new String[] {"boolean"});
        ExecutionDataStore ran = new ExecutionDataStore();
        ExecutionDataReader reader = new ExecutionDataReader(new ByteArrayInputStream(record));
        reader.setExecutionDataVisitor(ran);
        reader.setSessionInfoVisitor(session -> { });
        reader.read();
        Set<String> crossed = new TreeSet<>();
        for (ExecutionData data : ran.getContents()) {
            String topLevel = data.getName().split("\\$", 2)[0];
            if (data.hasHits() && isProjectClass(topLevel) && !isNestedRecord(data.getName())) {
                crossed.add(topLevel.replace('/', '.'));
            }
        }
        return crossed;
    }

    /**
     * A nested record's code is its accessors: a value the classes hand each other (a host as the event names it, its
     * state as vCenter gave it), not a step of the event.
     */
    private static boolean isNestedRecord(String vmName) throws ClassNotFoundException {
        return vmName.contains("$") && Class.forName(vmName.replace('/', '.'), false, WarmEnterCrossingIT.class.getClassLoader()).isRecord();
    }

    /** A class written in {@code routes/}, not one of the tests' (which share its packages). */
    private static boolean isProjectClass(String vmName) throws IOException {
        return Files.isRegularFile(Path.of("routes", vmName + ".java"));
    }
}
