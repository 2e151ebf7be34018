package maintsync.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import maintsync.TestSupport;
import maintsync.k8s.CamelKOperator;
import maintsync.k8s.OperatorBuild;
import maintsync.k8s.OperatorPod;
import maintsync.vrops.VropsSimulator;

/**
 * The integration as the Camel K operator builds and runs it, for the benchmark: {@code k8s/integration.yaml} built on
 * Camel Quarkus by the operator replay ({@link OperatorBuild}), laid out as its pod ({@link OperatorPod}) against the
 * simulator, started as a measured {@link JvmProcess} with the JVM options of the launch in place of the jvm
 * trait's. A second build compiles the route into the application, which the operator does not offer, to measure
 * what compiling it with jOOR at every start costs.
 */
final class CamelKRuntime {

    /** The operator users install today; 2.10.1 builds the same application from this manifest (OperatorReplay). */
    static final CamelKOperator OPERATOR = CamelKOperator.V2_11_0;
    private static final String ROUTE_CLASSES = "VCenterMaintenanceRoute,VropsOperationsRoute";

    private final Path work;
    private final VropsSimulator vrops;
    private final JsonNode integration;
    private final List<JsonNode> kamelets;
    private final Path shipped;
    private final Path precompiled;

    private CamelKRuntime(Path work, VropsSimulator vrops, JsonNode integration, List<JsonNode> kamelets, Path shipped, Path precompiled) {
        this.work = work;
        this.vrops = vrops;
        this.integration = integration;
        this.kamelets = kamelets;
        this.shipped = shipped;
        this.precompiled = precompiled;
    }

    static CamelKRuntime build(Path work, VropsSimulator vrops) throws IOException {
        JsonNode integration = OperatorBuild.integration();
        List<JsonNode> kamelets = OperatorBuild.kamelets(integration);
        OperatorPod.deleteRecursively(work);
        Path shipped = OperatorBuild.build(integration, kamelets, Files.createDirectories(work.resolve("shipped")), repositories(),
                OPERATOR);
        Path precompiled = OperatorBuild.build(integration, kamelets, Files.createDirectories(work.resolve("precompiled")),
                repositories(), OPERATOR, Map.of(), true);
        return new CamelKRuntime(work, vrops, integration, kamelets, shipped, precompiled);
    }

    /** Lays out a pod of its own and starts it; the clock starts just before {@code java}. */
    JvmProcess start(boolean routePrecompiled, List<String> jvmOptions, int port, Path log) {
        ObjectNode manifest = withJvmOptions(jvmOptions);
        if (routePrecompiled) {
            ((ArrayNode) manifest.at("/spec/sources")).removeAll();
            ((ArrayNode) manifest.at("/spec/traits/camel/properties")).add("camel.main.routes-builder-classes=" + ROUTE_CLASSES);
        }
        OperatorPod.Container container = layout(manifest, routePrecompiled ? precompiled : shipped, port);
        return JvmProcess.startContainer(container.command(), container.environment(), container.workingDirectory(), log);
    }

    /**
     * Quarkus's own AppCDS ({@code quarkus.package.jar.appcds.enabled=true}) records its archive for
     * {@code java -jar quarkus-run.jar}; the jvm trait starts {@code QuarkusEntryPoint} from a classpath instead. Tried
     * here under the trait's command with {@code -Xshare:on}: the JVM's own words, or "accepted".
     */
    String quarkusAppCdsUnderTheJvmTrait() throws IOException, InterruptedException {
        Path app = OperatorBuild.build(integration, kamelets, Files.createDirectories(work.resolve("appcds")), repositories(),
                OPERATOR, Map.of("quarkus.package.jar.appcds.enabled", "true"), false);
        if (!Files.exists(app.resolve("app-cds.jsa"))) {
            return "no archive: the build wrote no app-cds.jsa";
        }
        List<String> options = new ArrayList<>(MaintenanceSyncBenchmark.SHIPPED_JVM_OPTIONS);
        options.addAll(List.of("-XX:SharedArchiveFile=dependencies/app-cds.jsa", "-Xshare:on"));
        OperatorPod.Container container = layout(withJvmOptions(options), app, 0);
        Path log = work.resolve("appcds.log");
        try (JvmProcess process = JvmProcess.startContainer(container.command(), container.environment(), container.workingDirectory(), log)) {
            // the JVM refuses an archive it cannot use at once and exits; one that accepts it runs on
            TestSupport.poll(Duration.ofSeconds(10), process::isAlive, alive -> !alive);
        }
        List<String> refusal = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(line -> line.contains("classpath") || line.contains("shared archive")).toList();
        return refusal.isEmpty() ? "accepted" : String.join(" ", refusal);
    }

    private OperatorPod.Container layout(JsonNode manifest, Path quarkusApp, int port) {
        Path root = work.resolve("pod-" + System.nanoTime()).toAbsolutePath();
        Map<String, String> secret = OperatorPod.exampleSecret();
        secret.put("vrops.url", vrops.baseUri().toString());
        secret.put("vrops.username", "admin");
        secret.put("vrops.tls.ca-file", root.resolve("etc/vrops-ca/ca.pem").toString());
        secret.put("vrops.password-file", root.resolve("etc/vrops-password/vrops.password").toString());
        try {
            Map<String, Map<String, String>> configMaps = Map.of("vrops-ca", Map.of("ca.pem", Files.readString(vrops.caCertificatePem())),
                "vrops-password", Map.of("vrops.password", "sim-admin-password"));
            return OperatorPod.layout(manifest, kamelets, quarkusApp, root, secret, configMaps, port, OPERATOR);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ObjectNode withJvmOptions(List<String> jvmOptions) {
        ObjectNode manifest = integration.deepCopy();
        ArrayNode options = ((ObjectNode) manifest.at("/spec/traits/jvm")).putArray("options");
        jvmOptions.forEach(options::add);
        return manifest;
    }

    /** The Maven repositories the pom's maven-extra profile names, where this workplace's registry lacks some. */
    private static List<String> repositories() {
        String extra = System.getProperty("camelk.extra-repository", "");
        return extra.isBlank() ? List.of() : List.of(extra);
    }

}
