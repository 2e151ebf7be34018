package maintsync.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.IntegrationHarness;
import maintsync.TestSupport;
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
 * for: durations, offsets), and the days of the forgotten host's threshold as seconds too, so that a run takes a
 * minute, not an hour or days. vROps is unplugged: the alert VcenterMaintenanceVropsUnreachable fires; plugged in
 * again, it resolves. A host left in maintenance in vCenter fires VcenterHostInMaintenanceTooLong, which resolves once
 * vCenter has it back in service. Every metric the alerts and the dashboard query is among those Prometheus scraped,
 * so a renamed metric fails here.
 */
class PrometheusAlertsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MINUTES = Pattern.compile("\\b(\\d+)m\\b");
    /** The forgotten host's threshold is days times the seconds of a day: read as seconds, 3 days are 3 s. */
    private static final Pattern DAYS = Pattern.compile("\\* 86400\\b");
    private static final String UNREACHABLE = "VcenterMaintenanceVropsUnreachable";
    private static final String TOO_LONG = "VcenterHostInMaintenanceTooLong";
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
        settings.put("dead-letter.uri", "http://127.0.0.1:" + TestSupport.freePort() + "/dead-letters");
        integration = IntegrationHarness.against(vrops, settings);

        directory = Files.createTempDirectory("prometheus");
        String rules = Files.readString(Promtool.RULES);
        assertThat(DAYS.matcher(rules).find()).as("the threshold of " + TOO_LONG + " in days of 86400 s").isTrue();
        Files.writeString(directory.resolve("rules.yaml"), DAYS.matcher(MINUTES.matcher(rules).replaceAll("$1s")).replaceAll("* 1"));
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
        int port = TestSupport.freePort();
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
        }, Duration.ofSeconds(60));
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
        await("the integration scraped", () -> query("up{job=\"vcenter-maintenance\"} == 1").size() == 1, Duration.ofSeconds(30));
        assertThat(firing()).doesNotContain(UNREACHABLE);

        cable.unplug();
        await(UNREACHABLE + " firing", () -> firing().contains(UNREACHABLE), Duration.ofSeconds(90));

        cable.plugIn();
        await(UNREACHABLE + " resolved", () -> !firing().contains(UNREACHABLE) && !pending().contains(UNREACHABLE), Duration.ofSeconds(90));

        // each metric the alerts and the dashboard read was scraped (label names aside, which the series carry)
        Set<String> metrics = values("api/v1/label/__name__/values");
        Set<String> labels = values("api/v1/labels");
        List<String> used = Promtool.names(Promtool.expressions());
        assertThat(used).hasSizeGreaterThan(15);
        assertThat(used).contains("vcenter_maintenance_watch_up");
        assertThat(used.stream().filter(name -> !labels.contains(name)))
                .allSatisfy(name -> assertThat(metrics).as(name).contains(name));
    }

    @Test
    void aHostLeftInMaintenanceFiresTheForgottenHostAlertUntilVcenterHasItBackInService() throws Exception {
        Vcsim.Host forgotten = vcenter.hosts().get(2);
        await("the integration scraped", () -> query("up{job=\"vcenter-maintenance\"} == 1").size() == 1, Duration.ofSeconds(30));
        assertThat(firing()).doesNotContain(TOO_LONG);

        // no event: a pass (every 2 s) sees it enter maintenance
        vcenter.enterMaintenanceMode(forgotten);
        await(TOO_LONG + " firing for " + forgotten.name(), () -> firingFor(TOO_LONG).contains(forgotten.name()), Duration.ofSeconds(60));
        JsonNode since = query("vcenter_maintenance_host_maintenance_since_seconds");
        assertThat(since).hasSize(1);
        assertThat(since.at("/0/metric/vcenter").asText()).isEqualTo("lab");
        assertThat(since.at("/0/metric/host").asText()).isEqualTo(forgotten.name());
        assertThat(firingFor(TOO_LONG)).containsExactly(forgotten.name());

        vcenter.exitMaintenanceMode(forgotten);
        await(TOO_LONG + " resolved", () -> !firing().contains(TOO_LONG), Duration.ofSeconds(60));
        assertThat(query("vcenter_maintenance_host_maintenance_since_seconds")).isEmpty();
    }

    private Set<String> firing() {
        return alerts(alert -> alert.path("state").asText().equals("firing"));
    }

    private Set<String> pending() {
        return alerts(alert -> alert.path("state").asText().equals("pending"));
    }

    /** The hosts this alert fires for. */
    private Set<String> firingFor(String alertname) {
        Set<String> hosts = new HashSet<>();
        for (JsonNode alert : json("api/v1/alerts").at("/data/alerts")) {
            if (alert.path("state").asText().equals("firing") && alert.at("/labels/alertname").asText().equals(alertname)) {
                hosts.add(alert.at("/labels/host").asText());
            }
        }
        return hosts;
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
        return json("api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).at("/data/result");
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
            throw new UncheckedIOException(e);
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

    /** Waits for {@code condition}; failing, shows the end of Prometheus's log, which tells a rule it could not load. */
    private void await(String what, BooleanSupplier condition, Duration patience) throws IOException {
        if (!TestSupport.poll(patience, condition::getAsBoolean, Boolean::booleanValue)) {
            throw new AssertionError("no " + what + " within " + patience + "; Prometheus log:\n" + tail(directory.resolve("prometheus.log")));
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
