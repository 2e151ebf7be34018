package maintsync.chaos;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import maintsync.VcenterEvent;

/**
 * A Knative Broker as the integration meets it (see {@code knative-delivery.md}), on loopback and bounded in time:
 * <ul>
 * <li>each Trigger (here: each CloudEvent type and subject, so Enter and Exit never share one) has its own queue and
 * its own workers delivering in parallel, so the Triggers run ahead of each other;</li>
 * <li>events are released in the order the source sent them, shuffled within small windows, and only while a
 * Trigger has fewer than {@link Settings#inFlightPerTrigger} events unfinished, so the order stays roughly vCenter's;</li>
 * <li>a share of the events is delivered a second time, a while later, as after a dispatcher restart;</li>
 * <li>404, 408, 409, 429, 5xx and transport errors are retried with exponential backoff, and after
 * {@link Settings#retry} retries the event goes to the dead-letter sink with the last answer; other non-2xx answers
 * go there at once, without a retry.</li>
 * </ul>
 * One emulator replays one list of events.
 */
public final class BrokerEmulator {

    /**
     * How the Broker delivers.
     *
     * @param workersPerTrigger   parallel deliveries of one Trigger
     * @param inFlightPerTrigger  events of one Trigger released and not finished, at most (duplicates not counted)
     * @param shuffleWindow       events shuffled among themselves before release
     * @param duplicateRate       share of the events delivered twice
     * @param duplicateDelay      the second delivery starts up to this long after the first
     * @param retry               retries before dead-lettering, as in a DeliverySpec
     * @param backoffDelay        delay before the first retry, doubled for each further one, as in a DeliverySpec
     * @param backoffMax          longest delay between two tries
     * @param deadline            the whole replay ends by then, finished or not
     * @param seed                for the shuffle and the choice and timing of duplicates
     */
    public record Settings(int workersPerTrigger, int inFlightPerTrigger, int shuffleWindow, double duplicateRate,
            Duration duplicateDelay, int retry, Duration backoffDelay, Duration backoffMax, Duration deadline, long seed) {
    }

    /** The subscriber's answer: an HTTP status and its body, or status 0 when there was none (a transport error). */
    public record Answer(int status, String reason) {
    }

    /** Sends one event to the subscriber; throws {@link UncheckedIOException} when it gets no answer. */
    @FunctionalInterface
    public interface Subscriber {
        Answer deliver(VcenterEvent event);
    }

    /** How a delivery that did not succeed ended: the event (its index in the replayed list), tries and last answer. */
    public record Failure(int event, int tries, Answer last) {
    }

    /**
     * What happened to the replayed events.
     *
     * @param deliveries      requests sent, retries included
     * @param answered        requests that got an HTTP answer
     * @param retries         requests that repeated an earlier one of the same delivery
     * @param duplicates      events delivered a second time
     * @param statuses        number of answers by HTTP status
     * @param deadLetters     deliveries dead-lettered after the last retry
     * @param notRetried      deliveries dead-lettered at once, for an answer that is not retried
     * @param unaccounted     indexes of events with a delivery that did not end before the deadline
     */
    public record Report(long deliveries, long answered, long retries, int duplicates, Map<Integer, Long> statuses,
            List<Failure> deadLetters, List<Failure> notRetried, List<Integer> unaccounted) {
    }

