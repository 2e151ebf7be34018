package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import maintsync.vrops.Inventory;
import maintsync.vrops.VropsSimulator;

/**
 * Events that keep arriving while the integration stops, as from a Broker's delivery threads: each sender delivers
 * Enter events, each for the next host of {@link #INVENTORY} (from the first again after the last), over HTTP/1.1 as
 * the Brokers do, until one gets no answer (the server has closed). {@link #assertNoneLost} then checks what a Broker
 * needs of a stop. Only Enters are sent, so a host one of them was answered 204 for stays maintained.
 */
public final class EventsDuringAStop {

    /** The vCenter of the hosts; the integration has none configured for it, so it trusts their events. */
    public static final String VCENTER = "vcsa-1.gen.local";
    /** Its hosts, for the vROps simulator: fewer than a page of vROps's listing. */
    public static final Inventory INVENTORY = Inventory.generated(1, 500);
    public static final String STOPPING = "the integration is stopping: retry";

    /**
     * What one event got: an HTTP answer, or none (status 0) because the connection failed, and then whether the
     * consumers may have stopped already, after which the server closes.
     */
    public record Answer(String moref, String eventId, int status, String body, boolean consumersMayHaveStopped) {
        public boolean http() {
            return status > 0;
        }
    }

    private final List<Answer> answers = new CopyOnWriteArrayList<>();
    private final AtomicInteger hosts = new AtomicInteger();
    private final List<Thread> senders = new ArrayList<>();
    private final Duration patience;

    private EventsDuringAStop(Duration patience) {
        this.patience = patience;
    }

    /**
     * Starts {@code count} senders to {@code events}; each gives up after {@code patience}. {@code consumersMayHaveStopped}
     * is asked when an event gets no answer.
     */
    public static EventsDuringAStop start(URI events, int count, BooleanSupplier consumersMayHaveStopped, Duration patience) {
        EventsDuringAStop stream = new EventsDuringAStop(patience);
        long deadline = System.nanoTime() + patience.toNanos();
        for (int i = 0; i < count; i++) {
            Thread sender = new Thread(() -> stream.send(events, consumersMayHaveStopped, deadline), "broker-" + i);
            sender.start();
            stream.senders.add(sender);
        }
        return stream;
    }

    /** The answers so far. */
    public List<Answer> answers() {
        return List.copyOf(answers);
    }

    public long applied() {
        return answers.stream().filter(answer -> answer.status() == 204).count();
    }

    /** Waits for every sender to end. */
    public List<Answer> await() throws InterruptedException {
        for (Thread sender : senders) {
            sender.join(patience.toMillis());
        }
        return answers();
    }

    /**
     * No event answered 4xx; each answered 204 applied in vROps; every other answer 503 for the stop; and every sender
     * went on until it got no answer (a refused connection, or one the closing server cut), and that only once the
     * consumers may have stopped (as the supplier given to {@link #start} says): while they surely ran, every event
     * was answered.
     */
    public void assertNoneLost(VropsSimulator vrops) throws InterruptedException {
        assertNoneLost(vrops, STOPPING::equals);
    }

    /** As {@link #assertNoneLost(VropsSimulator)}, with the bodies a 503 for the stop may have. */
    public void assertNoneLost(VropsSimulator vrops, java.util.function.Predicate<String> stopping) throws InterruptedException {
        List<Answer> all = await();
        String uuid = INVENTORY.vcenter(VCENTER).instanceUuid();
        assertThat(all).filteredOn(Answer::http).allSatisfy(answer ->
                assertThat(answer.status()).as("answer to event %s: %s", answer.eventId(), answer.body()).isIn(204, 503));
        assertThat(all).filteredOn(answer -> answer.status() == 204).allSatisfy(answer ->
                assertThat(vrops.resourceState(vrops.resourceId(uuid, answer.moref()))).as("host %s", answer.moref())
                        .isEqualTo("MAINTAINED_MANUAL"));
        assertThat(all).filteredOn(answer -> answer.status() == 503).allSatisfy(answer -> assertThat(answer.body()).matches(stopping));
        assertThat(all).filteredOn(answer -> !answer.http()).hasSize(senders.size()).allSatisfy(answer ->
                assertThat(answer.consumersMayHaveStopped()).as("event %s got no answer while the consumers ran: %s",
                        answer.eventId(), answer.body()).isTrue());
    }

    private void send(URI events, BooleanSupplier consumersMayHaveStopped, long deadline) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            int host = hosts.getAndIncrement() % INVENTORY.hosts().size() + 1;
            String moref = "host-" + host;
            VcenterEvent event = VcenterEvent.entered(String.format("esx-1-%03d.gen.local", host), moref).source("https://" + VCENTER + "/sdk");
            try {
                HttpResponse<String> answer = IntegrationHarness.send(client, IntegrationHarness.request(events, event));
                answers.add(new Answer(moref, event.id(), answer.statusCode(), answer.body(), false));
            } catch (UncheckedIOException noAnswer) {
                answers.add(new Answer(moref, event.id(), 0, noAnswer.getCause().toString(), consumersMayHaveStopped.getAsBoolean()));
                return;
            }
        }
    }
}
