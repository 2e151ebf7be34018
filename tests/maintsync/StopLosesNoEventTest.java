package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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

    private static final Duration LATENCY = Duration.ofMillis(300);
    private static final int SENDERS = 4;
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void eventsArrivingWhileTheIntegrationStopsAreAppliedOrAnswered503AndReadinessIsDownFirst() throws Exception {
        try (VropsSimulator vrops = VropsSimulator.builder().inventory(EventsDuringAStop.INVENTORY).start();
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

            EventsDuringAStop events = EventsDuringAStop.start(integration.eventsUri(), SENDERS, () -> consumersStopped(context), PATIENCE);
            Set<String> inFlightAtStop = awaitEventsInFlight(context, events);
            Thread stop = new Thread(integration::close, "stop");
            stop.start();
            events.await();
            stop.join(PATIENCE.toMillis());

            assertThat(consumersRanThen.get()).as("the consumers ran as the last stopping hook was called").isTrue();
            assertThat(readinessAsConsumersStop.get().statusCode()).as("readiness as the consumers stop").isEqualTo(503);
            assertThat(readinessAsConsumersStop.get().body()).contains("the integration is stopping");
            events.assertNoneLost(vrops);
            assertThat(events.answers()).as("events answered 503 during the stop").anyMatch(answer -> answer.status() == 503);
            assertThat(events.answers()).filteredOn(answer -> answer.status() == 204).extracting(EventsDuringAStop.Answer::eventId)
                    .containsAll(inFlightAtStop);
            Counter counted = metrics.find("vcenter.maintenance.requests.refused").tag("reason", "stopping").counter();
            assertThat(counted).isNotNull();
            assertThat(counted.count()).isEqualTo(events.answers().stream().filter(answer -> answer.status() == 503).count());
            VropsOpenApi.load().assertRequestsValid(vrops.requests());
        }
    }

    /**
     * Waits until some events were applied and some are in flight, and returns the ids of these: the stop that begins
     * next must let them finish.
     */
    private static Set<String> awaitEventsInFlight(CamelContext context, EventsDuringAStop events) {
        Set<String> inFlight = TestSupport.poll(PATIENCE, () -> events.applied() >= SENDERS ? eventsInFlight(context) : Set.<String>of(),
                ids -> !ids.isEmpty());
        if (inFlight.isEmpty()) {
            throw new AssertionError("no event was in flight within " + PATIENCE + "; " + events.answers().size() + " answers so far");
        }
        return inFlight;
    }

    /** The CloudEvent ids of the exchanges in flight. */
    private static Set<String> eventsInFlight(CamelContext context) {
        return context.getInflightRepository().browse().stream()
                .map(InflightRepository.InflightExchange::getExchange)
                .map(exchange -> exchange.getMessage().getHeader(CloudEvent.CAMEL_CLOUD_EVENT_ID, String.class))
                .filter(id -> id != null)
                .collect(Collectors.toSet());
    }

    private static boolean consumersStopped(CamelContext context) {
        ServiceStatus consumer = context.getRouteController().getRouteStatus("vsphere-entered-maintenance");
        return consumer == null || !consumer.isStarted();
    }
}
