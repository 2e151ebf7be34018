package maintsync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import maintsync.k8s.CamelQuarkusApp;
import maintsync.k8s.OperatorPod;
import maintsync.vrops.VropsSimulator;

/**
 * The Camel Quarkus application of {@code app/} for the benchmark: built by its Maven project and started as the
 * image of {@code k8s/app/} starts it ({@link CamelQuarkusApp}) against the simulator, as a measured
 * {@link JvmProcess} with the JVM options of the launch in place of the image's. A second build adds Quarkus's own
 * AppCDS archive, which {@code java -jar quarkus-run.jar} can use (the jvm trait of Camel K cannot).
 */
final class QuarkusAppRuntime {

    private final Path work;
    private final VropsSimulator vrops;
    private final Path shipped;
    private final Path withAppCds;

    private QuarkusAppRuntime(Path work, VropsSimulator vrops, Path shipped, Path withAppCds) {
        this.work = work;
        this.vrops = vrops;
        this.shipped = shipped;
        this.withAppCds = withAppCds;
    }

    static QuarkusAppRuntime build(Path work, VropsSimulator vrops) throws IOException {
        OperatorPod.deleteRecursively(work);
        Path shipped = work.resolve("shipped").toAbsolutePath();
        Path withAppCds = work.resolve("appcds").toAbsolutePath();
        CamelQuarkusApp.build(Map.of("quarkus.package.output-directory", shipped.toString()));
        CamelQuarkusApp.build(Map.of("quarkus.package.output-directory", withAppCds.toString(),
                "quarkus.package.jar.appcds.enabled", "true"));
        return new QuarkusAppRuntime(work, vrops, shipped, withAppCds);
    }

    /**
     * Lays out a pod of its own and starts it; the clock starts just before {@code java}. With {@code appCds}, the
     * build's archive, from the fast-jar's directory, as Quarkus asks.
     */
    JvmProcess start(boolean appCds, List<String> jvmOptions, int port, Path log) {
        List<String> options = new ArrayList<>(jvmOptions);
        if (appCds) {
            options.add("-XX:SharedArchiveFile=app-cds.jsa");
        }
        Path root = work.resolve("pod-" + System.nanoTime()).toAbsolutePath();
        Map<String, String> secret = OperatorPod.exampleSecret();
        secret.put("vrops.url", vrops.baseUri().toString());
        secret.put("vrops.username", "admin");
        secret.put("vrops.tls.ca-file", "/etc/vrops-ca/ca.pem");
        try {
            Map<String, Map<String, String>> volumes = Map.of("vrops-ca", Map.of("ca.pem", Files.readString(vrops.caCertificatePem())),
                    "vrops-password", Map.of("vrops.password", "sim-admin-password"));
            OperatorPod.Container container = CamelQuarkusApp.layout(appCds ? withAppCds : shipped, root, secret, volumes, port, options);
            return JvmProcess.startContainer(container.command(), container.environment(), container.workingDirectory(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
