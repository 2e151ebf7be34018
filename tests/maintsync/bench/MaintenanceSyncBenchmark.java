package maintsync.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import maintsync.TestSupport;
import maintsync.bench.Report.Section;
import maintsync.vrops.Inventory;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;

/**
 * The performance benchmark (BENCHMARKS.md): the integration as it ships, in its own JVM, against the vROps simulator,
 * next to {@link Forwarder}, the least code that does the same job, in the same run. Not part of {@code mvn verify};
 * run it with {@code mvn -B -Pbenchmark verify}, which prints the tables and rewrites BENCHMARKS.md.
 * <p>
 * The integration runs as Camel Main ({@code org.apache.camel.main.Main}) with the compiled route from the project's
 * jar in {@code target/}, {@code application.properties}, the local-run settings of {@code jbang/application.properties}
 * (Knative environment {@code jbang/knative.json}, HTTP server on loopback), the Kamelet from {@code kamelets/},
 * logging as {@code jbang/log4j2.properties}, and the vROps settings from environment variables. Only the port and the
 * route class come from a properties file of the benchmark's own.
 */
class MaintenanceSyncBenchmark {

    /**
     * The JVM options the README recommends for the Knative pod, measured against none; {@code -Dbenchmark.jvm-options}
     * measures others instead.
     */
    static final List<String> SHIPPED_JVM_OPTIONS = List.of(System.getProperty("benchmark.jvm-options",
            "-XX:+UseSerialGC -Xmx64m -Xss256k -XX:ReservedCodeCacheSize=48m -XX:+ExitOnOutOfMemoryError").split(" "));
    /** C1 only: faster to start, costlier once warm; measured at cold start and at one load row, to show the trade. */
    private static final String C1_ONLY = "-XX:TieredStopAtLevel=1";
    private static final int[] IN_FLIGHT = { 1, 8, 32, 64 };
    private static final int[] VROPS_LATENCY_MS = { 0, 20 };
    /** Slots never exceed the hosts: every sender owns one host. */
    private static final int HOSTS = 128;
    private static final Duration COLD_START_LIMIT = Duration.ofSeconds(60);

    private final Path project = Path.of(System.getProperty("benchmark.project", ".")).toAbsolutePath();
    private final Path work = project.resolve("target/benchmark");
    private final int coldRuns = Integer.getInteger("benchmark.cold-runs", 5);
    private final Duration warmUp = Duration.ofSeconds(Integer.getInteger("benchmark.warm-up-seconds", 3));
    /**
     * At 64 in flight before a process is measured: the JIT compiler needs this long for the integration's hot paths,
     * which are long. Measured here at 64 in flight and 0 ms: 2.5 CPU-ms per event after 6 s of warm-up, 0.55 after 90 s,
     * 0.47 after 180 s.
     */
    private final Duration jitWarmUp = Duration.ofSeconds(Integer.getInteger("benchmark.jit-warm-up-seconds", 90));
    private final Duration window = Duration.ofSeconds(Integer.getInteger("benchmark.window-seconds", 5));
    private final LoadDriver driver = new LoadDriver();
    private String integrationClasspath;
    private String forwarderClasspath;
    private VropsSimulator vrops;
    private CamelKRuntime camelK;
    private QuarkusAppRuntime quarkusApp;

