package maintsync.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import maintsync.IntegrationHarness;
import maintsync.TestSupport;
import maintsync.VcenterEvent;
import maintsync.vcenter.CountingProxy;
import maintsync.vcenter.Vcsim;
import maintsync.vcenter.WithVcenter;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.apache.camel.component.micrometer.MicrometerComponent;

/**
 * From a host's maintenance change in vCenter (vcsim) to vROps (the simulator) showing it, by the three ways the
 * integration learns of a change: its watch on vCenter with no event at all, an event sent as the event source would
 * (the watch off), and reconcile passes alone (the watch off, a short interval). For one host changed again and again,
 * and for many hosts changed at once; then the vCenter calls an idle hour costs, counted by a {@link CountingProxy}
 * in front of vcsim (what vCenter serves, long polls included). The integration runs on Camel Main in the benchmark's
 * JVM ({@link IntegrationHarness}), as in {@link ReconcileScale}.
 */
final class VcenterLatency {

    /** How the integration learns of the change. */
    enum Source {
        WATCH("vCenter watch, no events"),
        EVENTS("events, watch off"),
        PASSES("passes only, watch off");

        final String label;

        Source(String label) {
            this.label = label;
        }
    }

    /** The latencies of one scenario, in seconds, and the calls it made per change. */
    record Row(Source source, String scenario, List<Double> seconds, double vcenterCallsPerChange, double vropsCallsPerChange) {
        double p50() {
            return percentile(0.50);
        }

        double p99() {
            return percentile(0.99);
        }

        double max() {
            return seconds.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        private double percentile(double quantile) {
            double[] sorted = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            // nearest rank: with 20 samples the p99 is the largest, as it should be with so few
            return sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
        }
    }

    /** vCenter requests counted over an idle window, by SOAP method, and the passes that ended in it. */
    record Idle(Source source, double seconds, Map<String, Long> calls, long passes) {
        long total() {
            return calls.values().stream().mapToLong(Long::longValue).sum();
        }

        double perHour() {
            return total() * 3600 / seconds;
        }
    }

    /**
     * Everything measured: the rows, the idle windows, whether this build has a watch at all (without one, its rows are
     * absent), the pass interval of the passes-only rows and the one the integration ships with.
     */
    record Result(boolean watchInBuild, Duration passInterval, Duration shippedInterval, int repeats, int crowd, List<Row> rows,
                  List<Idle> idle) {
    }

    private static final String PASSWORD = "reader-pw";
    private static final String VCENTER = "lab";
    /** Longer than any latency worth reporting; a change not shown in vROps by then fails the benchmark. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** The interval of the rows that must not see a pass after the first: an hour. */
    private static final String NO_PASSES = "3600000";
    /** 1 while the watch's long poll works; a build without a watch has no such gauge. */
    private static final String WATCH_UP = "vcenter.maintenance.watch.up";
    /** Not vROps calls a change makes: the readiness checks and the session, which run beside. */
    private static final Set<Operation> BESIDE = EnumSet.of(Operation.NODE_STATUS, Operation.ACQUIRE_TOKEN, Operation.RELEASE_TOKEN,
            Operation.CURRENT_USER);

    private VcenterLatency() {
    }

