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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import maintsync.IntegrationHarness;
import maintsync.LogCapture;
import maintsync.VcenterEvent;
import maintsync.vcenter.Vcsim;
import maintsync.vrops.Inventory;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;

/**
 * The local run of the README with a vCenter, {@code jbang/camel run} with every Java file of {@code routes/} and its
 * packages, as the README's globs name them, with the passwords in
 * {@code VROPS_PASSWORD} and {@code VCENTER_LAB_PASSWORD} and every logger at TRACE, leaves neither password, nor a
 * vROps token, nor the vCenter session cookie in any file, while it runs or after {@code kill -9}: not in the files
 * Camel JBang writes to {@code ~/.camel/}, the status ({@code <pid>-status.json}, every second: its consoles
 * properties, variables, beans, routes, health and the rest) and the history of the last completed exchange
 * ({@code <pid>-history.json}, every 2 seconds, with its headers and body at each step), nor in its log, nor in any
 * other file written under the home, temporary or working directory, nor on the pages it serves. The vROps password
 * holds what Camel's placeholders would trip over, and both passwords a random part so that no file can hold them by
 * chance. vCenter is the project's simulator (tests/vcsim), reconciled every second, so that the vROps calls of its
 * passes are among the last exchanges.
 */
class LocalRunLeavesNoSecretIT {

    private static final Duration START_LIMIT = Duration.ofMinutes(10);
    private static final Duration HISTORY_LIMIT = Duration.ofSeconds(30);
    private static final Pattern PASSES = Pattern.compile("(?m)^vcenter_maintenance_reconcile_seconds_count\\{[^}]*outcome=\"ok\"[^}]*} (\\S+)$");

    @Test
    void noPasswordTokenOrSessionCookieIsWrittenAnywhere() throws Exception {
        String password = "p@ss{{" + UUID.randomUUID() + "}} \"q\" ${HOME} 100% ü\\";
        String vcenterPassword = "vc-" + UUID.randomUUID();
        Instant start = Instant.now().minusSeconds(1);

        try (Vcsim vcenter = Vcsim.start(vcenterPassword); VropsSimulator vrops = knowing(vcenter, password)) {
            Vcsim.Host host = vcenter.hosts().get(0);
            vcenter.enterMaintenanceMode(host);
            int port = freePort();
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            Path log = Path.of("target", "local-run-" + port + ".log");
            Process run = start(vrops, password, vcenter, vcenterPassword, port, log);
            HttpClient client = HttpClient.newHttpClient();
            Path camelDirectory = Path.of(System.getProperty("user.home"), ".camel");
            Path statusFile = camelDirectory.resolve(run.pid() + "-status.json");
            Path historyFile = camelDirectory.resolve(run.pid() + "-history.json");
            List<String> pages = new ArrayList<>();
            List<String> sessions;
            try {
                awaitReady(run, client, base, log);
                assertThat(send(client, base, VcenterEvent.entered("esx01.lab.local", "host-21"))).isEqualTo(204);
                assertThat(send(client, base, VcenterEvent.exited("esx01.lab.local", "host-21"))).isEqualTo(204);
                assertThat(send(client, base, VcenterEvent.entered(host.name(), host.moref()).source(vcenter.sdk().toString()))).isEqualTo(204);
                for (String page : List.of("observe/health", "observe/health/ready", "observe/health/live", "observe/metrics", "observe/hosts")) {
                    pages.add(IntegrationHarness.send(client, get(base.resolve(page))).body());
                }
                awaitStatusWithTheRoutesAndTheProperties(statusFile);
                awaitHistoryAfterPasses(client, base, historyFile);
                // read while the integration is logged in to vCenter
                sessions = vcenter.otherSessionKeys();
            } finally {
                run.destroyForcibly().waitFor();
            }

            List<String> secrets = new ArrayList<>(LogCapture.secrets(password, vrops.requests()));
            assertThat(secrets).as("the password and both halves of the token").hasSize(3);
            // one for the events and the passes, one for the watch's long poll
        assertThat(sessions).as("the integration's vCenter sessions").hasSize(2);
            secrets.addAll(sessions);
            secrets.add(vcenterPassword);
            List<Path> written = FilesLeftBehind.changedSince(start, FilesLeftBehind.usualPlaces());
            assertThat(List.of(statusFile, historyFile)).as("left by kill -9").allSatisfy(file -> assertThat(file).exists());
            assertThat(written).contains(statusFile.toAbsolutePath(), historyFile.toAbsolutePath(), log.toAbsolutePath());
            assertThat(Files.size(log)).as("a log at TRACE, small enough to be searched").isLessThan(FilesLeftBehind.LARGEST);
            assertThat(new String(Files.readAllBytes(log), StandardCharsets.UTF_8)).as("the log at TRACE").contains(" TRACE ")
                    .contains("Logged in to vCenter lab").contains("Reconciled vCenter lab");
            assertThat(FilesLeftBehind.holding(written, text -> secrets.stream().anyMatch(text::contains)))
                    .as("files holding a password, the token or the session cookie").isEmpty();
            assertThat(pages).hasSize(5).noneMatch(text -> secrets.stream().anyMatch(text::contains));
            deleteWhatKillLeft(camelDirectory, run.pid());
        }
    }

