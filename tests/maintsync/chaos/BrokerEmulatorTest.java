package maintsync.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import maintsync.VcenterEvent;
import maintsync.chaos.BrokerEmulator.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Broker emulator keeps the Knative delivery contract, without an integration behind it. */
class BrokerEmulatorTest {

    private static final Answer NO_CONTENT = new Answer(204, "");
    private static final int RETRY = 3;

    /** Events of one type, so of one Trigger, that tell their index by their id. */
    private static List<VcenterEvent> entered(int count) {
        return IntStream.range(0, count).mapToObj(index -> VcenterEvent.entered("esx01.lab.local", "host-21").key(index)).toList();
    }

    private static int indexOf(VcenterEvent event) {
        return Integer.parseInt(event.id());
    }

    private static BrokerEmulator.Settings settings(int workers, int inFlight, int window, double duplicateRate, Duration deadline) {
        return new BrokerEmulator.Settings(workers, inFlight, window, duplicateRate, Duration.ofMillis(50), RETRY, Duration.ofMillis(20),
                Duration.ofMillis(40), deadline, 7);
    }

    private static BrokerEmulator.Settings settings(int workers, double duplicateRate) {
        return settings(workers, 16, 8, duplicateRate, Duration.ofSeconds(30));
    }

    @Test
    void everyEventIsDeliveredAndSomeTwice() throws Exception {
        Map<Integer, AtomicInteger> received = new ConcurrentHashMap<>();

        BrokerEmulator.Report report = new BrokerEmulator(settings(4, 0.2), event -> {
            received.computeIfAbsent(indexOf(event), index -> new AtomicInteger()).incrementAndGet();
            return NO_CONTENT;
        }).replay(entered(300));

        assertThat(received).hasSize(300);
        assertThat(received.values()).filteredOn(count -> count.get() == 2).hasSize(report.duplicates());
        assertThat(received.values()).allMatch(count -> count.get() <= 2);
        assertThat(report.duplicates()).isBetween(30, 90);
        assertThat(report.deliveries()).isEqualTo(report.answered()).isEqualTo(300 + report.duplicates());
        assertThat(report.statuses()).containsExactly(Map.entry(204, 300L + report.duplicates()));
        assertThat(report.retries()).isZero();
        assertThat(report.deadLetters()).isEmpty();
        assertThat(report.notRetried()).isEmpty();
        assertThat(report.unaccounted()).isEmpty();
    }

    @Test
    void eventsAreShuffledWithinTheirWindowOnly() throws Exception {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());

        // one worker delivers in release order
        new BrokerEmulator(settings(1, 0), event -> {
            order.add(indexOf(event));
            return NO_CONTENT;
        }).replay(entered(200));