    @Test
    void benchmark() throws Exception {
        Set<Section> sections = Section.parse(System.getProperty("benchmark.only", ""));
        Files.createDirectories(work);
        // AppCDS takes jars only, no directories: the project's jar (the `package` phase ran before) and one of the forwarder
        integrationClasspath = projectJar() + ":" + Files.readString(work.resolve("runtime.classpath")).strip();
        forwarderClasspath = forwarderJar() + ":" + Files.readString(work.resolve("runtime.classpath")).strip();
        try (VropsSimulator simulator = VropsSimulator.builder().inventory(Inventory.generated(1, HOSTS)).start()) {
            vrops = simulator;
            Report report = new Report(sections);
            // first: their vcsim processes are gone before anything else is measured
            if (sections.contains(Section.RECONCILE)) {
                report.reconcile = ReconcileScale.measure(5, 2000, 100, 3);
            }
            if (sections.contains(Section.LATENCY)) {
                report.latency = VcenterLatency.measure(project, Integer.getInteger("benchmark.latency.changes", 20),
                        Integer.getInteger("benchmark.latency.hosts", 100),
                        Duration.ofMillis(Integer.getInteger("benchmark.latency.pass-interval-ms", 5000)),
                        Duration.ofSeconds(Integer.getInteger("benchmark.latency.idle-seconds", 60)));
            }
            if (sections.contains(Section.COLD_START) || sections.contains(Section.RUNTIMES)) {
                camelK = CamelKRuntime.build(work.resolve("camel-k"), simulator);
                quarkusApp = QuarkusAppRuntime.build(work.resolve("quarkus-app"), simulator);
                report.quarkusAppCds = camelK.quarkusAppCdsUnderTheJvmTrait();
            }
            if (sections.contains(Section.COLD_START)) {
                coldStarts(report);
            }
            if (sections.contains(Section.LOAD)) {
                load(report);
            }
            if (sections.contains(Section.RUNTIMES)) {
                report.camelK = runtimeUnderLoad(new Launch("Camel K runtime", Program.CAMEL_K, SHIPPED_JVM_OPTIONS));
                report.quarkusApp = runtimeUnderLoad(new Launch("Camel Quarkus app", Program.QUARKUS_APP, SHIPPED_JVM_OPTIONS));
            }
            Path file = project.resolve("BENCHMARKS.md");
            String markdown = report.markdown(this, Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "");
            System.out.println(markdown);
            Files.writeString(file, markdown, StandardCharsets.UTF_8);
        }
    }

    // ---------------------------------------------------------------------------------------------- cold start

    /**
     * What is started: the integration on Camel Main (as local runs and the tests run it), the integration as the
     * Camel K operator builds and runs it (Camel Quarkus; {@link CamelKRuntime}) with or without the route compiled
     * ahead, the Camel Quarkus application of app/ ({@link QuarkusAppRuntime}) with or without its AppCDS archive, or
     * the forwarder.
     */
    enum Program { CAMEL_MAIN, CAMEL_K, CAMEL_K_PRECOMPILED, QUARKUS_APP, QUARKUS_APP_APPCDS, FORWARDER }

    /** A way of starting one of the programs. */
    record Launch(String name, Program program, List<String> jvmOptions) {
    }

    record ColdStart(double seconds, double cpuSeconds, double peakRssMiB) {
    }

    private void coldStarts(Report report) throws Exception {
        Path integrationArchive = work.resolve("integration.jsa");
        Path forwarderArchive = work.resolve("forwarder.jsa");
        // AppCDS: one training run per program records the classes it loads up to the first answered event
        recordArchive(new Launch("training", Program.CAMEL_MAIN, SHIPPED_JVM_OPTIONS), integrationArchive);
        recordArchive(new Launch("training", Program.FORWARDER, SHIPPED_JVM_OPTIONS), forwarderArchive);
        Path quarkusAppArchive = work.resolve("quarkus-app.jsa");
        recordArchive(new Launch("training", Program.QUARKUS_APP, SHIPPED_JVM_OPTIONS), quarkusAppArchive);
        List<Launch> launches = List.of(
                new Launch("integration, stock JVM", Program.CAMEL_MAIN, List.of()),
                new Launch("integration, shipped JVM options", Program.CAMEL_MAIN, SHIPPED_JVM_OPTIONS),
                new Launch("integration, shipped + AppCDS", Program.CAMEL_MAIN, withArchive(integrationArchive)),
                new Launch("integration, shipped + AppCDS + C1 only", Program.CAMEL_MAIN, concat(withArchive(integrationArchive), List.of(C1_ONLY))),
                new Launch("Camel K runtime, stock JVM", Program.CAMEL_K, List.of()),
                new Launch("Camel K runtime, shipped JVM options", Program.CAMEL_K, SHIPPED_JVM_OPTIONS),
                new Launch("Camel K runtime, route precompiled, shipped JVM options", Program.CAMEL_K_PRECOMPILED, SHIPPED_JVM_OPTIONS),
                new Launch("Camel K runtime, shipped + C1 only", Program.CAMEL_K, concat(SHIPPED_JVM_OPTIONS, List.of(C1_ONLY))),
                new Launch("Camel Quarkus app, stock JVM", Program.QUARKUS_APP, List.of()),
                new Launch("Camel Quarkus app, shipped JVM options", Program.QUARKUS_APP, SHIPPED_JVM_OPTIONS),
                new Launch("Camel Quarkus app, shipped + Quarkus's AppCDS", Program.QUARKUS_APP_APPCDS, SHIPPED_JVM_OPTIONS),
                new Launch("Camel Quarkus app, shipped + AppCDS of a training run", Program.QUARKUS_APP, withArchive(quarkusAppArchive)),
                new Launch("forwarder, stock JVM", Program.FORWARDER, List.of()),
                new Launch("forwarder, shipped JVM options", Program.FORWARDER, SHIPPED_JVM_OPTIONS),
                new Launch("forwarder, shipped + AppCDS", Program.FORWARDER, withArchive(forwarderArchive)));
        Map<Launch, List<ColdStart>> runs = new LinkedHashMap<>();
        launches.forEach(launch -> runs.put(launch, new ArrayList<>()));
        // interleaved, so that a slow minute of the shared machine does not land on one configuration
        for (int run = 0; run < coldRuns; run++) {
            for (Launch launch : launches) {
                ColdStart start = coldStart(launch);
                runs.get(launch).add(start);
                System.out.printf(Locale.ROOT, "cold start %d/%d %-36s %.3f s, %.2f CPU-s, %.0f MiB%n",
                        run + 1, coldRuns, launch.name(), start.seconds(), start.cpuSeconds(), start.peakRssMiB());
            }
        }
        report.coldStarts = runs;
    }

