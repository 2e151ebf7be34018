package maintsync.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import maintsync.IntegrationHarness;
import maintsync.TestSupport;
import maintsync.VcenterEvent;
import maintsync.vcenter.Vcsim;
import maintsync.vrops.Inventory;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.junit.jupiter.api.Test;

/**
 * vCenter is the truth, and vROps follows it whatever the events do: hosts change state in two simulated vCenters
 * (tests/vcsim), and their events reach two replicas of the integration through the misbehaving Broker of
 * {@link BrokerEmulator} (parallel, reordering, duplicating, retrying), which here also loses 5 % of them, gets forged
 * Enters mixed in, and, mid-run, one replica restarts while old events are replayed. vROps fails 5 % of the
 * maintained calls with 503 and drops 1 % of the connections. Within seconds of the replay every host's vROps state
 * equals its vCenter state, and no host put into maintenance by hand was unmarked. Two more runs have no events at all
 * and passes ten minutes apart, so that only the watches can make vROps follow: one as it is, one with a vCenter killed
 * mid-run (the watches' connections cut) and started again.
 * <p>
 * Size and seed: {@code vchaos.changes} (default 400), {@code vchaos.hosts} (per vCenter, default 12) and
 * {@code vchaos.seed}; the full size is {@code -Dvchaos.changes=10000 -Dvchaos.hosts=100}.
 */
class VcenterChaosReplayTest {

    private static final int CHANGES = Integer.getInteger("vchaos.changes", 400);
    private static final int HOSTS = Integer.getInteger("vchaos.hosts", 12);
    private static final long SEED = Long.getLong("vchaos.seed", 20_261_201L);
    private static final String PASSWORD = "vc-chaos-password";
    private static final long RECONCILE_MS = 500;

    /** A state change made in a vCenter, and the event it posts. */
    private record Change(Vcsim vcenter, Vcsim.Host host, boolean enter, VcenterEvent event) {
    }

    @Test
    void everyHostEndsAsItsVcenterSaysDespiteLostForgedAndReplayedEvents() throws Exception {
        Random random = new Random(SEED);
        List<String> uuids = List.of("5f1a0f0e-6a5b-4a43-9c1e-00000000aa01", "5f1a0f0e-6a5b-4a43-9c1e-00000000aa02");
        List<String> names = List.of("127.0.0.1", "localhost");
        List<Vcsim> vcenters = new ArrayList<>();
        try {
            for (String uuid : uuids) {
                vcenters.add(Vcsim.start(PASSWORD, List.of("-instance-uuid", uuid, "-cluster-hosts", Integer.toString(HOSTS - 1))));
            }
            Inventory defaults = Inventory.defaults();
            List<Inventory.VCenter> vropsVcenters = new ArrayList<>();
            List<Inventory.Host> vropsHosts = new ArrayList<>();
            for (int v = 0; v < vcenters.size(); v++) {
                vropsVcenters.add(new Inventory.VCenter(names.get(v), uuids.get(v)));
                for (Vcsim.Host host : vcenters.get(v).hosts()) {
                    vropsHosts.add(new Inventory.Host(host.name(), host.moref(), names.get(v)));
                }
            }
            Inventory inventory = new Inventory(defaults.users(), vropsVcenters, vropsHosts);
            try (VropsSimulator vrops = VropsSimulator.builder().inventory(inventory).start()) {
                replay(random, vcenters, names, uuids, vrops);
            }
        } finally {
            vcenters.forEach(Vcsim::close);
        }
    }

    /**
     * Marks the first two hosts of each vCenter as maintained by hand in vROps (their resource ids added to
     * {@code manual}); the other hosts of each vCenter, which the run may change.
     */
    private static Map<Vcsim, List<Vcsim.Host>> silenceTwoByHand(List<Vcsim> vcenters, List<String> uuids, VropsSimulator vrops,
            Set<String> manual) {
        Map<Vcsim, List<Vcsim.Host>> changeable = new HashMap<>();
        for (int v = 0; v < vcenters.size(); v++) {
            List<Vcsim.Host> hosts = new ArrayList<>(vcenters.get(v).hosts());
            for (Vcsim.Host host : hosts.subList(0, 2)) {
                String resource = vrops.resourceId(uuids.get(v), host.moref());
                vrops.markManually(resource);
                manual.add(resource);
            }
            changeable.put(vcenters.get(v), hosts.subList(2, hosts.size()));
        }
        return changeable;
    }