    private final Settings settings;
    private final Subscriber subscriber;
    /** By Trigger filter; touched by the releasing thread only. */
    private final Map<String, Trigger> triggers = new LinkedHashMap<>();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("broker-timer"), new ThreadPoolExecutor.DiscardPolicy());
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final Queue<Failure> deadLetters = new ConcurrentLinkedQueue<>();
    private final Queue<Failure> notRetried = new ConcurrentLinkedQueue<>();
    private final AtomicInteger ended = new AtomicInteger();
    private Runnable midRun = () -> { };
    private int deliveryCount;
    private CountDownLatch allEnded;
    private AtomicIntegerArray endedPerEvent;

    public BrokerEmulator(Settings settings, Subscriber subscriber) {
        this.settings = settings;
        this.subscriber = subscriber;
    }

    /** Runs {@code action} once, when half of the deliveries have ended: the moment to inject a fault mid-run. */
    public BrokerEmulator midRun(Runnable action) {
        this.midRun = action;
        return this;
    }

    /** Delivers the events, given in the order the source sent them, and returns once all ended or the deadline passed. */
    public Report replay(List<VcenterEvent> events) throws InterruptedException {
        if (allEnded != null) {
            throw new IllegalStateException("An emulator replays one list of events");
        }
        long deadline = System.nanoTime() + settings.deadline().toNanos();
        Random random = new Random(settings.seed());
        List<Integer> releaseOrder = releaseOrder(events.size(), random);
        long[] duplicateAfterMillis = new long[events.size()];
        int duplicates = 0;
        for (int event = 0; event < events.size(); event++) {
            duplicateAfterMillis[event] = -1;
            if (random.nextDouble() < settings.duplicateRate()) {
                duplicateAfterMillis[event] = random.nextLong(settings.duplicateDelay().toMillis() + 1);
                duplicates++;
            }
        }
        deliveryCount = events.size() + duplicates;
        allEnded = new CountDownLatch(deliveryCount);
        endedPerEvent = new AtomicIntegerArray(events.size());

        try {
            for (int event : releaseOrder) {
                Trigger trigger = triggers.computeIfAbsent(triggerOf(events.get(event)), name -> new Trigger(triggers.size()));
                if (!trigger.inFlight.tryAcquire(remainingNanos(deadline), TimeUnit.NANOSECONDS)) {
                    break;
                }
                Delivery delivery = new Delivery(event, events.get(event), trigger, true);
                trigger.workers.execute(() -> attempt(delivery));
                if (duplicateAfterMillis[event] >= 0) {
                    Delivery again = new Delivery(event, events.get(event), trigger, false);
                    timer.schedule(() -> trigger.workers.execute(() -> attempt(again)), duplicateAfterMillis[event], TimeUnit.MILLISECONDS);
                }
            }
            allEnded.await(remainingNanos(deadline), TimeUnit.NANOSECONDS);
        } finally {
            stop();
        }

        List<Integer> unaccounted = new ArrayList<>();
        for (int event = 0; event < events.size(); event++) {
            if (endedPerEvent.get(event) < (duplicateAfterMillis[event] >= 0 ? 2 : 1)) {
                unaccounted.add(event);
            }
        }
        Map<Integer, Long> answers = new TreeMap<>();
        statuses.forEach((status, count) -> answers.put(status, count.get()));
        return new Report(deliveries.get(), answered.get(), retries.get(), duplicates, answers, List.copyOf(deadLetters),
                List.copyOf(notRetried), unaccounted);
    }

    /** One try of a delivery; on a retryable failure the next one is scheduled after the backoff. */
    private void attempt(Delivery delivery) {
        if (++delivery.tries > 1) {
            retries.incrementAndGet();
        }
        deliveries.incrementAndGet();
        Answer answer;
        try {
            answer = subscriber.deliver(delivery.event);
            answered.incrementAndGet();
            statuses.computeIfAbsent(answer.status(), status -> new AtomicLong()).incrementAndGet();
        } catch (UncheckedIOException noAnswer) {
            answer = new Answer(0, "no answer: " + noAnswer.getCause());
        }
        if (answer.status() >= 200 && answer.status() < 300) {
            end(delivery, null, answer);
        } else if (!retryable(answer.status())) {
            end(delivery, notRetried, answer);
        } else if (delivery.tries > settings.retry()) {
            end(delivery, deadLetters, answer);
        } else {
            timer.schedule(() -> delivery.trigger.workers.execute(() -> attempt(delivery)), backoffMillis(delivery.tries), TimeUnit.MILLISECONDS);
        }
    }

    private void end(Delivery delivery, Queue<Failure> failures, Answer last) {
        if (failures != null) {
            failures.add(new Failure(delivery.index, delivery.tries, last));
        }
        if (delivery.holdsInFlight) {
            delivery.trigger.inFlight.release();
        }
        endedPerEvent.incrementAndGet(delivery.index);
        if (ended.incrementAndGet() == Math.max(1, deliveryCount / 2)) {
            midRun.run();
        }
        allEnded.countDown();
    }

    /** Knative retries what may succeed later: no answer, 404, 408, 409, 429 and 5xx. */
    static boolean retryable(int status) {
        return status == 0 || status == 404 || status == 408 || status == 409 || status == 429 || status >= 500;
    }

    private long backoffMillis(int tries) {
        long delay = settings.backoffDelay().toMillis() << Math.min(tries - 1, 30);
        return Math.min(delay, settings.backoffMax().toMillis());
    }

    /** The source's order, each window of {@link Settings#shuffleWindow} events shuffled. */
    private List<Integer> releaseOrder(int events, Random random) {
        List<Integer> order = new ArrayList<>(events);
        for (int start = 0; start < events; start += settings.shuffleWindow()) {
            List<Integer> window = new ArrayList<>();
            for (int event = start; event < Math.min(events, start + settings.shuffleWindow()); event++) {
                window.add(event);
            }
            Collections.shuffle(window, random);
            order.addAll(window);
        }
        return order;
    }

    /** Knative Triggers filter on attributes: Camel K makes one per type, the Event Router ones add the subject. */
    private static String triggerOf(VcenterEvent event) {
        return event.headers().get("ce-type") + "|" + event.headers().getOrDefault("ce-subject", "");
    }

    private void stop() throws InterruptedException {
        timer.shutdownNow();
        triggers.values().forEach(trigger -> trigger.workers.shutdownNow());
        timer.awaitTermination(10, TimeUnit.SECONDS);
        for (Trigger trigger : triggers.values()) {
            trigger.workers.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static long remainingNanos(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger number = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** A Trigger's dispatcher: its workers, and the permits that keep it from running far ahead of the source. */
    private final class Trigger {
        final ExecutorService workers;
        final Semaphore inFlight = new Semaphore(settings.inFlightPerTrigger());

        Trigger(int number) {
            workers = new ThreadPoolExecutor(settings.workersPerTrigger(), settings.workersPerTrigger(), 0, TimeUnit.MILLISECONDS,
                    new LinkedBlockingQueue<>(), daemon("broker-trigger-" + number), new ThreadPoolExecutor.DiscardPolicy());
        }
    }

    /** One delivery of an event, through all its tries; the tries of a delivery never run at the same time. */
    private static final class Delivery {
        final int index;
        final VcenterEvent event;
        final Trigger trigger;
        final boolean holdsInFlight;
        int tries;

        Delivery(int index, VcenterEvent event, Trigger trigger, boolean holdsInFlight) {
            this.index = index;
            this.event = event;
            this.trigger = trigger;
            this.holdsInFlight = holdsInFlight;
        }
    }
}