    /** The default inventory and the simulated vCenter with its hosts, and the user {@code local-run}. */
    private static VropsSimulator knowing(Vcsim vcenter, String password) {
        Inventory defaults = Inventory.defaults();
        List<Inventory.User> users = new ArrayList<>(defaults.users());
        users.add(new Inventory.User("local-run", password, null, false));
        List<Inventory.VCenter> vcenters = new ArrayList<>(defaults.vcenters());
        vcenters.add(new Inventory.VCenter(vcenter.sdk().getHost(), vcenter.instanceUuid()));
        List<Inventory.Host> hosts = new ArrayList<>(defaults.hosts());
        vcenter.hosts().forEach(host -> hosts.add(new Inventory.Host(host.name(), host.moref(), vcenter.sdk().getHost())));
        return VropsSimulator.builder().inventory(new Inventory(users, vcenters, hosts)).start();
    }

    private static int send(HttpClient client, URI base, VcenterEvent event) {
        return IntegrationHarness.send(client, IntegrationHarness.request(base, event)).statusCode();
    }

    /** Camel JBang removes its files when it stops, but not after kill -9. */
    private static void deleteWhatKillLeft(Path camelDirectory, long pid) throws IOException {
        try (Stream<Path> files = Files.list(camelDirectory)) {
            for (Path file : files.filter(file -> file.getFileName().toString().matches(pid + "([-.].*)?")).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** The README's command at TRACE, the settings in the environment as docs/local-run.md shows, from the repository root. */
    private static Process start(VropsSimulator vrops, String password, Vcsim vcenter, String vcenterPassword, int port, Path log)
            throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "jbang/camel", "run"));
        try (Stream<Path> routes = Files.walk(Path.of("routes"))) {
            routes.map(Path::toString).filter(name -> name.endsWith(".java")).sorted().forEach(command::add);
        }
        command.addAll(List.of("application.properties", "jbang/application.properties", "--local-kamelet-dir=kamelets",
                "--dep=camel:knative-http,camel:http,camel:micrometer", "--logging-config-path=jbang/log4j2.properties",
                "--port=" + port, "--logging-level=TRACE"));
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("VROPS_URL", vrops.baseUri().toString());
        builder.environment().put("VROPS_USERNAME", "local-run");
        builder.environment().put("VROPS_PASSWORD", password);
        builder.environment().put("VROPS_TLS_CA_FILE", vrops.caCertificatePem().toString());
        builder.environment().put("VCENTER_NAMES", "lab");
        builder.environment().put("VCENTER_LAB_URL", vcenter.sdk().toString());
        builder.environment().put("VCENTER_LAB_USERNAME", Vcsim.USERNAME);
        builder.environment().put("VCENTER_LAB_PASSWORD", vcenterPassword);
        builder.environment().put("VCENTER_LAB_TLS_CA_FILE", vcenter.caCertificatePem().toString());
        builder.environment().put("RECONCILE_INTERVAL_MS", "1000");
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

    /**
     * Camel JBang rewrites the history file every 2 seconds with the last exchange that completed; once 5 passes are
     * done, the next rewrite comes after the vROps calls of their repairs and extensions.
     */
    private static void awaitHistoryAfterPasses(HttpClient client, URI base, Path historyFile) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + HISTORY_LIMIT.toNanos();
        while (passes(client, base) < 5) {
            awaitUntil(deadline, "5 passes");
        }
        Instant passesDone = Instant.now();
        while (!Files.exists(historyFile) || Files.getLastModifiedTime(historyFile).toInstant().isBefore(passesDone)) {
            awaitUntil(deadline, "a history written after 5 passes: " + historyFile);
        }
    }

    private static void awaitUntil(long deadline, String what) throws InterruptedException {
        if (System.nanoTime() > deadline) {
            throw new AssertionError("no " + what + " within " + HISTORY_LIMIT);
        }
        Thread.sleep(200);
    }

    /** The passes that went well, as the metrics count them. */
    private static int passes(HttpClient client, URI base) {
        Matcher count = PASSES.matcher(IntegrationHarness.send(client, get(base.resolve("observe/metrics"))).body());
        return count.find() ? (int) Double.parseDouble(count.group(1)) : 0;
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
