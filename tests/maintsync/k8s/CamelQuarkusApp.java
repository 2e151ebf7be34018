package maintsync.k8s;

import static maintsync.TestSupport.freePort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Camel Quarkus application of {@code app/}: built by its own Maven project, and started as its image would start
 * it in the Knative Service of {@code k8s/app/knative-service.yaml}, under a directory of its own: the Secret's keys
 * as the variables the Service names, each volume's files at its mount path, {@code java <the JVM arguments the
 * build gives Jib> -jar quarkus-run.jar} from {@code /home/jboss}, where Jib puts the fast-jar. Every pod path
 * {@code /x} is {@code root/x} here, so a variable whose value is a path under a mount is redirected too; the HTTP
 * server listens on 127.0.0.1 at a free port ({@code QUARKUS_HTTP_HOST}, {@code QUARKUS_HTTP_PORT}) instead of port
 * 8080 on every interface. What is not replayed: the image itself, its base image and its user, and Knative.
 */
public final class CamelQuarkusApp {

    static final Path PROJECT = Path.of("app");
    static final Path SERVICE = GeneratedManifests.APP.resolve("knative-service.yaml");
    private static final Path SETTINGS = PROJECT.resolve("src/main/resources/application.properties");
    /** Where Quarkus's Jib lays the fast-jar out and starts it ({@code quarkus.jib.working-directory}, not set). */
    private static final String WORKING_DIRECTORY = "/home/jboss";

    private CamelQuarkusApp() {
    }

    /**
     * {@code mvn package} of {@code app/} with the Maven and local repository of the running build, tests skipped
     * (they are these); returns its fast-jar, {@code app/target/quarkus-app}.
     */
    public static Path build() {
        return build(Map.of()).resolve("target/quarkus-app").toAbsolutePath();
    }

    /**
     * The same build with more build properties; returns {@code app/}. With {@code quarkus.package.output-directory}
     * the fast-jar is that directory, and {@code app/target/quarkus-app} is left as it was.
     */
    public static Path build(Map<String, String> properties) {
        List<String> command = new ArrayList<>(List.of(maven(), "-B", "package", "-DskipTests"));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        String localRepository = System.getProperty("maven.repo.local", "");
        if (!localRepository.isBlank()) {
            command.add("-Dmaven.repo.local=" + localRepository);
        }
        try {
            Path log = Files.createDirectories(PROJECT.resolve("target")).resolve("build.log");
            Process maven = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!maven.waitFor(20, TimeUnit.MINUTES)) {
                maven.destroyForcibly();
                throw new IllegalStateException("The build of app/ took over 20 minutes; see " + log);
            }
            if (maven.exitValue() != 0) {
                List<String> lines = Files.readAllLines(log);
                throw new IllegalStateException("The build of app/ failed (" + log + "):\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
            return PROJECT;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The JVM arguments the build gives the image's entrypoint ({@code quarkus.jib.jvm-additional-arguments}). */
    public static List<String> imageJvmOptions() {
        return Arrays.asList(Manifests.properties(Manifests.text(SETTINGS)).get("quarkus.jib.jvm-additional-arguments").split(","));
    }

    /**
     * Lays the container of the Knative Service out under {@code root}, empty or missing, with {@code jvmOptions} as
     * the entrypoint's. {@code secretData} are the keys of the Secret its variables name; {@code volumeData} the files
     * of each ConfigMap or Secret its volumes name, by name; {@code port} is where the container port is reached.
     */
    public static OperatorPod.Container layout(Path quarkusApp, Path root, Map<String, String> secretData,
            Map<String, Map<String, String>> volumeData, int port, List<String> jvmOptions) {
        JsonNode spec = Manifests.single(SERVICE).doc().at("/spec/template/spec");
        JsonNode container = spec.at("/containers/0");
        try {
            Path workingDirectory = pod(root, WORKING_DIRECTORY);
            Files.createDirectories(workingDirectory.getParent());
            Files.createSymbolicLink(workingDirectory, quarkusApp);

            Map<String, String> objects = new LinkedHashMap<>();
            for (JsonNode volume : spec.path("volumes")) {
                String object = volume.at("/configMap/name").asText(volume.at("/secret/secretName").asText());
                objects.put(volume.path("name").asText(), object);
            }
            List<String> mountPaths = new ArrayList<>();
            for (JsonNode mount : container.path("volumeMounts")) {
                String mountPath = mount.path("mountPath").asText();
                Path directory = Files.createDirectories(pod(root, mountPath));
                for (Map.Entry<String, String> file : volumeData.getOrDefault(objects.get(mount.path("name").asText()), Map.of()).entrySet()) {
                    Files.writeString(directory.resolve(file.getKey()), file.getValue());
                }
                mountPaths.add(mountPath + "/");
            }

            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("PATH", System.getenv("PATH"));
            environment.put("HOME", Files.createDirectories(root.resolve("home")).toString());
            for (JsonNode variable : container.path("env")) {
                String value = variable.has("value") ? variable.path("value").asText() : secretKey(variable, secretData);
                if (value != null) {
                    String path = value;
                    boolean onAMount = mountPaths.stream().anyMatch(path::startsWith);
                    environment.put(variable.path("name").asText(), onAMount ? pod(root, value).toString() : value);
                }
            }
            environment.put("QUARKUS_HTTP_HOST", "127.0.0.1");
            environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));

            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", "quarkus-run.jar"));
            int containerPort = container.at("/ports/0/containerPort").asInt();
            List<OperatorPod.Probe> probes = new ArrayList<>();
            for (String kind : List.of("liveness", "readiness")) {
                JsonNode get = container.at("/" + kind + "Probe/httpGet");
                probes.add(new OperatorPod.Probe(kind, get.path("port").asInt(containerPort), get.path("path").asText()));
            }
            return new OperatorPod.Container(command, environment, workingDirectory, probes,
                    Map.of(containerPort, URI.create("http://127.0.0.1:" + port + "/")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A variable's {@code secretKeyRef}: the key's value, null for an optional key the Secret lacks (Kubernetes sets none). */
    private static String secretKey(JsonNode variable, Map<String, String> secretData) {
        JsonNode reference = variable.at("/valueFrom/secretKeyRef");
        String value = secretData.get(reference.path("key").asText());
        if (value == null && !reference.path("optional").asBoolean(false)) {
            throw new IllegalStateException("The Secret lacks the key " + reference.path("key").asText() + ": the pod would not start");
        }
        return value;
    }

    /** The Maven running this build (Failsafe passes maven.home), else the one on the PATH. */
    private static String maven() {
        String home = System.getProperty("maven.home", "");
        Path mvn = Path.of(home, "bin", "mvn");
        return !home.isBlank() && Files.isExecutable(mvn) ? mvn.toString() : "mvn";
    }


    private static Path pod(Path root, String podPath) {
        return root.resolve(podPath.substring(1));
    }
}
