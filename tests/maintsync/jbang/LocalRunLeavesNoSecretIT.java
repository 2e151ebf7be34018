package maintsync.jbang;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import maintsync.IntegrationHarness;
import maintsync.LogCapture;
import maintsync.VcenterEvent;
import maintsync.vrops.Inventory;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;

/**
 * The local run of the README, {@code jbang/camel run routes/*.java ...} with the password in {@code VROPS_PASSWORD},
 * leaves neither the password nor a token in any file, while it runs or after {@code kill -9}: not in the status file
 * Camel JBang writes every second to {@code ~/.camel/<pid>-status.json} (its consoles: properties, variables, beans,
 * routes, health and the rest), nor in any other file written under the home, temporary or working directory, nor on
 * the pages it serves. The password holds what Camel's placeholders would trip over, and a random part so that no file
 * can hold it by chance.
 */
class LocalRunLeavesNoSecretIT {

    private static final Duration START_LIMIT = Duration.ofMinutes(10);

    @Test
    void neitherThePasswordNorATokenIsWrittenAnywhere() throws Exception {
        String password = "p@ss{{" + UUID.randomUUID() + "}} \"q\" ${HOME} 100% ü\\";
        Inventory defaults = Inventory.defaults();
        List<Inventory.User> users = new ArrayList<>(defaults.users());
        users.add(new Inventory.User("local-run", password, null, false));
        Instant start = Instant.now().minusSeconds(1);

        try (VropsSimulator vrops = VropsSimulator.builder().inventory(new Inventory(users, defaults.vcenters(), defaults.hosts())).start()) {
            int port = freePort();
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            Path log = Path.of("target", "local-run-" + port + ".log");
            Process run = start(vrops, password, port, log);
            HttpClient client = HttpClient.newHttpClient();
            Path statusFile = Path.of(System.getProperty("user.home"), ".camel", run.pid() + "-status.json");
            List<String> pages = new ArrayList<>();
            try {
                awaitReady(run, client, base, log);
                assertThat(IntegrationHarness.send(client, IntegrationHarness.request(base, VcenterEvent.entered("esx01.lab.local", "host-21"))).statusCode()).isEqualTo(204);
                assertThat(IntegrationHarness.send(client, IntegrationHarness.request(base, VcenterEvent.exited("esx01.lab.local", "host-21"))).statusCode()).isEqualTo(204);
                for (String page : List.of("observe/health", "observe/health/ready", "observe/health/live", "observe/metrics")) {
                    pages.add(IntegrationHarness.send(client, get(base.resolve(page))).body());
                }
                awaitStatusWithTheRoutesAndTheProperties(statusFile);
            } finally {
                run.destroyForcibly().waitFor();
            }

            List<String> secrets = LogCapture.secrets(password, vrops.requests());
            assertThat(secrets).as("the password and both halves of the token").hasSize(3);
            List<Path> written = FilesLeftBehind.changedSince(start, FilesLeftBehind.usualPlaces());
            assertThat(statusFile).as("left by kill -9").exists();
            assertThat(written).contains(statusFile.toAbsolutePath(), log.toAbsolutePath());
            assertThat(FilesLeftBehind.holding(written, text -> secrets.stream().anyMatch(text::contains)))
                    .as("files holding the password or the token").isEmpty();
            assertThat(pages).hasSize(4).noneMatch(text -> secrets.stream().anyMatch(text::contains));
            deleteWhatKillLeft(statusFile.getParent(), run.pid());
        }
    }

    /** Camel JBang removes its files when it stops, but not after kill -9. */
    private static void deleteWhatKillLeft(Path camelDirectory, long pid) throws IOException {
        try (Stream<Path> files = Files.list(camelDirectory)) {
            for (Path file : files.filter(file -> file.getFileName().toString().matches(pid + "([-.].*)?")).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** The README's command, the settings in the environment, run from the repository root. */
    private static Process start(VropsSimulator vrops, String password, int port, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "jbang/camel", "run"));
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            routes.map(Path::toString).filter(name -> name.endsWith(".java")).sorted().forEach(command::add);
        }
        command.addAll(List.of("application.properties", "jbang/application.properties", "--local-kamelet-dir=kamelets",
                "--dep=camel:knative-http,camel:http,camel:micrometer", "--logging-config-path=jbang/log4j2.properties",
                "--port=" + port));
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("VROPS_URL", vrops.baseUri().toString());
        builder.environment().put("VROPS_USERNAME", "local-run");
        builder.environment().put("VROPS_PASSWORD", password);
        builder.environment().put("VROPS_TLS_CA_FILE", vrops.caCertificatePem().toString());
        return builder.start();
    }

    private static void awaitReady(Process run, HttpClient client, URI base, Path log) throws Exception {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!run.isAlive()) {
                throw new AssertionError("the local run exited with " + run.exitValue() + ": " + tail(log));
            }
            try {
                if (IntegrationHarness.send(client, get(base.resolve("observe/health/ready"))).statusCode() == 200) {
                    return;
                }
            } catch (UncheckedIOException notListeningYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the local run was not ready within " + START_LIMIT + ": " + tail(log));
    }

    /** Camel JBang rewrites the status file every second; it holds the consoles once the context runs. */
    private static void awaitStatusWithTheRoutesAndTheProperties(Path statusFile) throws InterruptedException {
        String status = "";
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                status = Files.readString(statusFile, StandardCharsets.UTF_8);
            } catch (IOException notYetWritten) {
                status = "";
            }
            if (status.contains("\"apply-maintenance\"") && status.contains("\"vrops.url\"") && status.contains("\"vrops\"")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the status file never listed the routes, the properties and the vROps check: " + statusFile);
    }

    private static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
