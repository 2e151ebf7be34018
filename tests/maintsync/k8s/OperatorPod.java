package maintsync.k8s;

import static maintsync.TestSupport.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import maintsync.EventsDuringAStop;
import maintsync.IntegrationHarness;
import maintsync.TestSupport;
import maintsync.vrops.VropsSimulator;

/**
 * The pod a Camel K operator ({@link CamelKOperator}) runs for a plain-quarkus Integration, laid out under a directory
 * of its own and started as a process: the files it mounts under {@code /etc/camel} and elsewhere, the properties and
 * environment it writes, the jvm trait's command, and the probes of the health trait. Every pod path {@code /x} is
 * {@code root/x} here, and it is redirected through the very properties and variables the operator sets. More
 * redirections, since a test cannot have the pod's ports on every interface: {@code QUARKUS_HTTP_HOST=127.0.0.1} and
 * {@code QUARKUS_HTTP_PORT} for the container port, {@code QUARKUS_MANAGEMENT_HOST} and {@code QUARKUS_MANAGEMENT_PORT}
 * for the management port of camel-quarkus-observability-services (9876), should the application open it; each pod
 * port is reached at its own free port on 127.0.0.1 ({@link #get(int, String)}).
 */
public final class OperatorPod implements AutoCloseable {

    private static final String ETC_CAMEL = "/etc/camel";
    private static final String DEPLOYMENTS = "/deployments";
    /** The management port camel-quarkus-observability-services sets ({@code quarkus.management.port}). */
    static final int MANAGEMENT_PORT = 9876;
    /** The name Knative gives the container port in the pod, whatever the Service calls it (apache/camel-k#6014). */
    static final String KNATIVE_USER_PORT = "user-port";

    private final Process process;
    private final Path log;
    private final Container container;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private OperatorPod(Process process, Path log, Container container) {
        this.process = process;
        this.log = log;
        this.container = container;
    }

    /**
     * What the container runs: its command, its environment (and nothing else) and its working directory; its probes,
     * and where each pod port is reached here.
     */
    public record Container(List<String> command, Map<String, String> environment, Path workingDirectory, List<Probe> probes,
            Map<Integer, URI> ports) {

        /** The container port, where the events arrive. */
        public URI uri() {
            return ports.get(CamelKOperator.CONTAINER_PORT);
        }
    }

    /** A probe of the health trait: an HTTP GET of {@code path} on the pod's {@code port}. */
    public record Probe(String kind, int port, String path) {
    }