    private List<String> withArchive(Path archive) {
        List<String> options = new ArrayList<>(SHIPPED_JVM_OPTIONS);
        options.add("-XX:SharedArchiveFile=" + archive);
        return options;
    }

    private void recordArchive(Launch training, Path archive) throws Exception {
        Files.deleteIfExists(archive);
        List<String> options = new ArrayList<>(training.jvmOptions());
        options.add("-XX:ArchiveClassesAtExit=" + archive);
        // closing sends SIGTERM: the JVM writes the archive while it exits
        try (Started started = start(new Launch(training.name(), training.program(), options), "training")) {
            awaitFirstAnswer(started);
        }
        if (!Files.exists(archive)) {
            throw new IllegalStateException("no CDS archive written to " + archive + "; see " + work);
        }
    }

    private ColdStart coldStart(Launch launch) throws Exception {
        try (Started started = start(launch, "cold")) {
            double seconds = awaitFirstAnswer(started);
            return new ColdStart(seconds, started.process.cpuSeconds(), started.process.peakRssMiB());
        }
    }

    /**
     * Polls with events from the moment the process starts (one every 20 ms at most, {@link TestSupport#poll}); the
     * seconds from {@code java} to the first 204.
     */
    private double awaitFirstAnswer(Started started) {
        Duration left = COLD_START_LIMIT.minusNanos(System.nanoTime() - started.process.startNanos());
        // the time of the first 204, or 0 while there is none
        long answered = TestSupport.poll(left, () -> {
            if (!started.process.isAlive()) {
                throw new IllegalStateException(started.name + " exited; see " + started.log);
            }
            HttpRequest event = driver.event(started.base, 0, true);
            return driver.send(event) == 204 ? System.nanoTime() : 0L;
        }, at -> at != 0);
        if (answered == 0) {
            throw new IllegalStateException(started.name + " answered no event within " + COLD_START_LIMIT + "; see " + started.log);
        }
        return (answered - started.process.startNanos()) / 1e9;
    }

    // ---------------------------------------------------------------------------------------------- load

    private void load(Report report) throws Exception {
        report.integration = loadSeries(new Launch("integration", Program.CAMEL_MAIN, SHIPPED_JVM_OPTIONS), report);
        report.forwarder = loadSeries(new Launch("forwarder", Program.FORWARDER, SHIPPED_JVM_OPTIONS), report);
        // the shipped pool sizes against Camel's defaults, where they matter most: 64 in flight, 20 ms
        report.untunedPools = measureOne(new Launch("integration, Camel's default pools", Program.CAMEL_MAIN, concat(SHIPPED_JVM_OPTIONS,
                List.of("-Dcamel.beans.vertxOptions.workerPoolSize=20", "-Dcamel.component.http.connectionsPerRoute=20",
                        "-Dcamel.component.https.connectionsPerRoute=20"))), 20);
        // what C1 only, which starts faster, costs once warm: 64 in flight, 0 ms, where CPU per event decides
        report.c1Only = measureOne(new Launch("integration, C1 only", Program.CAMEL_MAIN, concat(SHIPPED_JVM_OPTIONS, List.of(C1_ONLY))), 0);
        report.profile = profile();
    }

