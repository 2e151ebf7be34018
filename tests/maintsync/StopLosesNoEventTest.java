package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import maintsync.vrops.Inventory;
import maintsync.vrops.VropsOpenApi;
import maintsync.vrops.VropsSimulator;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.cloudevents.CloudEvent;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.apache.camel.spi.InflightRepository;
import org.apache.camel.support.LifecycleStrategySupport;
import org.junit.jupiter.api.Test;

/**
 * A stop (a rolling update, a node drain) loses no event: while events keep arriving from several Broker threads, the
 * integration stops; readiness is down before its consumers stop, the events in flight are applied and answered
 * 204, every other event is answered 503, which the Broker retries, until the server closes and connections are
 * refused, which the Broker retries too. None is answered 4xx, which a Broker drops. vROps answers slowly here, so
 * that events are in flight when the stop begins and the stop takes a while.
 */
class StopLosesNoEventTest {

    private static final Inventory INVENTORY = Inventory.generated(1, 3000);
    private static final String VCENTER = "vcsa-1.gen.local";
    private static final Duration LATENCY = Duration.ofMillis(300);
    private static final int SENDERS = 4;
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String STOPPING = "the integration is stopping: retry";

    /**
     * What one event got: an HTTP answer, or none (status 0) because the connection failed, and then whether the
     * consumers had stopped already, after which the server closes.
     */
    private record Answer(String moref, String eventId, int status, String body, boolean consumersStopped) {
        boolean http() {
            return status > 0;
        }
    }

    @Test
    void eventsArrivingWhileTheIntegrationStopsAreAppliedOrAnswered503AndReadinessIsDownFirst() throws Exception {
        try (VropsSimulator vrops = VropsSimulator.builder().inventory(INVENTORY).start();
             // the test reads which events are in flight
             IntegrationHarness integration = IntegrationHarness.against(vrops, Map.of("camel.main.inflightRepositoryBrowseEnabled", "true"))) {
            assertThat(integration.awaitReady(PATIENCE).statusCode()).isEqualTo(200);
            CamelContext context = integration.context();
            MeterRegistry metrics = context.getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry();
            AtomicReference<HttpResponse<String>> readinessAsConsumersStop = new AtomicReference<>();
            AtomicReference<Boolean> consumersRanThen = new AtomicReference<>();
            // added last, so run last of the stopping hooks: right after it the consumers stop
            context.addLifecycleStrategy(new LifecycleStrategySupport() {
                @Override
                public void onContextStopping(CamelContext stopping) {
                    consumersRanThen.set(!consumersStopped(stopping));
                    readinessAsConsumersStop.set(integration.send(
                            HttpRequest.newBuilder(integration.managementUri().resolve("observe/health/ready")).GET().build()));
                }
            });
            vrops.faults().latency(LATENCY);

            List<Answer> answers = new CopyOnWriteArrayList<>();
            AtomicInteger hosts = new AtomicInteger();
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                Thread sender = new Thread(() -> sendUntilNoAnswer(integration, context, hosts, answers, deadline), "broker-" + i);
                sender.start();
                senders.add(sender);
            }

            Set<String> inFlightAtStop = awaitEventsInFlight(context, answers, deadline);
            Thread stop = new Thread(integration::close, "stop");
            stop.start();
            for (Thread sender : senders) {
                sender.join(PATIENCE.toMillis());
            }
            stop.join(PATIENCE.toMillis());

            assertThat(consumersRanThen.get()).as("the consumers ran as the last stopping hook was called").isTrue();
            assertThat(readinessAsConsumersStop.get().statusCode()).as("readiness as the consumers stop").isEqualTo(503);
            assertThat(readinessAsConsumersStop.get().body()).contains("the integration is stopping");

            assertThat(answers).filteredOn(Answer::http).allSatisfy(answer ->
                    assertThat(answer.status()).as("answer to event %s: %s", answer.eventId(), answer.body()).isIn(204, 503));
            List<Answer> applied = answers.stream().filter(answer -> answer.status() == 204).toList();
            String uuid = INVENTORY.vcenter(VCENTER).instanceUuid();
            assertThat(applied).allSatisfy(answer ->
                    assertThat(vrops.resourceState(vrops.resourceId(uuid, answer.moref()))).as("host %s", answer.moref())
                            .isEqualTo("MAINTAINED_MANUAL"));
            assertThat(applied).extracting(Answer::eventId).containsAll(inFlightAtStop);
            List<Answer> refused = answers.stream().filter(answer -> answer.status() == 503).toList();
            assertThat(refused).isNotEmpty().allSatisfy(answer -> assertThat(answer.body()).isEqualTo(STOPPING));
            Counter counted = metrics.find("vcenter.maintenance.requests.refused").tag("reason", "stopping").counter();
            assertThat(counted).isNotNull();
            assertThat(counted.count()).isEqualTo(refused.size());
            // every sender went on until it got no answer (a refused connection, or one the closing server cut), and
            // that only once the consumers had stopped: while they ran, every event was answered
            assertThat(answers).filteredOn(answer -> !answer.http()).hasSize(SENDERS).allSatisfy(answer ->
                    assertThat(answer.consumersStopped()).as("event %s got no answer while the consumers ran: %s", answer.eventId(), answer.body()).isTrue());
            VropsOpenApi.load().assertRequestsValid(vrops.requests());
        }
    }

    /** Sends Enter events, one host each, until one gets no answer (the server has closed, or a failure). */
    private static void sendUntilNoAnswer(IntegrationHarness integration, CamelContext context, AtomicInteger hosts, List<Answer> answers,
                                          long deadline) {
        // HTTP/1.1, as the Brokers deliver
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline && hosts.get() < INVENTORY.hosts().size()) {
            int host = hosts.incrementAndGet();
            String moref = "host-" + host;
            VcenterEvent event = VcenterEvent.entered(String.format("esx-1-%03d.gen.local", host), moref)
                    .source("https://" + VCENTER + "/sdk");
            try {
                HttpResponse<String> answer = IntegrationHarness.send(client, IntegrationHarness.request(integration.eventsUri(), event));
                answers.add(new Answer(moref, event.id(), answer.statusCode(), answer.body(), false));
            } catch (UncheckedIOException noAnswer) {
                answers.add(new Answer(moref, event.id(), 0, noAnswer.getCause().toString(), consumersStopped(context)));
                return;
            }
        }
    }

    /**
     * Waits until some events were applied and some are in flight, and returns the ids of these: the stop that begins
     * next must let them finish.
     */
    private static Set<String> awaitEventsInFlight(CamelContext context, List<Answer> answers, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            Set<String> inFlight = context.getInflightRepository().browse().stream()
                    .map(InflightRepository.InflightExchange::getExchange)
                    .map(exchange -> exchange.getMessage().getHeader(CloudEvent.CAMEL_CLOUD_EVENT_ID, String.class))
                    .filter(id -> id != null)
                    .collect(Collectors.toCollection(ConcurrentHashMap::newKeySet));
            if (answers.stream().filter(answer -> answer.status() == 204).count() >= SENDERS && !inFlight.isEmpty()) {
                return inFlight;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no event was in flight within " + PATIENCE + "; " + answers.size() + " answers so far");
    }

    private static boolean consumersStopped(CamelContext context) {
        ServiceStatus consumer = context.getRouteController().getRouteStatus("vsphere-entered-maintenance");
        return consumer == null || !consumer.isStarted();
    }
}
