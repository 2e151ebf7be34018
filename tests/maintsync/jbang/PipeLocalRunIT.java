package maintsync.jbang;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
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
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;

/**
 * The Pipes of k8s/pipes/ run locally exactly as README's "Run locally" says, {@code jbang/pipe enter} and
 * {@code jbang/pipe exit} with the settings in the environment, against the vROps simulator over HTTPS with its own CA:
 * the enter Pipe marks a host, the exit Pipe unmarks it, each run under its own name, every token given back. After
 * {@code kill -9}, neither the password nor a token is in any file the runs wrote (Camel JBang's status and history
 * files in ~/.camel/ included) nor in their logs.
 */
class PipeLocalRunIT {

    private static final Duration START_LIMIT = Duration.ofMinutes(10);
    private static final Duration FILES_LIMIT = Duration.ofSeconds(30);

    @Test
    void theEnterAndExitPipesMarkAndUnmarkAHostAndLeaveNoSecretBehind() throws Exception {
        // Not {{ nor a backslash: a Pipe hands the password through a placeholder (k8s/pipes/kustomization.yaml).
        String password = "p@ss " + UUID.randomUUID() + " \"q\" ${HOME} 100% ü";
        Instant start = Instant.now().minusSeconds(1);
        HttpClient client = HttpClient.newHttpClient();
        Path camelDirectory = Path.of(System.getProperty("user.home"), ".camel");
        List<Path> logs = new ArrayList<>();
        List<Long> pids = new ArrayList<>();

        try (VropsSimulator vrops = withUser(password)) {
            String host = vrops.resourceId(VCSA01_UUID, "host-21");

            VcenterEvent entered = VcenterEvent.entered("esx01.lab.local", "host-21");
            try (LocalPipe enter = LocalPipe.start("enter", vrops, password)) {
                logs.add(enter.log);
                pids.add(enter.process.pid());
                assertThat(enter.send(client, entered).statusCode()).isEqualTo(204);
                assertThat(vrops.resourceState(host)).isEqualTo("MAINTAINED_MANUAL");
                enter.awaitFilesAfterTheEvent(camelDirectory);
            }

            VcenterEvent exited = VcenterEvent.exited("esx01.lab.local", "host-21");
            try (LocalPipe exit = LocalPipe.start("exit", vrops, password)) {
                logs.add(exit.log);
                pids.add(exit.process.pid());
                assertThat(exit.send(client, exited).statusCode()).isEqualTo(204);
                assertThat(vrops.resourceState(host)).isEqualTo("STARTED");
                exit.awaitFilesAfterTheEvent(camelDirectory);
            }

            assertThat(vrops.count(Operation.ACQUIRE_TOKEN)).isEqualTo(2);
            assertThat(vrops.count(Operation.RELEASE_TOKEN)).isEqualTo(2);
            assertThat(vrops.activeTokens()).isZero();
            assertThat(text(logs.get(0))).contains("Apache Camel 4.17.0 (vcenter-maintenance-enter) started");
            assertThat(text(logs.get(1))).contains("Apache Camel 4.17.0 (vcenter-maintenance-exit) started");

            List<String> secrets = LogCapture.secrets(password, vrops.requests());
            assertThat(secrets).as("the password and both halves of each token").hasSize(5);
            List<Path> written = FilesLeftBehind.changedSince(start, FilesLeftBehind.usualPlaces());
            for (long pid : pids) {
                assertThat(written).as("left by kill -9").contains(camelDirectory.resolve(pid + "-status.json").toAbsolutePath(),
                        camelDirectory.resolve(pid + "-history.json").toAbsolutePath());
            }
            assertThat(FilesLeftBehind.holding(written, text -> secrets.stream().anyMatch(text::contains)))
                    .as("files holding the password or a token").isEmpty();
        } finally {
            for (long pid : pids) {
                deleteWhatKillLeft(camelDirectory, pid);
            }
        }
    }

    /** The default inventory and the user {@code pipe-run}. */
    private static VropsSimulator withUser(String password) {
        Inventory defaults = Inventory.defaults();
        List<Inventory.User> users = new ArrayList<>(defaults.users());
        users.add(new Inventory.User("pipe-run", password, null, false));
        return VropsSimulator.builder().inventory(new Inventory(users, defaults.vcenters(), defaults.hosts())).start();
    }

    /** {@code jbang/pipe <name> --port=N} with the settings in the environment, stopped with kill -9. */
    private static final class LocalPipe implements AutoCloseable {

        private final Process process;
        private final Path log;
        private final URI base;

        private LocalPipe(Process process, Path log, URI base) {
            this.process = process;
            this.log = log;
            this.base = base;
        }

        static LocalPipe start(String pipe, VropsSimulator vrops, String password) throws Exception {
            int port = freePort();
            Path log = Path.of("target", "pipe-" + pipe + "-" + port + ".log");
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder("bash", "jbang/pipe", pipe, "--port=" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("VROPS_URL", vrops.baseUri().toString());
            builder.environment().put("VROPS_USERNAME", "pipe-run");
            builder.environment().put("VROPS_PASSWORD", password);
            builder.environment().put("VROPS_TLS_CA_FILE", vrops.caCertificatePem().toString());
            LocalPipe run = new LocalPipe(builder.start(), log, URI.create("http://127.0.0.1:" + port + "/"));
            run.awaitStarted();
            return run;
        }

        HttpResponse<String> send(HttpClient client, VcenterEvent event) {
            return IntegrationHarness.send(client, IntegrationHarness.request(base, event));
        }

        /** Camel JBang rewrites the status file every second and the history every 2 seconds. */
        void awaitFilesAfterTheEvent(Path camelDirectory) throws IOException, InterruptedException {
            Instant sent = Instant.now();
            long deadline = System.nanoTime() + FILES_LIMIT.toNanos();
            for (String file : List.of("-status.json", "-history.json")) {
                Path path = camelDirectory.resolve(process.pid() + file);
                while (!Files.exists(path) || Files.getLastModifiedTime(path).toInstant().isBefore(sent)
                        || !Files.readString(path, StandardCharsets.UTF_8).contains("vcenter-maintenance-")) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("no " + path + " written after the event within " + FILES_LIMIT);
                    }
                    Thread.sleep(200);
                }
            }
        }

        private void awaitStarted() throws Exception {
            long deadline = System.nanoTime() + START_LIMIT.toNanos();
            while (!text(log).contains(") started in ")) {
                if (!process.isAlive()) {
                    throw new AssertionError("jbang/pipe exited with " + process.exitValue() + ": " + text(log));
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("jbang/pipe did not start within " + START_LIMIT + ": " + text(log));
                }
                Thread.sleep(250);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly().waitFor();
        }
    }

    private static String text(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