    /**
     * Where the integration's CPU and allocations go, warm, at 64 in flight and 0 ms: a Flight Recorder recording of
     * one measured window, in a process of its own (the recorder costs some CPU itself).
     */
    private CpuProfile profile() throws Exception {
        Path recording = work.resolve("integration.jfr");
        Files.deleteIfExists(recording);
        List<String> options = concat(SHIPPED_JVM_OPTIONS, List.of("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + recording,
                "-XX:FlightRecorderOptions=stackdepth=512"));
        Instant from;
        Instant to;
        LoadDriver.Result result;
        try (Started started = start(new Launch("integration, profiled", Program.CAMEL_MAIN, options), "profile")) {
            awaitFirstAnswer(started);
            warm(started);
            from = Instant.now().plus(warmUp);
            result = measure(started, 64);
            to = Instant.now();
        }
        return CpuProfile.read(recording, from, to, result);
    }

    /** A row measured in a process of its own, and that process's peak RSS. */
    record Single(LoadDriver.Result result, double peakRssMiB) {
    }

    /** One row, 64 in flight, in a process of its own. */
    private Single measureOne(Launch launch, int latencyMillis) throws Exception {
        try (Started started = start(launch, "load")) {
            awaitFirstAnswer(started);
            vrops.faults().latency(Duration.ofMillis(latencyMillis));
            warm(started);
            LoadDriver.Result result = measure(started, 64);
            return new Single(result, started.process.peakRssMiB());
        }
    }

    private Map<Integer, List<LoadDriver.Result>> loadSeries(Launch launch, Report report) throws Exception {
        Map<Integer, List<LoadDriver.Result>> byLatency = new LinkedHashMap<>();
        try (Started started = start(launch, "load")) {
            awaitFirstAnswer(started);
            for (int latency : VROPS_LATENCY_MS) {
                vrops.faults().latency(Duration.ofMillis(latency));
                if (latency == VROPS_LATENCY_MS[0]) {
                    warm(started);
                }
                List<LoadDriver.Result> results = new ArrayList<>();
                for (int inFlight : IN_FLIGHT) {
                    LoadDriver.Result result = measure(started, inFlight);
                    results.add(result);
                    System.out.printf(Locale.ROOT, "%-11s %2d in flight, %2d ms: %7.0f ev/s p50 %6.2f ms p99 %6.2f ms %.3f CPU-ms/ev %.2f cores, machine %.0f %% busy, %.3f calls/ev %d errors%n",
                            launch.name(), inFlight, latency, result.eventsPerSecond(), result.p50Millis(), result.p99Millis(),
                            result.cpuMillisPerEvent(), result.coresBusy(), 100 * result.machineBusy(), result.callsPerEvent(), result.errors());
                }
                byLatency.put(latency, results);
            }
            if (launch.program() == Program.CAMEL_MAIN) {
                report.integrationRssUnderLoad = started.process.peakRssMiB();
            } else {
                report.forwarderRssUnderLoad = started.process.peakRssMiB();
            }
        }
        return byLatency;
    }

    /** A cluster runtime at 64 in flight, 0 ms then 20 ms vROps latency, in one process, and its peak RSS after. */
    record RuntimeLoad(LoadDriver.Result at0, LoadDriver.Result at20, double peakRssMiB) {
    }

    private RuntimeLoad runtimeUnderLoad(Launch launch) throws Exception {
        try (Started started = start(launch, "load")) {
            awaitFirstAnswer(started);
            vrops.faults().latency(Duration.ZERO);
            warm(started);
            LoadDriver.Result at0 = measure(started, 64);
            vrops.faults().latency(Duration.ofMillis(20));
            LoadDriver.Result at20 = measure(started, 64);
            System.out.printf(Locale.ROOT, "%s 64 in flight: 0 ms %.0f ev/s %.3f CPU-ms/ev, 20 ms %.0f ev/s, %.0f MiB%n", launch.name(),
                    at0.eventsPerSecond(), at0.cpuMillisPerEvent(), at20.eventsPerSecond(), started.process.peakRssMiB());
            return new RuntimeLoad(at0, at20, started.process.peakRssMiB());
        }
    }

