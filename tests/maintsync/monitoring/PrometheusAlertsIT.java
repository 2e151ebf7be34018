package maintsync.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.IntegrationHarness;
import maintsync.VcenterEvent;
import maintsync.vcenter.Vcsim;
import maintsync.vcenter.WithVcenter;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian's) scrapes a local run of the integration on loopback, with a vCenter (vcsim), and
 * evaluates the project's alert rules, every duration in them read as seconds instead of minutes (rule windows and
 * for: durations, offsets) so that the run takes a minute, not an hour. vROps is unplugged: the alert
 * VcenterMaintenanceVropsUnreachable fires; plugged in again, it resolves. Every metric the alerts and the dashboard
 * query is among those Prometheus scraped, so a renamed metric fails here.
 */
class PrometheusAlertsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MINUTES = Pattern.compile("\\b(\\d+)m\\b");
    private static final String UNREACHABLE = "VcenterMaintenanceVropsUnreachable";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Vcsim vcenter;
    private VropsSimulator vrops;
    private Cable cable;
    private IntegrationHarness integration;
    private Process prometheus;
    private Path directory;
    private URI prometheusUri;

    @BeforeEach
    void start() throws Exception {
        Promtool.program("prometheus"); // fails at once, naming the package, where it is missing
        vcenter = Vcsim.start("reader-pw");
        vrops = WithVcenter.vropsKnowing(vcenter);
        cable = Cable.to(vrops.baseUri().getHost(), vrops.baseUri().getPort());
        Map<String, String> settings = new HashMap<>(WithVcenter.settings("lab", vcenter, "reader-pw", Map.of()));
        settings.put("vrops.url", "https://" + vrops.baseUri().getHost() + ":" + cable.port());
        settings.put("reconcile.interval-ms", "2000");
        settings.put("vrops.readiness.check-interval-ms", "500");
        settings.put("vrops.retries", "0");
        // nothing listens there: the dead letter is written and its delivery fails, both counted
        settings.put("dead-letter.uri", "http://127.0.0.1:" + freePort() + "/dead-letters");
        integration = IntegrationHarness.against(vrops, settings);

        directory = Files.createTempDirectory("prometheus");
        String rules = Files.readString(Promtool.RULES);
        Files.writeString(directory.resolve("rules.yaml"), MINUTES.matcher(rules).replaceAll("$1s"));
        URI metrics = integration.managementUri().resolve("observe/metrics");
        Files.writeString(directory.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - rules.yaml
                scrape_configs:
                  - job_name: vcenter-maintenance
                    metrics_path: %s
                    static_configs:
                      - targets: ["%s:%d"]
                """.formatted(metrics.getPath(), metrics.getHost(), metrics.getPort()));
        int port = freePort();
        prometheusUri = URI.create("http://127.0.0.1:" + port + "/");
        prometheus = new ProcessBuilder(Promtool.program("prometheus").toString(), "--config.file=prometheus.yml",
                "--storage.tsdb.path=data", "--web.listen-address=127.0.0.1:" + port)
                .directory(directory.toFile()).redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile()).start();
        await("Prometheus ready", () -> {
            try {
                return get("-/ready").statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        }, 60);
    }

    @AfterEach
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            prometheus.waitFor(10, TimeUnit.SECONDS);
        }
        if (integration != null) {
            integration.close();
        }
        if (cable != null) {
            cable.close();
        }
        if (vrops != null) {
            vrops.close();
        }
        if (vcenter != null) {
            vcenter.close();
        }
    }

    @Test
    void vropsUnpluggedFiresTheAlertAndPluggedInAgainResolvesIt() throws Exception {
        Vcsim.Host host = vcenter.hosts().get(1);
        vcenter.enterMaintenanceMode(host);
        assertThat(integration.send(VcenterEvent.entered(host.name(), host.moref()).source(vcenter.sdk().toString())).statusCode()).isEqualTo(204);
        assertThat(integration.send(VcenterEvent.entered(host.name(), host.moref()).body("{}")).statusCode()).isEqualTo(400);
        assertThat(integration.send(HttpRequest.newBuilder(integration.eventsUri()).GET().build()).statusCode()).isEqualTo(405);
        await("the integration scraped", () -> query("up{job=\"vcenter-maintenance\"} == 1").size() == 1, 30);
        assertThat(firing()).doesNotContain(UNREACHABLE);

        cable.unplug();
        await(UNREACHABLE + " firing", () -> firing().contains(UNREACHABLE), 90);

        cable.plugIn();
        await(UNREACHABLE + " resolved", () -> !firing().contains(UNREACHABLE) && !pending().contains(UNREACHABLE), 90);

        // each metric the alerts and the dashboard read was scraped (label names aside, which the series carry)
        Set<String> metrics = values("api/v1/label/__name__/values");
        Set<String> labels = values("api/v1/labels");
        List<String> used = Promtool.names(Promtool.expressions());
        assertThat(used).hasSizeGreaterThan(15);
        assertThat(used.stream().filter(name -> !labels.contains(name))).allSatisfy(name -> assertThat(metrics).as(name).contains(name));
    }

    private Set<String> firing() {
        return alerts(alert -> alert.path("state").asText().equals("firing"));
    }

    private Set<String> pending() {
        return alerts(alert -> alert.path("state").asText().equals("pending"));
    }

    private Set<String> alerts(Predicate<JsonNode> which) {
        Set<String> names = new HashSet<>();
        for (JsonNode alert : json("api/v1/alerts").at("/data/alerts")) {
            if (which.test(alert)) {
                names.add(alert.at("/labels/alertname").asText());
            }
        }
        return names;
    }

    private JsonNode query(String promql) {
        return json("api/v1/query?query=" + java.net.URLEncoder.encode(promql, java.nio.charset.StandardCharsets.UTF_8)).at("/data/result");
    }

    private Set<String> values(String path) {
        Set<String> values = new HashSet<>();
        json(path).path("data").forEach(value -> values.add(value.asText()));
        return values;
    }

    private JsonNode json(String path) {
        try {
            return JSON.readTree(get(path).body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private HttpResponse<String> get(String path) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(prometheusUri.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void await(String what, java.util.function.BooleanSupplier condition, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + seconds + " s; Prometheus log:\n" + tail(directory.resolve("prometheus.log")));
            }
            Thread.sleep(250);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
