package maintsync.vcenter;

import static maintsync.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.Timer;
import maintsync.IntegrationHarness;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsOpenApi;
import maintsync.vrops.VropsSimulator;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of the integration, the same settings, the same vCenter and vROps, both reconciling (and both watching
 * vCenter where the build has a watch, as it is on by default), while hosts change in vCenter with no event at all:
 * vROps ends as one replica leaves it, manual maintenance included, and what the second replica costs is counted (a
 * {@link CountingProxy} in front of vcsim per replica, vROps's requests by operation).
 */
class TwoReplicasTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String PASSWORD = "reader-pw";
    /** Hosts 0-5 go into maintenance, 6-9 in and out again, 10 and 11 someone silenced by hand in vROps. */
    private static final int HOSTS = 12;
    private static final int MANUAL_IN_SERVICE = 10;
    private static final int MANUAL_IN_MAINTENANCE = 11;

    /** What one run left and cost. */
    private record Outcome(Map<String, String> expected, Map<String, String> vropsStates, List<Long> vcenterCallsPerReplica, List<Long> passesPerReplica,
                           Map<Operation, Long> vropsCalls) {

        long vropsCallCount() {
            return vropsCalls.values().stream().mapToLong(Long::longValue).sum();
        }

        double per(long calls) {
            return calls / (double) passesPerReplica.stream().mapToLong(Long::longValue).sum();
        }
    }

    @Test
    void twoReplicasLeaveVropsAsOneDoesAndEndNoManualMaintenance() throws Exception {
        Outcome one = run(1);
        Outcome two = run(2);

        assertThat(one.vropsStates()).isEqualTo(one.expected());
        assertThat(two.vropsStates()).isEqualTo(one.vropsStates());
        // what the second replica costs: it reads vCenter itself, and vROps
        assertThat(two.vcenterCallsPerReplica()).allSatisfy(calls -> assertThat(calls).isPositive());
        long oneVcenter = one.vcenterCallsPerReplica().get(0);
        long twoVcenter = two.vcenterCallsPerReplica().stream().mapToLong(Long::longValue).sum();
        System.out.printf("one replica: %d passes, %d vCenter calls (%.1f a pass), %d vROps calls (%.1f a pass) %s%n",
                one.passesPerReplica().get(0), oneVcenter, one.per(oneVcenter), one.vropsCallCount(), one.per(one.vropsCallCount()), one.vropsCalls());
        System.out.printf("two replicas: %s passes, %s vCenter calls (%.1f a pass), %d vROps calls (%.1f a pass) %s%n",
                two.passesPerReplica(), two.vcenterCallsPerReplica(), two.per(twoVcenter), two.vropsCallCount(), two.per(two.vropsCallCount()),
                two.vropsCalls());
        // a pass costs a replica what it costs one alone: the second replica doubles the calls, it does not multiply them
        assertThat(two.per(twoVcenter)).isLessThanOrEqualTo(2 * one.per(oneVcenter));
        assertThat(two.per(two.vropsCallCount())).isLessThanOrEqualTo(2 * one.per(one.vropsCallCount()));
    }

    /**
     * The same changes with {@code replicas} integrations on a fresh vCenter and vROps: vROps's state once it matches
     * vCenter and two more passes of every replica ended, and the calls made from the start to then.
     */
    private static Outcome run(int replicas) throws Exception {
        Vcsim vcsim = Vcsim.start(PASSWORD, List.of("-cluster-hosts", Integer.toString(HOSTS), "-standalone-hosts", "0"));
        List<CountingProxy> proxies = new ArrayList<>();
        VropsSimulator vrops = WithVcenter.vropsKnowing(vcsim);
        List<IntegrationHarness> integrations = new ArrayList<>();
        try {
            List<Vcsim.Host> hosts = vcsim.hosts();
            assertThat(hosts).hasSize(HOSTS);
            // silenced by hand in vROps before anything runs: one in service in vCenter, one that goes into maintenance
            vrops.markManually(id(vrops, vcsim, hosts.get(MANUAL_IN_SERVICE)));
            vrops.markManually(id(vrops, vcsim, hosts.get(MANUAL_IN_MAINTENANCE)));
            for (int i = 0; i < replicas; i++) {
                CountingProxy proxy = CountingProxy.in(vcsim);
                proxies.add(proxy);
                integrations.add(IntegrationHarness.against(vrops, WithVcenter.settings("lab", proxy, PASSWORD, Map.of("reconcile.interval-ms", "500"))));
            }
            for (IntegrationHarness integration : integrations) {
                integration.awaitReady(PATIENCE);
            }
            // no event: only vCenter changes
            hosts.subList(0, 10).forEach(vcsim::enterMaintenanceMode);
            vcsim.enterMaintenanceMode(hosts.get(MANUAL_IN_MAINTENANCE));
            hosts.subList(6, 10).forEach(vcsim::exitMaintenanceMode);

            await(PATIENCE, () -> {
                for (int i = 0; i < 10; i++) {
                    if (!vrops.resourceState(id(vrops, vcsim, hosts.get(i))).equals(i < 6 ? "MAINTAINED" : "STARTED")) {
                        return false;
                    }
                }
                return true;
            }, "vROps following vCenter");
            long[] settled = integrations.stream().mapToLong(TwoReplicasTest::passes).toArray();
            for (int i = 0; i < integrations.size(); i++) {
                IntegrationHarness integration = integrations.get(i);
                long after = settled[i] + 2;
                await(PATIENCE, () -> passes(integration) >= after, "two more passes of replica " + (i + 1));
            }

            Map<String, String> states = new TreeMap<>();
            Map<String, String> expected = new TreeMap<>();
            for (int i = 0; i < HOSTS; i++) {
                states.put(hosts.get(i).name(), vrops.resourceState(id(vrops, vcsim, hosts.get(i))));
                expected.put(hosts.get(i).name(), i < 6 ? "MAINTAINED" : i < 10 ? "STARTED" : "MAINTAINED_MANUAL");
            }
            Map<Operation, Long> vropsCalls = new LinkedHashMap<>();
            Arrays.stream(Operation.values()).filter(operation -> vrops.count(operation) > 0).forEach(operation -> vropsCalls.put(operation, vrops.count(operation)));
            return new Outcome(expected, states, proxies.stream().map(CountingProxy::total).toList(),
                    integrations.stream().map(TwoReplicasTest::passes).toList(), vropsCalls);
        } finally {
            integrations.forEach(IntegrationHarness::close);
            proxies.forEach(CountingProxy::close);
            try {
                VropsOpenApi.load().assertRequestsValid(vrops.requests());
            } finally {
                vrops.close();
                vcsim.close();
            }
        }
    }

    private static String id(VropsSimulator vrops, Vcsim vcsim, Vcsim.Host host) {
        return vrops.resourceId(vcsim.instanceUuid(), host.moref());
    }

    private static long passes(IntegrationHarness integration) {
        return integration.context().getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry()
                .find("vcenter.maintenance.reconcile").tag("outcome", "ok").timers().stream().mapToLong(Timer::count).sum();
    }
}