    /** Starts a container laid out by {@link #layout}, its output into {@code log}. */
    static OperatorPod start(Container container, Path log) {
        ProcessBuilder builder = new ProcessBuilder(container.command()).directory(container.workingDirectory().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(container.environment());
        try {
            return new OperatorPod(builder.start(), log, container);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The probes the health trait of {@code operator} gives the integration container (trait/health.go Configure,
     * setProbesValues, Apply): each enabled probe on its {@code *Port}, else the version's default port, at its
     * {@code *Probe} path, else the version's default. Startup probes, off by default on both, are not replayed.
     */
    static List<Probe> probes(JsonNode integration, CamelKOperator operator) {
        JsonNode health = integration.at("/spec/traits/health");
        if (!health.path("enabled").asBoolean(operator.healthByDefault)) {
            return List.of();
        }
        if (health.path("startupProbeEnabled").asBoolean(false)) {
            throw new IllegalStateException("The replay does not replay startup probes");
        }
        int defaultPort = operator.probesPort != 0 ? operator.probesPort : CamelKOperator.CONTAINER_PORT;
        List<Probe> probes = new ArrayList<>();
        for (String kind : List.of("liveness", "readiness")) {
            if (health.path(kind + "ProbeEnabled").asBoolean(kind.equals("readiness"))) {
                int port = health.path(kind + "Port").asInt(0);
                String path = health.path(kind + "Probe").asText("");
                probes.add(new Probe(kind, port != 0 ? port : defaultPort,
                        path.isEmpty() ? operator.probesBasePath + (kind.equals("readiness") ? "/ready" : "/live") : path));
            }
        }
        return probes;
    }

    /**
     * Lays the pod of {@code operator} out under {@code root}, empty or missing, and says how to start its container.
     * {@code secretData} are the keys of the Secret that {@code mount.configs} names, {@code configMapData} those of
     * the ConfigMaps and Secrets {@code mount.resources} names, by name; {@code port} is where the container port is
     * reached (0: any free port, not known here).
     */
    public static Container layout(JsonNode integration, List<JsonNode> kamelets, Path quarkusApp, Path root,
            Map<String, String> secretData, Map<String, Map<String, String>> configMapData, int port, CamelKOperator operator) {
        Map<String, Map<String, String>> secrets = new LinkedHashMap<>();
        integration.at("/spec/traits/mount/configs").forEach(config -> secrets.put(config.asText().replaceFirst("^secret:", ""), secretData));
        return layoutWithSecrets(integration, kamelets, quarkusApp, root, secrets, configMapData, port, operator);
    }

    /**
     * The same, with the keys of each Secret that {@code mount.configs} names, by name. The knative trait, when on, is
     * replayed for event sources ({@link PipeIntegration#knativeEnvironment}); an Integration's flows are its source
     * {@link PipeIntegration#FLOW_SOURCE}.
     */
    public static Container layoutWithSecrets(JsonNode integration, List<JsonNode> kamelets, Path quarkusApp, Path root,
            Map<String, Map<String, String>> secrets, Map<String, Map<String, String>> configMapData, int port,
            CamelKOperator operator) {
        try {
            String name = integration.at("/metadata/name").asText();
            JsonNode traits = integration.at("/spec/traits");
            List<String> mounts = new ArrayList<>();
            Map<String, String> operatorProperties = new TreeMap<>();

            // builder/image.go imageContext + the jib profile: the fast-jar under /deployments/dependencies
            Files.createDirectories(root.resolve(DEPLOYMENTS.substring(1)));
            Files.createSymbolicLink(pod(root, DEPLOYMENTS + "/dependencies"), quarkusApp.toAbsolutePath());

            // trait/mount.go configureVolumesAndMounts: each mount.configs entry at conf.d/_secrets/<name>, read by
            // Camel as cloud properties, one property per key (trait/trait_types.go appendCloudPropertiesLocation)
            List<String> cloudProperties = new ArrayList<>();
            for (JsonNode config : traits.at("/mount/configs")) {
                String secret = config.asText().replaceFirst("^secret:", "");
                String mount = ETC_CAMEL + "/conf.d/_secrets/" + secret;
                for (Map.Entry<String, String> key : secrets.getOrDefault(secret, Map.of()).entrySet()) {
                    write(pod(root, mount + "/" + key.getKey()), key.getValue());
                }
                mounts.add(mount);
                cloudProperties.add(pod(root, mount).toString());
            }
            if (!cloudProperties.isEmpty()) {
                operatorProperties.put("camel.main.cloud-properties-location", String.join(",", cloudProperties));
            }
            // mount.resources: configmap:<name>@<path> or secret:<name>@<path>, every key a file there
            for (JsonNode resource : traits.at("/mount/resources")) {
                String[] kindAndRest = resource.asText().split(":", 2);
                String[] nameAndPath = kindAndRest[1].split("@", 2);
                String mount = nameAndPath.length == 2 ? nameAndPath[1]
                        : ETC_CAMEL + "/resources.d/_" + kindAndRest[0] + "s/" + nameAndPath[0];
                Files.createDirectories(pod(root, mount));
                for (Map.Entry<String, String> key : configMapData.getOrDefault(nameAndPath[0], Map.of()).entrySet()) {
                    write(pod(root, mount + "/" + key.getKey()), key.getValue());
                }
                mounts.add(mount);
            }

            // trait/mount.go configureCamelVolumesAndMounts + addSourcesProperties: each source a file of
            // /etc/camel/sources, loaded by the runtime through the routes include pattern; the flows are one more
            JsonNode sources = integration.at("/spec/flows").isArray()
                    ? PipeIntegration.withFlowsAsSource(integration).at("/spec/sources")
                    : integration.at("/spec/sources");
            for (JsonNode source : sources) {
                String mount = ETC_CAMEL + "/sources/" + source.path("name").asText();
                write(pod(root, mount), source.path("content").asText());
                mounts.add(mount);
            }
            Files.createDirectories(pod(root, ETC_CAMEL + "/sources"));
            operatorProperties.put("camel.main.source-location-enabled", "true");
            operatorProperties.put("camel.main.routes-include-pattern", "file:" + pod(root, ETC_CAMEL + "/sources") + "/**");

            // trait/kamelets.go addKamelets + kamelets_support.go toConfigmaps: the listed Kamelets as one bundle
            if (!kamelets.isEmpty()) {
                String mount = ETC_CAMEL + "/kamelets/kamelets-bundle-" + name + "-001";
                for (JsonNode kamelet : kamelets) {
                    write(pod(root, mount + "/" + kamelet.at("/metadata/name").asText() + Manifests.KAMELET_SUFFIX),
                            Manifests.YAML.writeValueAsString(kamelet));
                }
                mounts.add(mount);
                operatorProperties.put("camel.component.kamelet.location", "file:" + pod(root, mount) + ",classpath:/kamelets");
                operatorProperties.put("camel.component.kamelet.no-error-handler", "false");
            }

            // trait/logging.go setCatalogConfiguration (enabled by default), with the catalog's logging capability
            operatorProperties.put("camel.k.logging.level", "INFO");
            operatorProperties.put("camel.k.logging.json", "false");
            operatorProperties.put("camel.k.logging.color", "true");
            operatorProperties.put("quarkus.console.color", "${camel.k.logging.color}");
            operatorProperties.put("quarkus.log.console.json", "${camel.k.logging.json}");
            operatorProperties.put("quarkus.log.level", "${camel.k.logging.level}");

            // trait/knative.go Apply writes the Knative environment of the event sources (a Pipe's Broker source) as
            // application properties; other Knative resources are not replayed, and k8s/integration.yaml disables
            // the trait and carries its own.
            if (traits.at("/knative/enabled").asBoolean(true)) {
                if (PipeIntegration.eventSources(integration).isEmpty()) {
                    throw new IllegalStateException("The replay writes the knative trait's environment for the event sources of "
                            + "flows only: disable the trait");
                }
                operatorProperties.putAll(PipeIntegration.knativeEnvironment(integration));
            }

            // trait/mount.go computeApplicationProperties: /etc/camel/application.properties, sorted "key = value"
            StringBuilder application = new StringBuilder();
            operatorProperties.forEach((key, value) -> application.append(key).append(" = ").append(value).append('\n'));
            write(pod(root, ETC_CAMEL + "/application.properties"), application.toString());
            mounts.add(ETC_CAMEL + "/application.properties");
            // trait/camel.go computeUserProperties: the configuration's properties (pre-encoded), then the camel
            // trait's, one raw line each
            StringBuilder user = new StringBuilder();
            for (JsonNode entry : integration.at("/spec/configuration")) {
                if (entry.path("type").asText().equals("property")) {
                    user.append(entry.path("value").asText()).append('\n');
                }
            }
            for (JsonNode property : traits.at("/camel/properties")) {
                String[] keyValue = property.asText().split("=", 2);
                user.append(keyValue[0].strip()).append('=').append(keyValue.length == 2 ? keyValue[1].strip() : "").append('\n');
            }
            write(pod(root, ETC_CAMEL + "/conf.d/user.properties"), user.toString());
            mounts.add(ETC_CAMEL + "/conf.d/user.properties");

            // trait/container.go configureContainer + trait/environment.go Apply (a Knative Service: no POD_NAME)
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("PATH", System.getenv("PATH"));
            environment.put("HOME", Files.createDirectories(root.resolve("home")).toString());
            environment.put("CAMEL_K_DIGEST", "replay");
            environment.put("CAMEL_K_CONF", pod(root, ETC_CAMEL + "/application.properties").toString());
            environment.put("CAMEL_K_CONF_D", pod(root, ETC_CAMEL + "/conf.d").toString());
            environment.put("CAMEL_K_VERSION", operator.version);
            environment.put("CAMEL_K_OPERATOR_ID", "");
            environment.put("CAMEL_K_INTEGRATION", name);
            environment.put("CAMEL_K_RUNTIME_VERSION", OperatorBuild.runtimeVersion(integration));
            environment.put("CAMEL_K_MOUNT_PATH_CONFIGMAPS", pod(root, ETC_CAMEL + "/conf.d/_configmaps").toString());
            environment.put("CAMEL_K_MOUNT_PATH_SECRETS", pod(root, ETC_CAMEL + "/conf.d/_secrets").toString());
            environment.put("QUARKUS_CONFIG_LOCATIONS", pod(root, ETC_CAMEL + "/application.properties") + ","
                    + pod(root, ETC_CAMEL + "/conf.d/user.properties"));
            environment.put("NAMESPACE", "vmware-functions");
            environment.put("QUARKUS_HTTP_HOST", "127.0.0.1");
            environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            int managementPort = freePort();
            environment.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
            environment.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));

            // trait/jvm.go Apply + prepareClasspathItems: java <jvm.options> -cp <sorted set> QuarkusEntryPoint, from
            // /deployments; the kit's dependency directories (integrationkit_types_support.go GetDependenciesPaths)
            TreeSet<String> classpath = new TreeSet<>(List.of("./resources", ETC_CAMEL + "/resources.d/_configmaps",
                    ETC_CAMEL + "/resources.d/_secrets", ETC_CAMEL + "/resources"));
            classpath.addAll(mounts);
            classpath.addAll(List.of("dependencies/*", "dependencies/app/*", "dependencies/lib/boot/*", "dependencies/lib/main/*"));
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            traits.at("/jvm/options").forEach(option -> command.add(option.asText()));
            command.add("-cp");
            command.add(String.join(":", classpath.stream().map(entry -> entry.startsWith("/") ? pod(root, entry).toString() : entry).toList()));
            command.add("io.quarkus.bootstrap.runner.QuarkusEntryPoint");

            return new Container(command, environment, pod(root, DEPLOYMENTS), probes(integration, operator),
                    Map.of(CamelKOperator.CONTAINER_PORT, URI.create("http://127.0.0.1:" + port + "/"),
                            MANAGEMENT_PORT, URI.create("http://127.0.0.1:" + managementPort + "/")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a directory and everything in it; a link is deleted, not followed. */
    public static void deleteRecursively(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (var paths = Files.walk(directory)) {
                paths.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** The keys of {@code k8s/vrops-secret.example.yaml}, as a user fills them in. */
    public static Map<String, String> exampleSecret() {
        return new LinkedHashMap<>(Manifests.secretExampleProperties());
    }

    /** Waits until the readiness probe answers 200, as Kubernetes does; fails if the process ends first. */
    OperatorPod awaitReady(Duration timeout) {
        Probe readiness = probe("readiness");
        try {
            TestSupport.await(timeout, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The pod exited with " + process.exitValue() + ":\n" + logTail());
                }
                try {
                    return get(readiness.port(), readiness.path()).statusCode() == 200;
                } catch (UncheckedIOException notListeningYet) {
                    return false;
                }
            }, "the pod ready");
        } catch (AssertionError notReady) {
            throw new IllegalStateException(notReady.getMessage() + ":\n" + logTail());
        }
        return this;
    }

    /** The container's probe of that kind; fails if the health trait gives none. */
    Probe probe(String kind) {
        return container.probes().stream().filter(probe -> probe.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new IllegalStateException("The health trait gives no " + kind + " probe"));
    }

    URI uri() {
        return container.uri();
    }

    /** A GET of {@code path} on the container port. */
    HttpResponse<String> get(String path) {
        return get(CamelKOperator.CONTAINER_PORT, path);
    }

    /** A GET of {@code path} (absolute, as a probe's) on the pod's {@code port}; fails for a port the pod never opens. */
    HttpResponse<String> get(int port, String path) {
        URI base = container.ports().get(port);
        if (base == null) {
            throw new UncheckedIOException(new IOException("Nothing listens on pod port " + port));
        }
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) {
        return IntegrationHarness.send(client, request);
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops the pod as Kubernetes does while four Broker threads keep delivering events, vROps answering slowly, and
     * checks what a stop on Camel Quarkus holds: readiness turns down while events are still applied
     * ({@code quarkus.shutdown.delay}), no event is answered 4xx, each answered 204 is applied, every other answer is
     * 503 (Quarkus's own, without a body, while it lets those in flight finish, or the integration's), and connections
     * fail only once the stop has begun.
     */
    void stopWhileEventsArrive(VropsSimulator vrops) throws InterruptedException {
        vrops.faults().latency(Duration.ofMillis(300));
        AtomicBoolean stopped = new AtomicBoolean();
        EventsDuringAStop events = EventsDuringAStop.start(uri(), 4, stopped::get, Duration.ofSeconds(60));
        TestSupport.await(Duration.ofSeconds(30), () -> events.applied() >= 4, "events applied before the stop");

        stopped.set(true);
        Probe readiness = probe("readiness");
        Thread stopping = new Thread(() -> {
            try {
                stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopping.start();
        int ready = 200;
        long appliedWhenNotReady = -1;
        while (stopping.isAlive() && ready == 200) {
            ready = get(readiness.port(), readiness.path()).statusCode();
            appliedWhenNotReady = events.applied();
        }
        stopping.join();

        assertThat(ready).as("readiness answered while the stop began").isEqualTo(503);
        events.assertNoneLost(vrops, body -> body.isEmpty() || body.equals(EventsDuringAStop.STOPPING));
        assertThat(events.applied()).as("events applied after readiness turned down").isGreaterThan(appliedWhenNotReady);
    }

    /** Stops the pod as Kubernetes does: SIGTERM, then the grace period. Returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }

    private String logTail() {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }


    private static Path pod(Path root, String podPath) {
        return root.resolve(podPath.substring(1));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
