package maintsync.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import maintsync.IntegrationHarness;
import maintsync.TestSupport;
import maintsync.vcenter.Vcsim;
import maintsync.vrops.Inventory;
import maintsync.vrops.VropsSimulator;
import org.apache.camel.component.micrometer.MicrometerComponent;

/**
 * The reconcile pass at scale: vcsim vCenters on loopback addresses of their own (127.0.0.1, .2, ...), each with its
 * hosts, some in maintenance that vROps does not know of (their events lost), and the integration (Camel Main, in this
 * JVM) reconciling them all. Each round is one pass over every vCenter; per round: the time all its passes took, and
 * the vSphere and vROps calls it made, by method and call. The first round marks the hosts in maintenance (a lookup
 * each); the later ones find nothing to repair and extend the timed maintenance.
 */
final class ReconcileScale {

    /** One round: its time, its calls, its repairs. */
    record Round(double seconds, Map<String, Double> vcenterCalls, Map<String, Double> vropsCalls, double repairs) {
        double vcenterCallCount() {
            return vcenterCalls.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        double vropsCallCount() {
            return vropsCalls.values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    record Result(int vcenters, int hostsPerVcenter, int inMaintenance, List<Round> rounds) {
    }

    private static final String PASSWORD = "reader-pw";

    private ReconcileScale() {
    }

    static Result measure(int vcenterCount, int hostsPerVcenter, int inMaintenancePerVcenter, int rounds) throws Exception {
        List<Vcsim> vcenters = new ArrayList<>();
        try {
            List<Inventory.VCenter> known = new ArrayList<>();
            List<Inventory.Host> hosts = new ArrayList<>();
            for (int i = 1; i <= vcenterCount; i++) {
                // 500 hosts per cluster, as one vCenter has them; its own instance UUID (vcsim's default is the same for all)
                Vcsim vcenter = Vcsim.start(PASSWORD, "127.0.0." + i, List.of("-clusters", Integer.toString(hostsPerVcenter / 500),
                        "-cluster-hosts", "500", "-standalone-hosts", "0", "-instance-uuid", UUID.randomUUID().toString()));
                vcenters.add(vcenter);
                known.add(new Inventory.VCenter(vcenter.sdk().getHost(), vcenter.instanceUuid()));
                List<Vcsim.Host> itsHosts = vcenter.hosts();
                itsHosts.forEach(host -> hosts.add(new Inventory.Host(host.name(), host.moref(), vcenter.sdk().getHost())));
                itsHosts.subList(0, inMaintenancePerVcenter).forEach(vcenter::enterMaintenanceMode);
            }
            try (VropsSimulator vrops = VropsSimulator.builder().inventory(new Inventory(Inventory.defaults().users(), known, hosts)).start()) {
                Map<String, String> settings = new HashMap<>();
                List<String> names = new ArrayList<>();
                for (int i = 0; i < vcenters.size(); i++) {
                    String name = "vc" + (i + 1);
                    names.add(name);
                    settings.put("vcenter." + name + ".url", vcenters.get(i).sdk().toString());
                    settings.put("vcenter." + name + ".username", Vcsim.USERNAME);
                    settings.put("vcenter." + name + ".password-file", IntegrationHarness.passwordFile(PASSWORD).toString());
                    settings.put("vcenter." + name + ".tls.ca-file", vcenters.get(i).caCertificatePem().toString());
                }
                settings.put("vcenter.names", String.join(",", names));
                settings.put("reconcile.interval-ms", "3000");
                try (IntegrationHarness integration = IntegrationHarness.against(vrops, settings)) {
                    MeterRegistry registry = integration.context().getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry();
                    List<Round> measured = new ArrayList<>();
                    // from zero: the first pass starts with the integration
                    Snapshot before = new Snapshot(0, Map.of(), Map.of(), 0);
                    for (int round = 1; round <= rounds; round++) {
                        awaitPasses(registry, round, vcenterCount);
                        Snapshot after = Snapshot.of(registry);
                        measured.add(after.since(before));
                        before = after;
                    }
                    return new Result(vcenterCount, hostsPerVcenter, inMaintenancePerVcenter * vcenterCount, measured);
                }
            }
        } finally {
            vcenters.forEach(Vcsim::close);
        }
    }

    private static void awaitPasses(MeterRegistry registry, int passes, int vcenters) {
        // each vCenter's passes run on a thread of their own: the round ends with the last vCenter's pass
        TestSupport.await(Duration.ofMinutes(5), () -> registry.find("vcenter.maintenance.reconcile").timers().stream()
                .collect(Collectors.groupingBy(timer -> timer.getId().getTag("vcenter"), Collectors.summingLong(Timer::count)))
                .values().stream().filter(count -> count >= passes).count() >= vcenters, "round " + passes + " of the reconcile passes");
        if (registry.find("vcenter.maintenance.reconcile").timers().stream()
                .anyMatch(timer -> !"ok".equals(timer.getId().getTag("outcome")) && timer.count() > 0)) {
            throw new IllegalStateException("a reconcile pass failed: see the log");
        }
    }

    /** The meters a round changes, summed over the vCenters. */
    private record Snapshot(double seconds, Map<String, Double> vcenterCalls, Map<String, Double> vropsCalls, double repairs) {

        static Snapshot of(MeterRegistry registry) {
            double seconds = registry.find("vcenter.maintenance.reconcile").timers().stream().mapToDouble(timer -> timer.totalTime(TimeUnit.SECONDS)).sum();
            Map<String, Double> vcenterCalls = new TreeMap<>();
            registry.find("vcenter.calls").counters().forEach(counter -> vcenterCalls.merge(tag(counter, "call"), counter.count(), Double::sum));
            Map<String, Double> vropsCalls = new TreeMap<>();
            registry.find("vrops.calls").counters().forEach(counter -> vropsCalls.merge(tag(counter, "call"), counter.count(), Double::sum));
            double repairs = registry.find("vcenter.maintenance.repairs").counters().stream().mapToDouble(counter -> counter.count()).sum();
            return new Snapshot(seconds, vcenterCalls, vropsCalls, repairs);
        }

        Round since(Snapshot before) {
            Map<String, Double> vcenter = new TreeMap<>();
            vcenterCalls.forEach((call, count) -> vcenter.put(call, count - before.vcenterCalls.getOrDefault(call, 0.0)));
            Map<String, Double> vrops = new TreeMap<>();
            // readiness checks and the token run beside the passes: they are not the passes' calls
            vropsCalls.forEach((call, count) -> {
                if (!call.equals("check") && !call.equals("token")) {
                    vrops.put(call, count - before.vropsCalls.getOrDefault(call, 0.0));
                }
            });
            vcenter.values().removeIf(count -> count == 0);
            vrops.values().removeIf(count -> count == 0);
            return new Round(seconds - before.seconds, vcenter, vrops, repairs - before.repairs);
        }

        private static String tag(Meter meter, String key) {
            return meter.getId().getTag(key);
        }
    }
}