    /** JIT, token, host ids: everything a long-running pod has, before anything is measured. */
    private void warm(Started started) throws InterruptedException {
        driver.run(started.base, 64, Duration.ZERO, jitWarmUp, probe(started));
    }

    private LoadDriver.Result measure(Started started, int inFlight) throws InterruptedException {
        return driver.run(started.base, inFlight, warmUp, window, probe(started));
    }

    private LoadDriver.Probe probe(Started started) {
        return new LoadDriver.Probe() {
            @Override
            public double cpuSeconds() {
                return started.process.cpuSeconds();
            }

            @Override
            public long vropsCalls() {
                return Arrays.stream(Operation.values()).mapToLong(vrops::count).sum();
            }
        };
    }

    // ---------------------------------------------------------------------------------------------- processes

    /** A started program, its events URI and its log. */
    private record Started(String name, JvmProcess process, URI base, Path log) implements AutoCloseable {
        @Override
        public void close() {
            process.close();
        }
    }

    private Started start(Launch launch, String purpose) throws IOException {
        int port = TestSupport.freePort();
        String program = switch (launch.program()) {
            case CAMEL_MAIN -> "integration";
            case CAMEL_K, CAMEL_K_PRECOMPILED -> "camel-k";
            case QUARKUS_APP, QUARKUS_APP_APPCDS -> "quarkus-app";
            case FORWARDER -> "forwarder";
        };
        Path log = work.resolve(program + "-" + purpose + "-" + launch.name().replaceAll("\\W+", "-") + ".log");
        URI base = URI.create("http://127.0.0.1:" + port);
        if (launch.program() == Program.CAMEL_K || launch.program() == Program.CAMEL_K_PRECOMPILED) {
            JvmProcess process = camelK.start(launch.program() == Program.CAMEL_K_PRECOMPILED, launch.jvmOptions(), port, log);
            return new Started(program + " (" + launch.name() + ")", process, base, log);
        }
        if (launch.program() == Program.QUARKUS_APP || launch.program() == Program.QUARKUS_APP_APPCDS) {
            JvmProcess process = quarkusApp.start(launch.program() == Program.QUARKUS_APP_APPCDS, launch.jvmOptions(), port, log);
            return new Started(program + " (" + launch.name() + ")", process, base, log);
        }
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("VROPS_URL", vrops.baseUri().toString());
        environment.put("VROPS_USERNAME", "admin");
        environment.put("VROPS_PASSWORD", "sim-admin-password");
        environment.put("VROPS_TLS_CA_FILE", vrops.caCertificatePem().toString());
        List<String> arguments = new ArrayList<>(launch.jvmOptions());
        if (launch.program() == Program.CAMEL_MAIN) {
            Path settings = work.resolve("integration-" + port + ".properties");
            Files.writeString(settings, String.join("\n",
                    "# written by MaintenanceSyncBenchmark: what Camel K would otherwise provide",
                    "camel.main.routesBuilderClasses=VCenterMaintenanceRoute,VropsOperationsRoute",
                    "camel.component.kamelet.location=file:kamelets",
                    "camel.server.port=" + port, ""));
            settings.toFile().deleteOnExit();
            arguments.addAll(List.of("-Dlog4j2.configurationFile=jbang/log4j2.properties",
                    "-cp", integrationClasspath,
                    "org.apache.camel.main.Main",
                    "-pl", "file:application.properties,file:jbang/application.properties,file:" + settings));
        } else {
            environment.put("FORWARDER_PORT", Integer.toString(port));
            arguments.addAll(List.of("-cp", forwarderClasspath,
                    Forwarder.class.getName()));
        }
        JvmProcess process = JvmProcess.start(arguments, environment, project, log);
        return new Started(program + " (" + launch.name() + ")", process, base, log);
    }

    private static Path projectJar() {
        String jar = System.getProperty("benchmark.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("the project's jar is missing: run `mvn -B -Pbenchmark verify`");
        }
        return Path.of(jar);
    }

    /** The forwarder's one class, as a jar. */
    private Path forwarderJar() throws IOException {
        Path jar = work.resolve("forwarder.jar");
        String entry = Forwarder.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             InputStream in = Forwarder.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    Duration window() {
        return window;
    }

    Duration jitWarmUp() {
        return jitWarmUp;
    }

    Duration warmUp() {
        return warmUp;
    }

    int coldRuns() {
        return coldRuns;
    }

    Path project() {
        return project;
    }
}
