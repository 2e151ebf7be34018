package maintsync.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import maintsync.IntegrationHarness;
import maintsync.LogCapture;
import maintsync.vrops.Inventory;
import maintsync.vrops.Operation;
import maintsync.vrops.RecordedRequest;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;

/**
 * vCenter and vROps agree on every host after a long history replayed through a misbehaving Broker (parallel,
 * reordering, duplicating, retrying, dead-lettering) into the real integration, against a vROps that fails 5 % of the
 * maintained calls with 503, drops 1 % of all connections, forgets every token once mid-run and answers slowly. Every
 * event ends delivered or dead-lettered with a reason, the integration counts every answer it gave, and no log line,
 * with every logger at TRACE, holds the password or a token.
 * <p>
 * Size and seed from system properties: {@code chaos.events} (default 1000), {@code chaos.hosts} (default 50, even:
 * half on each of two vCenters) and {@code chaos.seed}. The integration does not retry a failed vROps call itself
 * (shipped: twice): every failure goes back to the Broker, whose retries arrive after later events of the same host,
 * the reordering the integration must survive.
 */
class ChaosReplayTest {

    private static final int EVENTS = Integer.getInteger("chaos.events", 1_000);
    private static final int HOSTS = Integer.getInteger("chaos.hosts", 50);
    private static final long SEED = Long.getLong("chaos.seed", 20_261_125L);
    /** The password of the simulator's administrator, whom {@link IntegrationHarness#against} configures. */
    private static final String PASSWORD = "sim-admin-password";
    private static final Pattern OUTCOME_COUNTER = Pattern.compile("^vcenter_maintenance_events_total\\{.*outcome=\"([^\"]*)\".*\\} (\\S+)$");

    @Test
    void vcenterAndVropsAgreeOnEveryHostDespiteTheBrokerAndVrops() throws Exception {
        assertThat(HOSTS).as("chaos.hosts: an even number, half on each vCenter").isPositive().isEven();
        Inventory inventory = Inventory.generated(2, HOSTS / 2);
        History history = History.generate(inventory, EVENTS, SEED);

        try (VropsSimulator vrops = VropsSimulator.builder().inventory(inventory).start()) {
            SecretWatch secrets = new SecretWatch(PASSWORD, vrops);
            BrokerEmulator.Report report;
            Map<String, Long> outcomes;
            long started = System.nanoTime();
            try (LogCapture capture = LogCapture.everythingAtTrace(secrets);
                    IntegrationHarness integration = IntegrationHarness.against(vrops, Map.of(
                            "vrops.vcenter-uuids", vcenterUuids(inventory),
                            "vrops.retries", "0"))) {
                // drops first: the first rule that fires decides
                vrops.faults()
                        .latency(Duration.ofMillis(3))
                        .dropRate(null, 0.01, SEED + 1)
                        .failRate(Operation.MARK_MAINTAINED, 0.05, 503, SEED + 2)
                        .failRate(Operation.UNMARK_MAINTAINED, 0.05, 503, SEED + 3);
                BrokerEmulator broker = new BrokerEmulator(brokerSettings(), event -> {
                    var response = integration.send(event);
                    return new BrokerEmulator.Answer(response.statusCode(), response.body());
                }).midRun(vrops::expireAllTokens);

                report = broker.replay(history.cloudEvents());
                outcomes = outcomes(integration.send(HttpRequest.newBuilder(integration.managementUri().resolve("observe/metrics")).GET().build()).body());
            }
            long wallSeconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();

            List<String> wrongStates = wrongFinalStates(inventory, history, vrops);
            List<RecordedRequest> requests = vrops.requests();
            long faulted = requests.stream().filter(request -> request.status() == 503 || request.dropped()).count();
            long tokens = requests.stream().filter(request -> request.operation() == Operation.ACQUIRE_TOKEN && request.status() == 200).count();

            System.out.printf("chaos replay: %d events, %d hosts, wrong final states: %d, unaccounted: %d, retries: %d, duplicates: %d,"
                    + " dead letters: %d, not retried: %d, deliveries: %d, integration outcomes: %s, vROps faults: %d of %d calls,"
                    + " tokens: %d, log lines checked: %d, wall: %d s%n",
                    EVENTS, HOSTS, wrongStates.size(), report.unaccounted().size(), report.retries(), report.duplicates(),
                    report.deadLetters().size(), report.notRetried().size(), report.deliveries(), outcomes, faulted, requests.size(),
                    tokens, secrets.lines(), wallSeconds);

            assertThat(wrongStates).as("hosts on which vROps disagrees with vCenter").isEmpty();
            assertThat(report.unaccounted()).as("events neither delivered nor dead-lettered").isEmpty();
            assertThat(report.deadLetters()).as("dead letters").allSatisfy(failure -> assertThat(failure.last().reason()).isNotBlank());
            assertThat(report.notRetried()).as("deliveries refused for good").allSatisfy(failure -> assertThat(failure.last().reason()).isNotBlank());
            // the integration counts each answer once, by outcome, before giving it
            assertThat(outcomes.values().stream().mapToLong(Long::longValue).sum())
                    .as("events counted by the integration, by outcome %s", outcomes).isEqualTo(report.answered());
            assertThat(tokens).as("tokens issued: one, and one after they all expired mid-run").isGreaterThanOrEqualTo(2);
            assertThat(secrets.lines()).as("log lines captured").isGreaterThan(EVENTS);
            assertThat(secrets.leaks()).as("log lines holding the password or a token").isEmpty();
        }
    }

    /** The hosts whose vROps state is not the one their last vCenter event left them in. */
    private static List<String> wrongFinalStates(Inventory inventory, History history, VropsSimulator vrops) {
        List<String> wrong = new ArrayList<>();
        for (Inventory.Host host : inventory.hosts()) {
            String expected = history.maintainedAtEnd(host) ? "MAINTAINED_MANUAL" : "STARTED";
            String actual = vrops.resourceState(vrops.resourceId(inventory.vcenter(host.vcenter()).instanceUuid(), host.moref()));
            if (!actual.equals(expected)) {
                wrong.add(host.name() + ": vCenter " + expected + ", vROps " + actual);
            }
        }
        return wrong;
    }

    /**
     * Four Triggers (Enter and Exit, in two formats) of four workers each: 16 deliveries in parallel. Five retries from
     * 50 ms, doubling up to 2 s, then the dead letter. 5 % of the events twice, the second time up to 2 s later.
     */
    private static BrokerEmulator.Settings brokerSettings() {
        return new BrokerEmulator.Settings(4, 32, 16, 0.05, Duration.ofSeconds(2), 5, Duration.ofMillis(50), Duration.ofSeconds(2),
                Duration.ofSeconds(60).plusMillis(EVENTS * 20L), SEED);
    }

    /** Lookups by identifiers: the generated vCenters reuse each other's morefs. */
    private static String vcenterUuids(Inventory inventory) {
        return inventory.vcenters().stream().map(vcenter -> vcenter.name() + "=" + vcenter.instanceUuid()).collect(Collectors.joining(","));
    }

    /** The integration's count of answered events, by outcome, from its Prometheus text. */
    private static Map<String, Long> outcomes(String metrics) {
        Map<String, Long> outcomes = new TreeMap<>();
        for (String line : metrics.lines().toList()) {
            Matcher counter = OUTCOME_COUNTER.matcher(line);
            if (counter.matches()) {
                outcomes.merge(counter.group(1), (long) Double.parseDouble(counter.group(2)), Long::sum);
            }
        }
        return outcomes;
    }
}