    private void replay(Random random, List<Vcsim> vcenters, List<String> names, List<String> uuids, VropsSimulator vrops) throws Exception {
        // two hosts of each vCenter silenced by hand, never changed in vCenter: no pass may end that
        Set<String> manual = new TreeSet<>();
        Map<Vcsim, List<Vcsim.Host>> changeable = silenceTwoByHand(vcenters, uuids, vrops, manual);

        List<Change> changes = new ArrayList<>();
        Map<String, Boolean> inMaintenance = new HashMap<>();
        for (int i = 0; i < CHANGES; i++) {
            int v = random.nextInt(vcenters.size());
            Vcsim vcenter = vcenters.get(v);
            List<Vcsim.Host> hosts = changeable.get(vcenter);
            Vcsim.Host host = hosts.get(random.nextInt(hosts.size()));
            boolean enter = !inMaintenance.getOrDefault(v + host.moref(), false);
            inMaintenance.put(v + host.moref(), enter);
            VcenterEvent event = (enter ? VcenterEvent.entered(host.name(), host.moref()) : VcenterEvent.exited(host.name(), host.moref()))
                    .source(vcenter.sdk(names.get(v)).toString()).header("ce-id", "change-" + i);
            changes.add(new Change(vcenter, host, enter, random.nextInt(3) == 0 ? event.eventRouterFormat() : event));
        }
        List<VcenterEvent> events = new ArrayList<>();
        int forged = 0;
        for (Change change : changes) {
            events.add(change.event());
            if (random.nextInt(50) == 0) {
                int v = random.nextInt(vcenters.size());
                List<Vcsim.Host> hosts = changeable.get(vcenters.get(v));
                Vcsim.Host host = hosts.get(random.nextInt(hosts.size()));
                events.add(VcenterEvent.entered(host.name(), host.moref()).source(vcenters.get(v).sdk(names.get(v)).toString())
                        .header("ce-id", "forged-" + forged++));
            }
        }

        Map<String, String> settings = settings(vcenters, names);
        settings.put("reconcile.interval-ms", Long.toString(RECONCILE_MS));
        AtomicReferenceArray<IntegrationHarness> replicas = new AtomicReferenceArray<>(2);
        replicas.set(0, IntegrationHarness.against(vrops, settings));
        replicas.set(1, IntegrationHarness.against(vrops, settings));
        AtomicInteger applied = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        AtomicInteger replayed = new AtomicInteger();
        Random loss = new Random(SEED + 7);
        try {
            vrops.faults().latency(Duration.ofMillis(2)).dropRate(null, 0.01, SEED + 1)
                    .failRate(Operation.MARK_MAINTAINED, 0.05, 503, SEED + 2)
                    .failRate(Operation.UNMARK_MAINTAINED, 0.05, 503, SEED + 3);
            // vCenter changes its hosts at its own pace; each event is posted once its change is made
            Thread vcenterWork = new Thread(() -> {
                for (Change change : changes) {
                    if (change.enter()) {
                        change.vcenter().enterMaintenanceMode(change.host());
                    } else {
                        change.vcenter().exitMaintenanceMode(change.host());
                    }
                    applied.incrementAndGet();
                }
            }, "vcenter-changes");
            vcenterWork.start();
            BrokerEmulator broker = new BrokerEmulator(brokerSettings(), event -> {
                String id = event.headers().get("ce-id");
                if (id.startsWith("change-")) {
                    int index = Integer.parseInt(id.substring("change-".length()));
                    while (applied.get() <= index) {
                        Thread.onSpinWait();
                    }
                    synchronized (loss) {
                        if (loss.nextInt(20) == 0) {
                            lost.incrementAndGet();
                            return new BrokerEmulator.Answer(204, ""); // lost on the way: the source never sent it
                        }
                    }
                }
                IntegrationHarness replica = replicas.get(Math.floorMod(id.hashCode(), 2));
                if (replica == null) {
                    throw new UncheckedIOException(new java.io.IOException("restarting"));
                }
                var response = replica.send(event);
                return new BrokerEmulator.Answer(response.statusCode(), response.body());
            }).midRun(() -> {
                // one replica restarts; old events are replayed to the other meanwhile, as a source's checkpoint does
                IntegrationHarness restarting = replicas.getAndSet(0, null);
                restarting.close();
                for (Change change : changes.subList(0, Math.min(20, changes.size()))) {
                    replicas.get(1).send(change.event());
                    replayed.incrementAndGet();
                }
                try {
                    replicas.set(0, IntegrationHarness.against(vrops, settings));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            BrokerEmulator.Report report = broker.replay(events);
            vcenterWork.join();
            // what is left to the watches and the passes: vROps healthy again, as it is most of the time
            vrops.faults().clear();
            List<String> wrong = new ArrayList<>();
            List<String> unmarkedByHand = new ArrayList<>();
            TestSupport.poll(Duration.ofSeconds(20), () -> {
                check(vcenters, names, uuids, vrops, manual, inMaintenance, wrong, unmarkedByHand);
                return wrong.isEmpty();
            }, Boolean::booleanValue);

            System.out.printf("vCenter chaos replay: %d changes, %d hosts on 2 vCenters, 2 replicas, one restarted; wrong final states: %d,"
                    + " manually maintained hosts unmarked: %d, lost events: %d, forged: %d, replayed: %d, repairs: %s,"
                    + " deliveries: %d, retries: %d, duplicates: %d, dead letters: %d, unaccounted: %d%n",
                    CHANGES, 2 * HOSTS, wrong.size(), unmarkedByHand.size(), lost.get(), forged, replayed.get(), repairs(replicas),
                    report.deliveries(), report.retries(), report.duplicates(), report.deadLetters().size(), report.unaccounted().size());

            assertThat(wrong).as("hosts on which vROps disagrees with vCenter").isEmpty();
            assertThat(unmarkedByHand).as("hosts maintained by hand that are not any more").isEmpty();
            assertThat(report.unaccounted()).as("events neither delivered nor dead-lettered").isEmpty();
            assertThat(lost.get()).as("events lost on the way").isPositive();
            assertThat(forged).as("forged Enters").isPositive();
        } finally {
            for (int i = 0; i < 2; i++) {
                IntegrationHarness replica = replicas.get(i);
                if (replica != null) {
                    replica.close();
                }
            }
        }
    }

    /**
     * Every host's vROps state against what its vCenter has ({@code inMaintenance}, by vCenter index and moref): the
     * hosts on which they differ in {@code wrong}, the hosts maintained by hand that no longer are in {@code unmarkedByHand}.
     */
    private static void check(List<Vcsim> vcenters, List<String> names, List<String> uuids, VropsSimulator vrops, Set<String> manual,
            Map<String, Boolean> inMaintenance, List<String> wrong, List<String> unmarkedByHand) {
        wrong.clear();
        unmarkedByHand.clear();
        for (int v = 0; v < vcenters.size(); v++) {
            for (Vcsim.Host host : vcenters.get(v).hosts()) {
                String resource = vrops.resourceId(uuids.get(v), host.moref());
                String actual = vrops.resourceState(resource);
                if (manual.contains(resource)) {
                    if (!actual.equals("MAINTAINED_MANUAL")) {
                        unmarkedByHand.add(host.name() + ": " + actual);
                    }
                } else {
                    String expected = inMaintenance.getOrDefault(v + host.moref(), false) ? "MAINTAINED" : "STARTED";
                    if (!actual.equals(expected)) {
                        wrong.add(names.get(v) + " " + host.name() + ": vCenter " + expected + ", vROps " + actual);
                    }
                }
            }
        }
    }

    /**
     * No events at all, as for a team without an event source: hosts change in two vCenters, two replicas watch both,
     * passes are ten minutes apart, and vROps fails 5 % of the maintained calls and drops 1 % of the connections. vROps
     * follows within seconds of the last change.
     */
    @Test
    void withoutAnyEventTheWatchesAloneMakeVropsFollowWithinSeconds() throws Exception {
        watchedRun(false);
    }

    /**
     * The same, and mid-run the first vCenter is killed (the watches' connections cut) and started again on the same
     * address, its hosts as at start: the watches resync and watch again.
     */
    @Test
    void aCutWatchAndARestartedVcenterEndAsVcenterSaysWithinSeconds() throws Exception {
        watchedRun(true);
    }

    private void watchedRun(boolean restartMidRun) throws Exception {
        Random random = new Random(SEED + (restartMidRun ? 11 : 13));
        List<String> uuids = List.of("5f1a0f0e-6a5b-4a43-9c1e-00000000ab01", "5f1a0f0e-6a5b-4a43-9c1e-00000000ab02");
        List<String> names = List.of("127.0.0.1", "localhost");
        List<Vcsim> vcenters = new ArrayList<>();
        try {
            for (String uuid : uuids) {
                vcenters.add(Vcsim.start(PASSWORD, List.of("-instance-uuid", uuid, "-cluster-hosts", Integer.toString(HOSTS - 1))));
            }
            List<Inventory.VCenter> vropsVcenters = new ArrayList<>();
            List<Inventory.Host> vropsHosts = new ArrayList<>();
            for (int v = 0; v < vcenters.size(); v++) {
                vropsVcenters.add(new Inventory.VCenter(names.get(v), uuids.get(v)));
                for (Vcsim.Host host : vcenters.get(v).hosts()) {
                    vropsHosts.add(new Inventory.Host(host.name(), host.moref(), names.get(v)));
                }
            }
            try (VropsSimulator vrops = VropsSimulator.builder().inventory(new Inventory(Inventory.defaults().users(), vropsVcenters, vropsHosts)).start()) {
                Set<String> manual = new TreeSet<>();
                Map<Vcsim, List<Vcsim.Host>> changeable = silenceTwoByHand(vcenters, uuids, vrops, manual);
                Map<String, String> settings = settings(vcenters, names);
                settings.put("reconcile.interval-ms", "600000"); // only the watches, and their resyncs, can explain it
                settings.put("vcenter.watch.max-wait-seconds", "5");
                List<IntegrationHarness> replicas = new ArrayList<>();
                try {
                    for (int i = 0; i < 2; i++) {
                        replicas.add(IntegrationHarness.against(vrops, settings));
                    }
                    for (IntegrationHarness replica : replicas) {
                        TestSupport.await(Duration.ofSeconds(30), () -> watchesUp(replica) == vcenters.size(), "every watch of a replica up");
                    }
                    vrops.faults().latency(Duration.ofMillis(2)).dropRate(null, 0.01, SEED + 1)
                            .failRate(Operation.MARK_MAINTAINED, 0.05, 503, SEED + 2)
                            .failRate(Operation.UNMARK_MAINTAINED, 0.05, 503, SEED + 3);
                    Map<String, Boolean> inMaintenance = new HashMap<>();
                    for (int i = 0; i < CHANGES; i++) {
                        if (restartMidRun && i == CHANGES / 2) {
                            vcenters.get(0).restart();
                            // the restarted vCenter has every host out of maintenance mode
                            inMaintenance.keySet().removeIf(key -> key.startsWith("0"));
                        }
                        int v = random.nextInt(vcenters.size());
                        Vcsim vcenter = vcenters.get(v);
                        List<Vcsim.Host> hosts = changeable.get(vcenter);
                        Vcsim.Host host = hosts.get(random.nextInt(hosts.size()));
                        boolean enter = !inMaintenance.getOrDefault(v + host.moref(), false);
                        if (enter) {
                            vcenter.enterMaintenanceMode(host);
                        } else {
                            vcenter.exitMaintenanceMode(host);
                        }
                        inMaintenance.put(v + host.moref(), enter);
                    }
                    long lastChange = System.nanoTime();
                    List<String> wrong = new ArrayList<>();
                    List<String> unmarkedByHand = new ArrayList<>();
                    TestSupport.poll(Duration.ofSeconds(30), () -> {
                        check(vcenters, names, uuids, vrops, manual, inMaintenance, wrong, unmarkedByHand);
                        return wrong.isEmpty();
                    }, Boolean::booleanValue);
                    long millis = (System.nanoTime() - lastChange) / 1_000_000;
                    double passes = 0;
                    for (IntegrationHarness replica : replicas) {
                        passes += registry(replica).find("vcenter.maintenance.reconcile").tag("outcome", "ok").timers().stream()
                                .mapToDouble(t -> t.count()).sum();
                    }
                    System.out.printf("vCenter chaos replay without events%s: %d changes, %d hosts on 2 vCenters, 2 replicas watching; wrong final"
                            + " states: %d, manually maintained hosts unmarked: %d, converged %d ms after the last change, passes ok: %.0f%n",
                            restartMidRun ? ", one vCenter restarted mid-run" : "", CHANGES, 2 * HOSTS, wrong.size(), unmarkedByHand.size(), millis, passes);
                    assertThat(wrong).as("hosts on which vROps disagrees with vCenter").isEmpty();
                    assertThat(unmarkedByHand).as("hosts maintained by hand that are not any more").isEmpty();
                    // 2 replicas x 2 vCenters: a pass at start each, and with a restart one resync more by each watch of it
                    assertThat(passes).as("passes that ended well").isLessThanOrEqualTo(restartMidRun ? 6 : 4);
                } finally {
                    replicas.forEach(IntegrationHarness::close);
                }
            }
        } finally {
            vcenters.forEach(Vcsim::close);
        }
    }

    private static Map<String, String> settings(List<Vcsim> vcenters, List<String> names) {
        Map<String, String> settings = new HashMap<>();
        settings.put("vcenter.names", "a,b");
        for (int v = 0; v < vcenters.size(); v++) {
            String prefix = "vcenter." + (v == 0 ? "a" : "b") + ".";
            settings.put(prefix + "url", vcenters.get(v).sdk(names.get(v)).toString());
            settings.put(prefix + "username", Vcsim.USERNAME);
            settings.put(prefix + "password-file", IntegrationHarness.passwordFile(PASSWORD).toString());
            settings.put(prefix + "tls.ca-file", vcenters.get(v).caCertificatePem().toString());
        }
        settings.put("vrops.retries", "0");
        return settings;
    }

    private static double watchesUp(IntegrationHarness replica) {
        return registry(replica).find("vcenter.maintenance.watch.up").gauges().stream().mapToDouble(gauge -> gauge.value()).sum();
    }

    private static io.micrometer.core.instrument.MeterRegistry registry(IntegrationHarness replica) {
        return replica.context().getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry();
    }

    /** Repairs the running replicas counted (the restarted one counts from its restart). */
    private static Map<String, Double> repairs(AtomicReferenceArray<IntegrationHarness> replicas) {
        Map<String, Double> repairs = new java.util.TreeMap<>();
        for (int i = 0; i < 2; i++) {
            IntegrationHarness replica = replicas.get(i);
            replica.context().getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry()
                    .find("vcenter.maintenance.repairs").counters()
                    .forEach(counter -> repairs.merge(counter.getId().getTag("direction"), counter.count(), Double::sum));
        }
        return repairs;
    }

    /** As in {@link ChaosReplayTest}: four Triggers of four workers, retries with backoff, 5 % duplicates. */
    private static BrokerEmulator.Settings brokerSettings() {
        return new BrokerEmulator.Settings(4, 32, 16, 0.05, Duration.ofSeconds(2), 5, Duration.ofMillis(50), Duration.ofSeconds(2),
                Duration.ofSeconds(60).plusMillis(CHANGES * 30L), SEED);
    }
}
