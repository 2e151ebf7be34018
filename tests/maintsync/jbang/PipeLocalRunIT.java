package maintsync.jbang;

import static maintsync.TestSupport.freePort;
import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import maintsync.DeadLetterInbox;
import maintsync.IntegrationHarness;
import maintsync.LogCapture;
import maintsync.TestSupport;
import maintsync.VcenterEvent;
import maintsync.vrops.Inventory;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;

/**
 * The Pipes of k8s/pipes/ run locally exactly as README's "Run locally" says, {@code jbang/pipe enter} and
 * {@code jbang/pipe exit} with the settings in the environment, against the vROps simulator over HTTPS with its own CA:
 * the enter Pipe marks a host, the exit Pipe unmarks it, each run under its own name, each applied event logged on one
 * line with its id and host. An event that fails (a host vROps does not know, vROps answering 503) is logged on one
 * line with its id, host and reason and sent to {@code dead-letter.uri}, without a call to an illegal URI; every token
 * acquired is given back, on every path. After {@code kill -9}, neither the password nor a token is in any file the
 * runs wrote (Camel JBang's status and history files in ~/.camel/ included) nor in their logs.
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

        try (VropsSimulator vrops = withUser(password); DeadLetterInbox deadLetters = new DeadLetterInbox()) {
            String host = vrops.resourceId(VCSA01_UUID, "host-21");

            VcenterEvent entered = VcenterEvent.entered("esx01.lab.local", "host-21");
            VcenterEvent unknown = VcenterEvent.entered("esx99.lab.local", "host-99");
            // a subject, which Tanzu Sources do not set, to see the dead letter carry it for a Trigger to filter on
            VcenterEvent refused = VcenterEvent.entered("esx02.cl.vmweventbroker.io", "host-19").header("ce-subject", "host-19");
            Map<String, String> unknownLetter;
            Map<String, String> refusedLetter;
            try (LocalPipe enter = LocalPipe.start("enter", vrops, password, deadLetters.uri())) {
                logs.add(enter.log);
                pids.add(enter.process.pid());
                assertThat(enter.send(client, entered).statusCode()).isEqualTo(204);
                assertThat(vrops.resourceState(host)).isEqualTo("MAINTAINED_MANUAL");
                enter.awaitFilesAfterTheEvent(camelDirectory);

                // Answered 204 all the same: Camel K's Broker source is reply=false (docs/behaviour.md).
                assertThat(enter.send(client, unknown).statusCode()).isEqualTo(204);
                unknownLetter = deadLetters.next();
                vrops.faults().failNext(Operation.MARK_MAINTAINED, 1, 503);
                assertThat(enter.send(client, refused).statusCode()).isEqualTo(204);
                refusedLetter = deadLetters.next();

                // the event's attributes, its host and the reason, for a Trigger to route it and a person to replay it
                assertThat(unknownLetter).containsEntry("ce-type", "io.github.maintsync.vcenter-maintenance.dead-letter.v1")
                        .containsEntry("ce-specversion", "1.0").containsEntry("ce-id", unknown.id() + "-dead-letter")
                        .containsEntry("ce-source", "/vcenter-maintenance")
                        .containsEntry("ce-originalid", unknown.id()).containsEntry("ce-vcenterhost", "esx99.lab.local")
                        .containsEntry("ce-originaltype", VcenterEvent.ENTERED_TYPE)
                        .containsEntry("ce-originalsource", VcenterEvent.VCSA01).doesNotContainKey("ce-originalsubject");
                assertThat(unknownLetter.get("ce-deadletterreason")).contains("vROps has no HostSystem named esx99.lab.local");
                assertThat(refusedLetter).containsEntry("ce-originalid", refused.id()).containsEntry("ce-originalsubject", "host-19")
                        .containsEntry("ce-originaltype", VcenterEvent.ENTERED_TYPE).containsEntry("ce-originalsource", VcenterEvent.VCSA01)
                        .containsEntry("ce-vcenterhost", "esx02.cl.vmweventbroker.io");
                assertThat(refusedLetter.get("ce-deadletterreason")).contains("503");
                assertThat(String.join("\n", unknownLetter.keySet()) + String.join("\n", refusedLetter.keySet()))
                        .as("headers of the failed call").doesNotContainIgnoringCase("authorization").doesNotContainIgnoringCase("vrops");
                assertThat(vrops.count(Operation.MARK_MAINTAINED)).as("no call for the unknown host").isEqualTo(2);
            }

            VcenterEvent exited = VcenterEvent.exited("esx01.lab.local", "host-21");
            try (LocalPipe exit = LocalPipe.start("exit", vrops, password, deadLetters.uri())) {
                logs.add(exit.log);
                pids.add(exit.process.pid());
                assertThat(exit.send(client, exited).statusCode()).isEqualTo(204);
                assertThat(vrops.resourceState(host)).isEqualTo("STARTED");
                exit.awaitFilesAfterTheEvent(camelDirectory);

                // the token's release fails: the event goes to the dead letter, whose sink gives the token back again
                VcenterEvent exitedAgain = VcenterEvent.exited("esx01.lab.local", "host-21");
                vrops.faults().failNext(Operation.RELEASE_TOKEN, 1, 503);
                assertThat(exit.send(client, exitedAgain).statusCode()).isEqualTo(204);
                Map<String, String> releaseLetter = deadLetters.next();
                assertThat(releaseLetter).containsEntry("ce-originalid", exitedAgain.id()).containsEntry("ce-vcenterhost", "esx01.lab.local");
                assertThat(releaseLetter.get("ce-deadletterreason")).contains("503");
                assertThat(vrops.resourceState(host)).isEqualTo("STARTED");
            }

            assertThat(vrops.count(Operation.ACQUIRE_TOKEN)).isEqualTo(5);
            assertThat(vrops.count(Operation.RELEASE_TOKEN)).as("every token given back, also after a failed release")
                    .isEqualTo(6);
            assertThat(vrops.activeTokens()).isZero();
            assertThat(lines(logs.get(0), " vcenter-maintenance - ")).containsExactly(
                    "INFO  Event " + entered.id() + " from https://vcsa01.lab.local/sdk: enter maintenance of vROps resource " + host
                            + ", host esx01.lab.local",
                    "WARN  dead-letter id=" + unknown.id() + " source=https://vcsa01.lab.local/sdk type=" + VcenterEvent.ENTERED_TYPE
                            + " host=esx99.lab.local reason=\"" + unknownLetter.get("ce-deadletterreason") + "\"",
                    "WARN  dead-letter id=" + refused.id() + " source=https://vcsa01.lab.local/sdk type=" + VcenterEvent.ENTERED_TYPE
                            + " host=esx02.cl.vmweventbroker.io reason=\"" + refusedLetter.get("ce-deadletterreason") + "\"");
            assertThat(text(logs.get(0))).as("one line per failure, no stack trace").doesNotContain("\tat ");
            List<String> exitLines = lines(logs.get(1), " vcenter-maintenance - ");
            assertThat(exitLines).hasSize(3);
            assertThat(exitLines.get(0)).isEqualTo("INFO  Event " + exited.id()
                    + " from https://vcsa01.lab.local/sdk: exit maintenance of vROps resource " + host + ", host esx01.lab.local");
            assertThat(exitLines.get(2)).startsWith("WARN  dead-letter id=" + exitLines.get(1).split(" ")[3] + " ");
            assertThat(text(logs.get(0))).contains("Apache Camel 4.17.0 (vcenter-maintenance-enter) started");
            assertThat(text(logs.get(1))).contains("Apache Camel 4.17.0 (vcenter-maintenance-exit) started");

            List<String> secrets = LogCapture.secrets(password, vrops.requests());
            assertThat(secrets).as("the password and both halves of each of the 5 tokens").hasSize(1 + 2 * 5);
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

        static LocalPipe start(String pipe, VropsSimulator vrops, String password, URI deadLetters) throws Exception {
            int port = freePort();
            Path log = Path.of("target", "pipe-" + pipe + "-" + port + ".log");
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder("bash", "jbang/pipe", pipe, "--port=" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("VROPS_URL", vrops.baseUri().toString());
            builder.environment().put("VROPS_USERNAME", "pipe-run");
            builder.environment().put("VROPS_PASSWORD", password);
            builder.environment().put("VROPS_TLS_CA_FILE", vrops.caCertificatePem().toString());
            builder.environment().put("DEAD_LETTER_URI", deadLetters.toString());
            LocalPipe run = new LocalPipe(builder.start(), log, URI.create("http://127.0.0.1:" + port + "/"));
            run.awaitStarted();
            return run;
        }

        HttpResponse<String> send(HttpClient client, VcenterEvent event) {
            return IntegrationHarness.send(client, IntegrationHarness.request(base, event));
        }

        /** Camel JBang rewrites the status file every second and the history every 2 seconds. */
        void awaitFilesAfterTheEvent(Path camelDirectory) {
            Instant sent = Instant.now();
            for (String file : List.of("-status.json", "-history.json")) {
                Path path = camelDirectory.resolve(process.pid() + file);
                TestSupport.await(FILES_LIMIT, () -> writtenSince(path, sent), path + " written after the event");
            }
        }

        private static boolean writtenSince(Path path, Instant sent) {
            try {
                return Files.exists(path) && !Files.getLastModifiedTime(path).toInstant().isBefore(sent)
                        && Files.readString(path, StandardCharsets.UTF_8).contains("vcenter-maintenance-");
            } catch (IOException replacedWhileRead) {
                return false;
            }
        }

        private void awaitStarted() {
            TestSupport.await(START_LIMIT, () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("jbang/pipe exited with " + process.exitValue() + ": " + text(log));
                }
                return text(log).contains(") started in ");
            }, "jbang/pipe started (log " + log + ")");
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly().waitFor();
        }
    }

    /** The lines of the log written by {@code logger}, as level and message. */
    private static List<String> lines(Path log, String logger) {
        return text(log).lines().filter(line -> line.contains(logger))
                .map(line -> line.replaceFirst("^\\S+ \\S+ (\\S+ +)\\[[^]]*] .*? - ", "$1")).toList();
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
}