        assertThat(order).hasSize(200).doesNotHaveDuplicates().isNotEqualTo(IntStream.range(0, 200).boxed().toList());
        for (int position = 0; position < order.size(); position++) {
            assertThat(order.get(position) / 8).as("window of the event at position %d", position).isEqualTo(position / 8);
        }
    }

    @Test
    void eachTriggerDeliversOnItsOwn() throws Exception {
        List<VcenterEvent> events = new ArrayList<>();
        for (int index = 0; index < 40; index++) {
            events.add((index % 2 == 0 ? VcenterEvent.entered("esx01.lab.local", "host-21") : VcenterEvent.exited("esx01.lab.local", "host-21")).key(index));
        }
        CountDownLatch exitsDelivered = new CountDownLatch(20);
        Queue<Boolean> entersHeldUntilTheExitsWereDelivered = new ConcurrentLinkedQueue<>();

        BrokerEmulator.Report report = new BrokerEmulator(settings(2, 40, 8, 0, Duration.ofSeconds(30)), event -> {
            if (event.headers().get("ce-type").equals(VcenterEvent.EXIT_TYPE)) {
                exitsDelivered.countDown();
            } else {
                try {
                    entersHeldUntilTheExitsWereDelivered.add(exitsDelivered.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return NO_CONTENT;
        }).replay(events);

        assertThat(report.unaccounted()).isEmpty();
        assertThat(entersHeldUntilTheExitsWereDelivered).hasSize(20).containsOnly(true);
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 404, 408, 409, 429, 500, 502, 503 })
    void aFailureThatMayPassIsRetriedWithBackoffThenDeadLettered(int status) throws Exception {
        Map<Integer, Queue<Long>> tries = new ConcurrentHashMap<>();

        BrokerEmulator.Report report = new BrokerEmulator(settings(4, 0), event -> {
            tries.computeIfAbsent(indexOf(event), index -> new ConcurrentLinkedQueue<>()).add(System.nanoTime());
            if (status == 0) {
                throw new UncheckedIOException(new ConnectException("Connection refused"));
            }
            return new Answer(status, "try later");
        }).replay(entered(10));

        assertThat(tries.values()).hasSize(10).allSatisfy(times -> {
            assertThat(times).hasSize(RETRY + 1);
            List<Long> at = List.copyOf(times);
            for (int retry = 1; retry < at.size(); retry++) {
                assertThat(Duration.ofNanos(at.get(retry) - at.get(retry - 1))).isGreaterThanOrEqualTo(Duration.ofMillis(retry == 1 ? 20 : 40));
            }
        });
        assertThat(report.retries()).isEqualTo(10 * RETRY);
        assertThat(report.deadLetters()).hasSize(10).allSatisfy(failure -> {
            assertThat(failure.tries()).isEqualTo(RETRY + 1);
            assertThat(failure.last().status()).isEqualTo(status);
            assertThat(failure.last().reason()).contains(status == 0 ? "Connection refused" : "try later");
        });
        assertThat(report.answered()).isEqualTo(status == 0 ? 0 : 10 * (RETRY + 1));
        assertThat(report.unaccounted()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = { 400, 401, 403, 415 })
    void anyOtherClientErrorIsDeadLetteredAtOnce(int status) throws Exception {
        BrokerEmulator.Report report = new BrokerEmulator(settings(4, 0), event -> new Answer(status, "never"))
                .replay(entered(10));

        assertThat(report.deliveries()).isEqualTo(10);
        assertThat(report.notRetried()).hasSize(10).allSatisfy(failure -> {
            assertThat(failure.tries()).isEqualTo(1);
            assertThat(failure.last()).isEqualTo(new Answer(status, "never"));
        });
        assertThat(report.deadLetters()).isEmpty();
        assertThat(report.unaccounted()).isEmpty();
    }

    @Test
    void aRetryThatSucceedsDelivers() throws Exception {
        Map<Integer, AtomicInteger> tries = new ConcurrentHashMap<>();

        BrokerEmulator.Report report = new BrokerEmulator(settings(4, 0), event ->
                tries.computeIfAbsent(indexOf(event), index -> new AtomicInteger()).incrementAndGet() == 1 ? new Answer(503, "busy") : NO_CONTENT)
                .replay(entered(50));

        assertThat(report.retries()).isEqualTo(50);
        assertThat(report.statuses()).containsExactly(Map.entry(204, 50L), Map.entry(503, 50L));
        assertThat(report.deadLetters()).isEmpty();
        assertThat(report.unaccounted()).isEmpty();
    }

    @Test
    void theMidRunActionRunsOnceWhenHalfTheDeliveriesEnded() throws Exception {
        AtomicInteger delivered = new AtomicInteger();
        List<Integer> deliveredAtMidRun = Collections.synchronizedList(new ArrayList<>());

        new BrokerEmulator(settings(1, 0), event -> {
            delivered.incrementAndGet();
            return NO_CONTENT;
        }).midRun(() -> deliveredAtMidRun.add(delivered.get())).replay(entered(100));

        assertThat(deliveredAtMidRun).containsExactly(50);
    }

    @Test
    void theDeadlineEndsTheReplayAndNamesWhatDidNotEnd() throws Exception {
        CountDownLatch never = new CountDownLatch(1);

        long started = System.nanoTime();
        BrokerEmulator.Report report = new BrokerEmulator(settings(2, 4, 8, 0, Duration.ofMillis(300)), event -> {
            try {
                never.await(30, TimeUnit.SECONDS);
                return NO_CONTENT;
            } catch (InterruptedException e) {
                throw new UncheckedIOException(new InterruptedIOException("the Broker stopped"));
            }
        }).replay(entered(20));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(report.unaccounted()).containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
    }
}