    static Result measure(Path project, int repeats, int crowd, Duration passInterval, Duration idleWindow) throws Exception {
        Properties shipped = new Properties();
        try (InputStream in = Files.newInputStream(project.resolve("application.properties"))) {
            shipped.load(in);
        }
        // known once the first integration started with vcenter.watch=true: it has the watch's gauge, or no watch
        boolean watchInBuild = true;
        Duration shippedInterval = Duration.ofMillis(Long.parseLong(shipped.getProperty("reconcile.interval-ms").strip()));
        // one host changed again and again, then `crowd` others at once
        try (Vcsim vcsim = Vcsim.start(PASSWORD, List.of("-cluster-hosts", Integer.toString(crowd + 1), "-standalone-hosts", "0"));
             CountingProxy vcenter = CountingProxy.in(vcsim);
             VropsSimulator vrops = WithVcenter.vropsKnowing(vcenter)) {
            List<Vcsim.Host> hosts = vcsim.hosts();
            Changes changes = new Changes(vcsim, vcenter, vrops, hosts);
            List<Row> rows = new ArrayList<>();
            List<Idle> idle = new ArrayList<>();
            for (Source source : Source.values()) {
                Map<String, String> settings = new LinkedHashMap<>();
                settings.put("reconcile.interval-ms", source == Source.PASSES ? Long.toString(passInterval.toMillis()) : NO_PASSES);
                settings.put("vcenter.watch", Boolean.toString(source == Source.WATCH));
                try (IntegrationHarness integration = IntegrationHarness.against(vrops, WithVcenter.settings(VCENTER, vcenter, PASSWORD, settings))) {
                    integration.awaitReady(Duration.ofSeconds(30));
                    // the first pass, at start (with a watch: its resync), is not what is measured
                    TestSupport.await(PATIENCE, () -> passes(integration) >= 1, "the first reconcile pass");
                    if (source == Source.WATCH) {
                        watchInBuild = registry(integration).find(WATCH_UP).gauge() != null;
                        if (!watchInBuild) {
                            continue;
                        }
                        TestSupport.await(PATIENCE, () -> registry(integration).get(WATCH_UP).gauge().value() == 1, "the watch up");
                    }
                    Duration jitter = source == Source.PASSES ? passInterval : Duration.ofSeconds(1);
                    rows.add(changes.oneHost(source, integration, repeats, jitter));
                    rows.add(changes.atOnce(source, integration, crowd));
                    if (source != Source.EVENTS) {
                        idle.add(idleCalls(source, vcenter, integration, idleWindow));
                    }
                }
                System.out.printf(Locale.ROOT, "latency %-26s %s%n", source.label, String.join("; ", rows.stream().filter(row -> row.source() == source)
                        .map(row -> String.format(Locale.ROOT, "%s p50 %.3f s p99 %.3f s", row.scenario(), row.p50(), row.p99())).toList()));
            }
            return new Result(watchInBuild, passInterval, shippedInterval, repeats, crowd, rows, idle);
        }
    }

    /** Nothing changes in vCenter: what it is asked all the same, in a window of {@code window}. */
    private static Idle idleCalls(Source source, CountingProxy vcenter, IntegrationHarness integration, Duration window) throws InterruptedException {
        Map<String, Long> before = vcenter.calls();
        long passesBefore = passes(integration);
        TimeUnit.MILLISECONDS.sleep(window.toMillis());
        Map<String, Long> counted = new LinkedHashMap<>();
        vcenter.calls().forEach((method, count) -> {
            long since = count - before.getOrDefault(method, 0L);
            if (since > 0) {
                counted.put(method, since);
            }
        });
        return new Idle(source, window.toMillis() / 1000.0, counted, passes(integration) - passesBefore);
    }

    private static long passes(IntegrationHarness integration) {
        return registry(integration).find("vcenter.maintenance.reconcile").timers().stream().mapToLong(Timer::count).sum();
    }

    private static MeterRegistry registry(IntegrationHarness integration) {
        return integration.context().getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry();
    }

    /** The administrator's side: maintenance changes in vCenter, and when vROps showed each. */
    private record Changes(Vcsim vcsim, CountingProxy vcenter, VropsSimulator vrops, List<Vcsim.Host> hosts) {

        /**
         * Host 0 into maintenance and out again, {@code repeats} changes in all, each after a random pause of up to
         * {@code jitter}, so that the changes fall anywhere between two passes rather than just after one.
         */
        Row oneHost(Source source, IntegrationHarness integration, int repeats, Duration jitter) throws InterruptedException {
            Vcsim.Host host = hosts.get(0);
            String id = vrops.resourceId(vcsim.instanceUuid(), host.moref());
            List<Double> seconds = new ArrayList<>();
            long vcenterBefore = vcenter.total();
            long vropsBefore = vropsCalls();
            for (int i = 0; i < repeats; i++) {
                boolean enter = i % 2 == 0;
                TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(jitter.toMillis()));
                long start = System.nanoTime();
                change(source, integration, host, enter);
                String expected = enter ? "MAINTAINED" : "STARTED";
                String shown = TestSupport.poll(PATIENCE, () -> vrops.resourceState(id), expected::equals);
                if (!expected.equals(shown)) {
                    throw new IllegalStateException(source.label + ": " + host.name() + " still " + shown + " in vROps " + PATIENCE
                            + " after its change in vCenter");
                }
                seconds.add((System.nanoTime() - start) / 1e9);
            }
            return new Row(source, "1 host, " + repeats + " changes", seconds, (vcenter.total() - vcenterBefore) / (double) repeats,
                    (vropsCalls() - vropsBefore) / (double) repeats);
        }

