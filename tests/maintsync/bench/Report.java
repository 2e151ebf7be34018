package maintsync.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

import maintsync.bench.MaintenanceSyncBenchmark.ColdStart;
import maintsync.bench.MaintenanceSyncBenchmark.Launch;
import maintsync.bench.MaintenanceSyncBenchmark.Program;

/** The figures of one benchmark run, checked against the targets of the issue and written as BENCHMARKS.md. */
final class Report {

    /** 64 events in flight, each waiting 20 ms for vROps: no pipeline can do more than 64 / 0.020 s. */
    private static final double LIMIT_64_AT_20_MS = 64 / 0.020;

    /**
     * The parts of the benchmark, each run alone with {@code -Dbenchmark.only=<label>,...}: what a part did not measure
     * keeps, in BENCHMARKS.md, the figures of the run that last measured it.
     */
    enum Section {
        COLD_START("cold-start"), LOAD("load"), RUNTIMES("runtimes"), RECONCILE("reconcile"), LATENCY("latency");

        final String label;

        Section(String label) {
            this.label = label;
        }

        /** The sections a comma-separated list names; all of them for an empty list. */
        static Set<Section> parse(String only) {
            if (only.isBlank()) {
                return EnumSet.allOf(Section.class);
            }
            Set<Section> sections = EnumSet.noneOf(Section.class);
            for (String label : only.split(",")) {
                sections.add(Arrays.stream(values()).filter(section -> section.label.equals(label.strip())).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("-Dbenchmark.only: no section " + label.strip() + "; the sections: "
                                + String.join(", ", Arrays.stream(values()).map(section -> section.label).toList()))));
            }
            return sections;
        }
    }

    private final Set<Section> ran;
    Map<Launch, List<ColdStart>> coldStarts;
    Map<Integer, List<LoadDriver.Result>> integration;
    Map<Integer, List<LoadDriver.Result>> forwarder;
    MaintenanceSyncBenchmark.Single untunedPools;
    MaintenanceSyncBenchmark.Single c1Only;
    double integrationRssUnderLoad;
    double forwarderRssUnderLoad;
    MaintenanceSyncBenchmark.RuntimeLoad camelK;
    MaintenanceSyncBenchmark.RuntimeLoad quarkusApp;
    String quarkusAppCds;
    CpuProfile profile;
    ReconcileScale.Result reconcile;
    VcenterLatency.Result latency;

    Report(Set<Section> ran) {
        this.ran = ran;
    }

    String markdown(MaintenanceSyncBenchmark benchmark, String previousMarkdown) {
        Previous previous = new Previous(previousMarkdown);
        String now = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")) + ", " + commit(benchmark.project());
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Written by the benchmark, `mvn -B -Pbenchmark verify` (see [Running it](#running-it)); do not edit by hand.\n\n");
        md.append("| | |\n|---|---|\n");
        // a section not run this time keeps the figures of the run that measured it, and says when that was
        for (Section section : Section.values()) {
            md.append(ran.contains(section) ? "| measured: " + section.label + " | " + now + " |\n" : previous.measured(section));
        }
        md.append("| machine | ").append(machine()).append(" |\n");
        md.append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version")).append(" |\n");
        md.append("| shipped JVM options | `").append(String.join(" ", MaintenanceSyncBenchmark.SHIPPED_JVM_OPTIONS)).append("` |\n");
        md.append("| integration | Camel ").append(org.apache.camel.main.Main.class.getPackage().getImplementationVersion())
                .append(" Main, compiled route from the project jar (`target/*.jar`), `application.properties` + `jbang/application.properties`, Kamelets from `kamelets/` |\n");
        md.append("| vROps | the simulator, HTTPS (own CA) on loopback, in the benchmark's JVM; latency injected per call |\n");
        md.append("| baseline | `tests/maintsync/bench/Forwarder.java`: JDK HTTP server, one cached token, one cached id per host, one `PUT`/`DELETE` per event |\n\n");
        md.append("The machine's 2 cores are shared with the load driver, the simulator and other work: figures of runs minutes apart have ")
                .append("differed by up to 2 ×, so compare the programs within one run (the ratios) rather than across runs. \"integration\" ")
                .append("is Camel Main, as local runs and the tests run it; \"Camel K runtime\" is the same routes and Kamelets built and run as ")
                .append("the Camel K operator does, on Camel Quarkus; \"Camel Quarkus app\" the same routes and Kamelets as the Camel Quarkus ")
                .append("application of `app/`, the routes compiled at build time, started as its image starts it (see [the cluster runtimes under load](#the-cluster-runtimes-under-load)).\n\n");

        md.append("## Targets\n\n| target | measured | ratio | |\n|---|---|---|---|\n");
        targets(md, previous);

        block(md, previous, "Cold start", () -> coldStartBlock(md, benchmark), Section.COLD_START);
        block(md, previous, "Under load", () -> underLoadBlock(md, benchmark), Section.LOAD);
        block(md, previous, "Pool sizes", () -> poolsBlock(md), Section.LOAD);
        block(md, previous, "C1 only under load", () -> c1Block(md), Section.LOAD);
        block(md, previous, "The cluster runtimes under load", () -> camelK(md), Section.RUNTIMES, Section.LOAD);
        block(md, previous, "Reconcile passes", () -> reconcile(md), Section.RECONCILE);
        block(md, previous, VcenterLatencyReport.HEADING, () -> VcenterLatencyReport.block(md, latency), Section.LATENCY);
        block(md, previous, "Where the integration's CPU goes", () -> profile(md), Section.LOAD);
        md.append(running());
        return md.toString();
    }

    /** A section of the document: written from this run's figures when all it needs ran, else the previous run's text. */
    private void block(StringBuilder md, Previous previous, String heading, Runnable write, Section... needs) {
        if (ran.containsAll(List.of(needs))) {
            write.run();
        } else {
            md.append(previous.block(heading, needs));
        }
    }

    private void coldStartBlock(StringBuilder md, MaintenanceSyncBenchmark benchmark) {
        md.append("\n## Cold start\n\nFrom `java` starting to the first event answered 204 (polled with events from the start, ")
                .append("so it includes acquiring the token and looking the host up), CPU-seconds used by then and peak RSS; median of ")
                .append(benchmark.coldRuns()).append(" interleaved runs.\n\n");
        md.append("| program, JVM options | first answer (s) | CPU (s) | peak RSS (MiB) | runs (s) |\n|---|---|---|---|---|\n");
        coldStarts.forEach((launch, runs) -> md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.0f | %s |%n",
                launch.name(), median(runs, ColdStart::seconds), median(runs, ColdStart::cpuSeconds), median(runs, ColdStart::peakRssMiB),
                String.join(" ", runs.stream().map(run -> String.format(Locale.ROOT, "%.2f", run.seconds())).toList()))));

    }

    private void underLoadBlock(StringBuilder md, MaintenanceSyncBenchmark benchmark) {
        md.append("\n## Under load\n\nClosed loop: N senders, each with its own host, each sending the next event when the last is answered; ")
                .append(benchmark.warmUp().toSeconds()).append(" s warm-up then ").append(benchmark.window().toSeconds())
                .append(" s measured per row, after ").append(benchmark.jitWarmUp().toSeconds())
                .append(" s of warm-up of each program at 64 in flight (the JIT compiler takes that long for the integration's hot paths). CPU is the measured process's only ")
                .append("(the driver and the simulator share the same 2 cores). Both with the shipped JVM options.\n\n");
        md.append("| vROps latency | in flight | integration ev/s | forwarder ev/s | ratio | integration p50 / p99 (ms) | forwarder p50 / p99 (ms) | integration CPU-ms/ev | forwarder CPU-ms/ev | ratio | cores busy, integration / forwarder | machine busy, integration / forwarder run | vROps calls/ev | errors |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        integration.forEach((latency, results) -> {
            for (int i = 0; i < results.size(); i++) {
                LoadDriver.Result in = results.get(i);
                LoadDriver.Result fw = forwarder.get(latency).get(i);
                md.append(String.format(Locale.ROOT, "| %d ms | %d | %.0f | %.0f | %.2f | %.2f / %.2f | %.2f / %.2f | %.3f | %.3f | %.2f | %.2f / %.2f | %.0f %% / %.0f %% | %.3f | %d / %d |%n",
                        latency, in.inFlight(), in.eventsPerSecond(), fw.eventsPerSecond(), in.eventsPerSecond() / fw.eventsPerSecond(),
                        in.p50Millis(), in.p99Millis(), fw.p50Millis(), fw.p99Millis(), in.cpuMillisPerEvent(), fw.cpuMillisPerEvent(),
                        in.cpuMillisPerEvent() / fw.cpuMillisPerEvent(), in.coresBusy(), fw.coresBusy(), 100 * in.machineBusy(), 100 * fw.machineBusy(),
                        in.callsPerEvent(), in.errors(), fw.errors()));
            }
        });
        md.append(String.format(Locale.ROOT, "%nPeak RSS after the load: integration %.0f MiB, forwarder %.0f MiB.%n", integrationRssUnderLoad, forwarderRssUnderLoad));

    }

    private void poolsBlock(StringBuilder md) {
        LoadDriver.Result tuned = integration.get(20).get(integration.get(20).size() - 1);
        md.append("\n## Pool sizes\n\nThe integration at 64 in flight and 20 ms, with the pools `application.properties` ships and with Camel's defaults ")
                .append("(Vert.x worker pool 20, `connectionsPerRoute` 20): a pool smaller than the events in flight caps throughput at pool / latency.\n\n");
        md.append("| pools | ev/s | p50 / p99 (ms) | of the 3200 ev/s limit |\n|---|---|---|---|\n");
        md.append(String.format(Locale.ROOT, "| shipped (64) | %.0f | %.2f / %.2f | %.2f |%n", tuned.eventsPerSecond(), tuned.p50Millis(), tuned.p99Millis(), tuned.eventsPerSecond() / LIMIT_64_AT_20_MS));
        LoadDriver.Result untuned = untunedPools.result();
        md.append(String.format(Locale.ROOT, "| Camel's defaults (20) | %.0f | %.2f / %.2f | %.2f |%n", untuned.eventsPerSecond(), untuned.p50Millis(), untuned.p99Millis(), untuned.eventsPerSecond() / LIMIT_64_AT_20_MS));

    }

    private void c1Block(StringBuilder md) {
        LoadDriver.Result shipped = integration.get(0).get(integration.get(0).size() - 1);
        LoadDriver.Result c1 = c1Only.result();
        md.append("\n## C1 only under load\n\n`-XX:TieredStopAtLevel=1` on top of the shipped options (it shortens the cold start, see above), ")
                .append("at 64 in flight and 0 ms, where CPU per event decides, in a process of its own.\n\n");
        md.append("| JVM options | ev/s | CPU-ms/ev | p50 / p99 (ms) | peak RSS (MiB) |\n|---|---|---|---|---|\n");
        md.append(String.format(Locale.ROOT, "| shipped | %.0f | %.3f | %.2f / %.2f | %.0f (after the whole series) |%n", shipped.eventsPerSecond(), shipped.cpuMillisPerEvent(), shipped.p50Millis(), shipped.p99Millis(), integrationRssUnderLoad));
        md.append(String.format(Locale.ROOT, "| shipped + C1 only | %.0f | %.3f | %.2f / %.2f | %.0f |%n", c1.eventsPerSecond(), c1.cpuMillisPerEvent(), c1.p50Millis(), c1.p99Millis(), c1Only.peakRssMiB()));
    }

    /**
     * Each target from this run's figures when the sections it needs ran; else its row and its reason as the previous
     * run wrote them.
     */
    private void targets(StringBuilder md, Previous previous) {
        List<String> reasons = new ArrayList<>();
        target(md, previous, reasons, () -> callsTarget(md, reasons), "1 vROps call per event", "vROps calls per event", Section.LOAD);
        target(md, previous, reasons, () -> reconcileTarget(md, reasons), "reconcile round of", "Reconcile round", Section.RECONCILE);
        target(md, previous, reasons, () -> throughputTarget(md, reasons), "64 in flight, 20 ms", "Throughput at 64 in flight, 20 ms", Section.LOAD);
        target(md, previous, reasons, () -> cpuTarget(md, reasons), "CPU per event at 0 ms", "CPU per event", Section.LOAD);
        target(md, previous, reasons, () -> coldStartTargets(md, reasons), "cold start ", "Cold start", Section.COLD_START);
        target(md, previous, reasons, () -> rssTarget(md, reasons), "RSS under load", "RSS under load", Section.LOAD);
        target(md, previous, reasons, () -> camelKStartTarget(md, reasons), "Camel K runtime: cold start", "Camel K runtime, cold start",
                Section.COLD_START);
        target(md, previous, reasons, () -> camelKRssTarget(md, reasons), "Camel K runtime: RSS", "Camel K runtime, RSS under load",
                Section.RUNTIMES, Section.LOAD);
        target(md, previous, reasons, () -> quarkusAppStartTarget(md, reasons), "Camel Quarkus app: cold start", "Camel Quarkus app, cold start",
                Section.COLD_START);
        target(md, previous, reasons, () -> quarkusAppRssTarget(md, reasons), "Camel Quarkus app: RSS", "Camel Quarkus app, RSS under load",
                Section.RUNTIMES, Section.LOAD);
        target(md, previous, reasons, () -> VcenterLatencyReport.target(md, reasons, latency), VcenterLatencyReport.TARGET,
                VcenterLatencyReport.REASON, Section.LATENCY);
        if (!reasons.isEmpty()) {
            md.append("\n### Why targets were missed\n\n");
            reasons.forEach(reason -> md.append("* ").append(reason).append('\n'));
        }
    }

    /**
     * Writes the target's rows, or copies those of the previous run that start with {@code rowPrefix} and its reason
     * labelled {@code reasonLabel}.
     */
    private void target(StringBuilder md, Previous previous, List<String> reasons, Runnable write, String rowPrefix, String reasonLabel,
                        Section... needs) {
        if (ran.containsAll(List.of(needs))) {
            write.run();
        } else {
            previous.rows("| " + rowPrefix).forEach(line -> md.append(line).append('\n'));
            previous.rows("* **" + reasonLabel + "**").forEach(line -> reasons.add(line.substring(2)));
        }
    }

    private void callsTarget(StringBuilder md, List<String> reasons) {
        // calls per event, warm: the worst row; an event that finished after its window may be counted in the next
        double calls = integration.values().stream().flatMap(List::stream).mapToDouble(LoadDriver.Result::callsPerEvent).max().orElseThrow();
        if (!row(md, "1 vROps call per event once warm", String.format(Locale.ROOT, "%.3f (worst row)", calls), calls / 1.0, calls <= 1.01)) {
            reasons.add("**vROps calls per event**: more than the one `PUT`/`DELETE` once warm: token acquisitions or host lookups inside the "
                    + "measured windows (see `vrops_calls_total{call}` in the integration's metrics).");
        }

    }

    private void reconcileTarget(StringBuilder md, List<String> reasons) {
        double steadyRound = reconcile.rounds().subList(1, reconcile.rounds().size()).stream().mapToDouble(ReconcileScale.Round::seconds).max().orElseThrow();
        if (!row(md, String.format(Locale.ROOT, "reconcile round of %,d hosts over %d vCenters well under 10 s", reconcile.vcenters() * reconcile.hostsPerVcenter(),
                reconcile.vcenters()), String.format(Locale.ROOT, "%.2f s (worst round after the first)", steadyRound), steadyRound / 10, steadyRound < 10)) {
            reasons.add("**Reconcile round**: see [Reconcile passes](#reconcile-passes) for the calls it made.");
        }

    }

    private void throughputTarget(StringBuilder md, List<String> reasons) {
        List<LoadDriver.Result> at20 = integration.get(20);
        LoadDriver.Result in64 = at20.get(at20.size() - 1);
        LoadDriver.Result fw64 = forwarder.get(20).get(forwarder.get(20).size() - 1);
        double rate = in64.eventsPerSecond();
        if (!row(md, "64 in flight, 20 ms: ≥ 0.9 × 3200 ev/s", String.format(Locale.ROOT, "%.0f ev/s", rate), rate / LIMIT_64_AT_20_MS,
                rate >= 0.9 * LIMIT_64_AT_20_MS)) {
            reasons.add(String.format(Locale.ROOT, "**Throughput at 64 in flight, 20 ms**: %.0f ev/s, %.0f %% short of 2880 ev/s. The integration kept "
                    + "%.2f cores busy at %.3f CPU-ms per event while the whole machine was %.0f %% busy: its 2 cores also run the load driver "
                    + "and the vROps simulator (TLS on both sides of every call), so this machine cannot show 2880 ev/s for any program "
                    + "here; the forwarder, at %.3f CPU-ms per event, reached %.0f ev/s on the same cores. With Camel's default pools the "
                    + "integration reached %.0f ev/s: the pools were the first limit; what is left is the integration's CPU per event "
                    + "(%.1f × the forwarder's; see where it goes below).", rate, 100 * (1 - rate / (0.9 * LIMIT_64_AT_20_MS)), in64.coresBusy(),
                    in64.cpuMillisPerEvent(), 100 * in64.machineBusy(), fw64.cpuMillisPerEvent(), fw64.eventsPerSecond(),
                    untunedPools.result().eventsPerSecond(), in64.cpuMillisPerEvent() / fw64.cpuMillisPerEvent()));
        }

    }

    private void cpuTarget(StringBuilder md, List<String> reasons) {
        double worstCpu = 0;
        int worstAt = 0;
        for (int i = 0; i < integration.get(0).size(); i++) {
            double ratio = integration.get(0).get(i).cpuMillisPerEvent() / forwarder.get(0).get(i).cpuMillisPerEvent();
            if (ratio > worstCpu) {
                worstCpu = ratio;
                worstAt = integration.get(0).get(i).inFlight();
            }
        }
        if (!row(md, "CPU per event at 0 ms ≤ 2 × the forwarder's", String.format(Locale.ROOT, "worst %.2f × at %d in flight", worstCpu, worstAt),
                worstCpu / 2, worstCpu <= 2)) {
            reasons.add(String.format(Locale.ROOT, "**CPU per event**: up to %.2f × the forwarder's, %.0f %% over the 2 × allowed. Per event the integration "
                    + "runs a Camel exchange through the route and a Kamelet (validation, per-host ordering, the vROps client's token and "
                    + "resource id, a second exchange for the vROps call through the Kamelet and Camel's HTTP component), updates the Micrometer counters and timers "
                    + "the README lists and logs one INFO line; the forwarder does the HTTP call alone. By CPU samples: %s (the profile "
                    + "below).", worstCpu, 100 * (worstCpu / 2 - 1), largestParts()));
        }
    }

    private void coldStartTargets(StringBuilder md, List<String> reasons) {
        double integrationStart = coldMedian(Program.CAMEL_MAIN, "shipped JVM options");
        double forwarderStart = coldMedian(Program.FORWARDER, "shipped JVM options");
        double integrationCds = coldMedian(Program.CAMEL_MAIN, "shipped + AppCDS");
        double integrationCpu = coldMedianCpu(Program.CAMEL_MAIN, "shipped JVM options");
        double forwarderCpu = coldMedianCpu(Program.FORWARDER, "shipped JVM options");
        boolean fast = row(md, "cold start ≤ 1.0 s, shipped JVM options", String.format(Locale.ROOT, "%.2f s (%.2f s with AppCDS)", integrationStart, integrationCds),
                integrationStart / 1.0, integrationStart <= 1.0);
        boolean asFast = row(md, "cold start no slower than the forwarder", String.format(Locale.ROOT, "%.2f s vs %.2f s", integrationStart, forwarderStart),
                integrationStart / forwarderStart, integrationStart <= forwarderStart);
        if (!fast || !asFast) {
            reasons.add(String.format(Locale.ROOT, "**Cold start**: %.2f s, %.2f s over 1.0 s and %.2f × the forwarder's %.2f s. Starting is CPU work: %.2f CPU-s "
                    + "by the first answer against the forwarder's %.2f, on 2 shared cores: Camel Main loading and initialising Camel, Vert.x, "
                    + "Micrometer, Jackson and Apache HttpClient, parsing the Kamelets' YAML and building their routes, then the first TLS "
                    + "handshake, token and lookup, which alone take the forwarder %.2f s here. AppCDS (%.2f s) and C1 only save class loading "
                    + "and compiling, not this work; see the cold start table.", integrationStart, integrationStart - 1.0,
                    integrationStart / forwarderStart, forwarderStart, integrationCpu, forwarderCpu, forwarderStart, integrationCds));
        }
    }

    private void rssTarget(StringBuilder md, List<String> reasons) {
        if (!row(md, "RSS under load ≤ 200 MiB", String.format(Locale.ROOT, "%.0f MiB", integrationRssUnderLoad), integrationRssUnderLoad / 200,
                integrationRssUnderLoad <= 200)) {
            reasons.add(String.format(Locale.ROOT, "**RSS under load**: %.0f MiB, %.0f MiB over. Beyond the bounded heap: class metadata of Camel and its "
                    + "libraries, JIT code, Netty's direct buffers and the stacks of 64 Vert.x workers plus the HTTP client's threads.",
                    integrationRssUnderLoad, integrationRssUnderLoad - 200));
        }
    }

    /** The runtime that ships on Camel K, against Camel Main's cold start and the RSS target. */
    private void camelKStartTarget(StringBuilder md, List<String> reasons) {
        double camelMainStart = coldMedian(Program.CAMEL_MAIN, "shipped JVM options");
        double start = coldMedian(Program.CAMEL_K, "shipped JVM options");
        double cpu = coldMedianCpu(Program.CAMEL_K, "shipped JVM options");
        double precompiled = coldMedian(Program.CAMEL_K_PRECOMPILED, "shipped JVM options");
        double c1 = coldMedian(Program.CAMEL_K, "shipped + C1 only");
        if (!row(md, "Camel K runtime: cold start ≤ Camel Main's", String.format(Locale.ROOT, "%.2f s vs %.2f s", start, camelMainStart),
                start / camelMainStart, start <= camelMainStart)) {
            reasons.add(String.format(Locale.ROOT, "**Camel K runtime, cold start**: %.2f s, %.2f s (%.0f %%) over Camel Main's %.2f s, with %.2f CPU-s "
                    + "by the first answer. Quarkus starts its own Vert.x HTTP server, CDI container, SmallRye Config and Health and the "
                    + "Micrometer registry before Camel; then Camel compiles the route with jOOR. Compiling the route into the application "
                    + "instead gives %.2f s; C1 only %.2f s. Quarkus's AppCDS archive cannot be used under the jvm trait's command: %s.",
                    start, start - camelMainStart, 100 * (start / camelMainStart - 1), camelMainStart, cpu, precompiled, c1, quarkusAppCds));
        }
    }

    private void camelKRssTarget(StringBuilder md, List<String> reasons) {
        if (!row(md, "Camel K runtime: RSS under load ≤ 200 MiB", String.format(Locale.ROOT, "%.0f MiB", camelK.peakRssMiB()),
                camelK.peakRssMiB() / 200, camelK.peakRssMiB() <= 200)) {
            reasons.add(String.format(Locale.ROOT, "**Camel K runtime, RSS under load**: %.0f MiB, %.0f MiB over (Camel Main: %.0f MiB). Beyond the "
                    + "64 MiB heap: class metadata of Quarkus, its extensions and Camel, JIT code, and the threads of Quarkus's worker pool.",
                    camelK.peakRssMiB(), camelK.peakRssMiB() - 200, integrationRssUnderLoad));
        }
    }

    /** The Camel Quarkus application of app/, against Camel Main's cold start and the RSS target. */
    private void quarkusAppStartTarget(StringBuilder md, List<String> reasons) {
        double camelMainStart = coldMedian(Program.CAMEL_MAIN, "shipped JVM options");
        double start = coldMedian(Program.QUARKUS_APP, "shipped JVM options");
        double cpu = coldMedianCpu(Program.QUARKUS_APP, "shipped JVM options");
        double mainCpu = coldMedianCpu(Program.CAMEL_MAIN, "shipped JVM options");
        double appCds = coldMedian(Program.QUARKUS_APP_APPCDS, "shipped + Quarkus's AppCDS");
        double trained = coldMedian(Program.QUARKUS_APP, "shipped + AppCDS of a training run");
        double camelKStart = coldMedian(Program.CAMEL_K, "shipped JVM options");
        if (!row(md, "Camel Quarkus app: cold start ≤ Camel Main's", String.format(Locale.ROOT, "%.2f s vs %.2f s (%.2f s with AppCDS)", start,
                camelMainStart, trained), start / camelMainStart, start <= camelMainStart)) {
            reasons.add(String.format(Locale.ROOT, "**Camel Quarkus app, cold start**: %.2f s, %.2f s (%.0f %%) over Camel Main's %.2f s, with %.2f CPU-s "
                    + "by the first answer against Camel Main's %.2f (the Camel K runtime: %.2f s). Nothing is compiled at start any more; what "
                    + "is left is Quarkus starting its Vert.x HTTP server, CDI container, SmallRye Config and Health and the Micrometer "
                    + "registry besides Camel, which then parses the Kamelets' YAML and builds their routes, as Camel Main does. Quarkus's "
                    + "AppCDS archive (`quarkus.package.jar.appcds.enabled=true`, usable under `java -jar`; it holds the classes of the "
                    + "static initialisation only) gives %.2f s, an archive of a training run up to the first answer, as Camel Main's row "
                    + "uses, %.2f s. In an image either needs the archive made by the image's own JVM, which Quarkus does with a container "
                    + "runtime, absent here.",
                    start, start - camelMainStart, 100 * (start / camelMainStart - 1), camelMainStart, cpu, mainCpu, camelKStart, appCds, trained));
        }
    }

    private void quarkusAppRssTarget(StringBuilder md, List<String> reasons) {
        if (!row(md, "Camel Quarkus app: RSS under load ≤ 200 MiB", String.format(Locale.ROOT, "%.0f MiB", quarkusApp.peakRssMiB()),
                quarkusApp.peakRssMiB() / 200, quarkusApp.peakRssMiB() <= 200)) {
            reasons.add(String.format(Locale.ROOT, "**Camel Quarkus app, RSS under load**: %.0f MiB, %.0f MiB over (Camel Main: %.0f MiB, the Camel K "
                    + "runtime: %.0f MiB). Beyond the 64 MiB heap: class metadata of Quarkus, its extensions and Camel, JIT code, and the "
                    + "threads of Quarkus's worker pool; no jOOR compiler, no route sources.", quarkusApp.peakRssMiB(), quarkusApp.peakRssMiB() - 200,
                    integrationRssUnderLoad, camelK.peakRssMiB()));
        }
    }

    private void camelK(StringBuilder md) {
        LoadDriver.Result main0 = integration.get(0).get(integration.get(0).size() - 1);
        LoadDriver.Result main20 = integration.get(20).get(integration.get(20).size() - 1);
        md.append("\n## The cluster runtimes under load\n\nThe Camel K runtime: `k8s/integration.yaml` built as the ").append(CamelKRuntime.OPERATOR)
                .append(" operator builds it ")
                .append("(Camel Quarkus 3.31.0 on Quarkus Platform 3.31.3, fast-jar) and run in its pod layout with the jvm trait's command ")
                .append("(`OperatorBuild`, `OperatorPod`). The Camel Quarkus app: `app/` built by its Maven project (the same platform, the routes ")
                .append("compiled), started as the image of `k8s/app/knative-service.yaml` starts it, `java -jar quarkus-run.jar` (`CamelQuarkusApp`). ")
                .append("At 64 in flight, after the same JIT warm-up, next to Camel Main's rows above.\n\n");
        md.append("| runtime | vROps latency | ev/s | Camel Main ev/s | CPU-ms/ev | Camel Main CPU-ms/ev | ratio | p50 / p99 (ms) | errors |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (var runtime : List.of(Map.entry("Camel K runtime", camelK), Map.entry("Camel Quarkus app", quarkusApp))) {
            for (var pair : List.of(List.of(runtime.getValue().at0(), main0), List.of(runtime.getValue().at20(), main20))) {
                LoadDriver.Result k = pair.get(0);
                LoadDriver.Result m = pair.get(1);
                md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.3f | %.3f | %.2f | %.2f / %.2f | %d |%n", runtime.getKey(),
                        k == runtime.getValue().at0() ? "0 ms" : "20 ms", k.eventsPerSecond(), m.eventsPerSecond(), k.cpuMillisPerEvent(),
                        m.cpuMillisPerEvent(), k.cpuMillisPerEvent() / m.cpuMillisPerEvent(), k.p50Millis(), k.p99Millis(), k.errors()));
            }
        }
        md.append(String.format(Locale.ROOT, "%nPeak RSS after the load: Camel K runtime %.0f MiB, Camel Quarkus app %.0f MiB, Camel Main %.0f MiB.%n",
                camelK.peakRssMiB(), quarkusApp.peakRssMiB(), integrationRssUnderLoad));
        md.append("\nQuarkus's own AppCDS (`quarkus.package.jar.appcds.enabled=true`, archive `app-cds.jsa`), started with the jvm trait's command ")
                .append("and `-XX:SharedArchiveFile=dependencies/app-cds.jsa -Xshare:on`: ").append(quarkusAppCds).append('\n');
    }

    private void reconcile(StringBuilder md) {
        md.append(String.format(Locale.ROOT, "%n## Reconcile passes%n%n%,d hosts over %d vCenters (vcsim, `tests/vcsim`, each on a loopback address of its own, "
                + "%,d hosts in clusters of 500), %,d of them in maintenance in vCenter that vROps does not know of (their events lost); "
                + "the integration on Camel Main in the benchmark's JVM, vROps the simulator without latency. A round is one pass over every "
                + "vCenter, one after the other; the passes' own time, summed. Round 1 marks the hosts in maintenance, their resource ids "
                + "found by one listing of vROps's hosts per vCenter (more than 10 to find: 1,000 hosts a call) rather than a lookup each; the later rounds find nothing to repair and extend the timed maintenance, 100 hosts a call. vROps calls without the "
                + "readiness checks, which run beside.%n%n", reconcile.vcenters() * reconcile.hostsPerVcenter(), reconcile.vcenters(),
                reconcile.hostsPerVcenter(), reconcile.inMaintenance()));
        md.append("| round | time (s) | repairs | vSphere calls | vROps calls | vSphere calls by method | vROps calls by call |\n|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < reconcile.rounds().size(); i++) {
            ReconcileScale.Round round = reconcile.rounds().get(i);
            md.append(String.format(Locale.ROOT, "| %d | %.2f | %.0f | %.0f | %.0f | %s | %s |%n", i + 1, round.seconds(), round.repairs(),
                    round.vcenterCallCount(), round.vropsCallCount(), counts(round.vcenterCalls()), counts(round.vropsCalls())));
        }
        md.append("\nThe calls grow with pages, not hosts: per vCenter and pass one container view read 500 hosts a page, one page of vROps's ")
                .append("hosts in maintenance per 1,000, and one timed maintenance call per 100 hosts in maintenance; a host's resource id is ")
                .append("found only the first time it needs marking.\n");
    }

    private static String counts(Map<String, Double> calls) {
        return String.join(", ", calls.entrySet().stream().map(call -> String.format(Locale.ROOT, "%s %.0f", call.getKey(), call.getValue())).toList());
    }

    private void profile(StringBuilder md) {
        md.append("\n## Where the integration's CPU goes\n\nA Flight Recorder recording of the integration, warm, at 64 in flight and 0 ms, ")
                .append("in a process of its own (")
                .append(String.format(Locale.ROOT, "%.0f ev/s, %.3f CPU-ms/ev with the recorder running; %d CPU samples; %.0f KB allocated per event",
                        profile.window().eventsPerSecond(), profile.window().cpuMillisPerEvent(), profile.cpuSamples(), profile.bytesPerEvent() / 1024))
                .append("). A sample counts for the innermost frame of its stack that belongs to one of these parts.\n\n");
        md.append("| part | CPU samples | allocated bytes |\n|---|---|---|\n");
        profile.cpuShare().keySet().forEach(part -> md.append(String.format(Locale.ROOT, "| %s | %.0f %% | %.0f %% |%n", part,
                100 * profile.cpuShare().get(part), 100 * profile.allocationShare().getOrDefault(part, 0.0))));
    }

    /** The largest parts of the profile, for the reasons. */
    private String largestParts() {
        return String.join(", ", profile.cpuShare().entrySet().stream().limit(4)
                .map(part -> String.format(Locale.ROOT, "%s %.0f %%", part.getKey(), 100 * part.getValue())).toList());
    }

    private static boolean row(StringBuilder md, String target, String measured, double ratio, boolean met) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %s |%n", target, measured, ratio, met ? "met" : "**missed**"));
        return met;
    }

    private double coldMedian(Program program, String options) {
        return coldMedian(program, options, ColdStart::seconds);
    }

    private double coldMedianCpu(Program program, String options) {
        return coldMedian(program, options, ColdStart::cpuSeconds);
    }

    private double coldMedian(Program program, String options, ToDoubleFunction<ColdStart> value) {
        return coldStarts.entrySet().stream()
                .filter(entry -> entry.getKey().program() == program && entry.getKey().name().endsWith(options))
                .mapToDouble(entry -> median(entry.getValue(), value)).findFirst().orElseThrow();
    }

    private static <T> double median(List<T> runs, ToDoubleFunction<T> value) {
        double[] sorted = runs.stream().mapToDouble(value).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static String running() {
        return "\n## Running it\n\n```sh\nmvn -B -Pbenchmark verify\n```\n\nAbout 25 minutes; only the benchmark runs. Options: "
                + "`-Dbenchmark.cold-runs=5`, `-Dbenchmark.jit-warm-up-seconds=90`, `-Dbenchmark.warm-up-seconds=3`, `-Dbenchmark.window-seconds=5`, "
                + "`-Dbenchmark.jvm-options=\"...\"` (instead of the shipped JVM options); for the latency from vCenter to vROps "
                + "`-Dbenchmark.latency.changes=20`, `-Dbenchmark.latency.hosts=100`, `-Dbenchmark.latency.pass-interval-ms=5000`, "
                + "`-Dbenchmark.latency.idle-seconds=60`. Processes' logs are in `target/benchmark/`.\n\n"
                + "Some sections only: `-Dbenchmark.only=latency,load` runs those (the sections: `cold-start`, `load` (under load, pool sizes, "
                + "C1 only, CPU per event and where it goes), `runtimes` (the cluster runtimes under load; with `load` for their comparison "
                + "rows), `reconcile`, `latency`). BENCHMARKS.md is then rewritten with the new figures of those sections and their targets, "
                + "and keeps, word for word, the sections and target rows of the others from the file as it was, each section's date and "
                + "commit in the `measured:` rows at the top; a target that needs a section not run (the cluster runtimes' RSS needs "
                + "`runtimes` and `load`) keeps its previous row too.\n";
    }

    /** BENCHMARKS.md as the last run left it: what a run of some sections keeps of the others. */
    static final class Previous {

        private final List<String> lines;

        Previous(String markdown) {
            lines = markdown.lines().toList();
        }

        /** The lines that start with {@code prefix}, e.g. a target's rows in the table, a missed target's reason. */
        List<String> rows(String prefix) {
            return lines.stream().filter(line -> line.startsWith(prefix)).toList();
        }

        /** The section's date and commit; those of the whole file where it predates per-section dates. */
        String measured(Section section) {
            List<String> own = rows("| measured: " + section.label + " |");
            if (!own.isEmpty()) {
                return own.get(0) + "\n";
            }
            List<String> date = rows("| date | ");
            List<String> commit = rows("| commit | ");
            if (date.isEmpty() || commit.isEmpty()) {
                return "| measured: " + section.label + " | not yet |\n";
            }
            return "| measured: " + section.label + " | " + cell(date.get(0)) + ", " + cell(commit.get(0)) + " |\n";
        }

        /** From the heading {@code ## heading} to the next, as written; a note where the file has no such section. */
        String block(String heading, Section... needs) {
            int from = lines.indexOf("## " + heading);
            if (from < 0) {
                return "\n## " + heading + "\n\nNot measured yet: `-Dbenchmark.only=" + String.join(",", Arrays.stream(needs)
                        .map(section -> section.label).toList()) + "`.\n";
            }
            int to = from + 1;
            while (to < lines.size() && !lines.get(to).startsWith("## ")) {
                to++;
            }
            List<String> block = new ArrayList<>(lines.subList(from, to));
            while (block.get(block.size() - 1).isBlank()) {
                block.remove(block.size() - 1);
            }
            return "\n" + String.join("\n", block) + "\n";
        }

        private static String cell(String row) {
            return row.split("\\|")[2].strip();
        }
    }

    private static String commit(Path project) {
        String head = git(project, "rev-parse", "--short", "HEAD");
        return git(project, "status", "--porcelain").isEmpty() ? head : head + " with uncommitted changes";
    }

    private static String git(Path project, String... arguments) {
        List<String> command = new ArrayList<>(List.of("git", "-C", project.toString()));
        command.addAll(List.of(arguments));
        try {
            Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.waitFor() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String machine() {
        try {
            String model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(line -> line.startsWith("model name"))
                    .findFirst().map(line -> line.substring(line.indexOf(':') + 1).strip()).orElse("unknown CPU");
            String memory = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\D", "");
            return String.format(Locale.ROOT, "%s, %d cores, %.0f GiB, %s %s", model, Runtime.getRuntime().availableProcessors(),
                    Long.parseLong(memory) / 1024.0 / 1024.0, System.getProperty("os.name"), System.getProperty("os.version"));
        } catch (IOException e) {
            return "unknown";
        }
    }
}