        /** Hosts 1 to {@code crowd} into maintenance at once, then out at once; each host's own latency. */
        Row atOnce(Source source, IntegrationHarness integration, int crowd) throws Exception {
            List<Vcsim.Host> changed = hosts.subList(1, crowd + 1);
            String[] ids = changed.stream().map(host -> vrops.resourceId(vcsim.instanceUuid(), host.moref())).toArray(String[]::new);
            List<Double> seconds = new ArrayList<>();
            long vcenterBefore = vcenter.total();
            long vropsBefore = vropsCalls();
            ExecutorService administrators = Executors.newFixedThreadPool(crowd);
            try {
                for (boolean enter : new boolean[] { true, false }) {
                    String expected = enter ? "MAINTAINED" : "STARTED";
                    AtomicLongArray started = new AtomicLongArray(crowd);
                    long[] shown = new long[crowd];
                    List<Future<?>> sent = new ArrayList<>();
                    for (int i = 0; i < crowd; i++) {
                        int index = i;
                        sent.add(administrators.submit(() -> {
                            started.set(index, System.nanoTime());
                            change(source, integration, changed.get(index), enter);
                            return null;
                        }));
                    }
                    // the poll notes when each host was first seen; the changes may still be under way
                    int left = TestSupport.poll(PATIENCE, () -> {
                        long now = System.nanoTime();
                        int waiting = 0;
                        for (int i = 0; i < crowd; i++) {
                            if (shown[i] == 0 && started.get(i) != 0 && expected.equals(vrops.resourceState(ids[i]))) {
                                shown[i] = now;
                            }
                            waiting += shown[i] == 0 ? 1 : 0;
                        }
                        return waiting;
                    }, waiting -> waiting == 0);
                    for (Future<?> change : sent) {
                        change.get(); // a change that failed fails the benchmark
                    }
                    if (left > 0) {
                        throw new IllegalStateException(source.label + ": " + left + " of " + crowd + " hosts not " + expected + " in vROps "
                                + PATIENCE + " after their change in vCenter");
                    }
                    for (int i = 0; i < crowd; i++) {
                        seconds.add((shown[i] - started.get(i)) / 1e9);
                    }
                }
            } finally {
                administrators.shutdownNow();
            }
            return new Row(source, crowd + " hosts at once, in and out", seconds, (vcenter.total() - vcenterBefore) / (2.0 * crowd),
                    (vropsCalls() - vropsBefore) / (2.0 * crowd));
        }

        /** The change in vCenter and, where events are the source, its event as the event source sends it. */
        private void change(Source source, IntegrationHarness integration, Vcsim.Host host, boolean enter) {
            if (enter) {
                vcsim.enterMaintenanceMode(host);
            } else {
                vcsim.exitMaintenanceMode(host);
            }
            if (source == Source.EVENTS) {
                VcenterEvent event = enter ? VcenterEvent.entered(host.name(), host.moref()) : VcenterEvent.exited(host.name(), host.moref());
                int status = integration.send(event.source(vcenter.sdk().toString())).statusCode();
                if (status != 204) {
                    throw new IllegalStateException("the integration answered HTTP " + status + " to an event of " + host.name());
                }
            }
        }

        private long vropsCalls() {
            return Arrays.stream(Operation.values()).filter(operation -> !BESIDE.contains(operation)).mapToLong(vrops::count).sum();
        }
    }
}
