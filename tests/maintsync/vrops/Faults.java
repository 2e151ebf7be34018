package maintsync.vrops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Failures injected into the {@code /suite-api} routes. An {@code op} of {@code null} aims a fault at
 * every operation. Rules are consulted in the order they were added; the first one that fires
 * decides. Thread-safe.
 */
public final class Faults {

    /**
     * What an injected fault does to one request: close the connection ({@code drop}), answer {@code status}, or answer
     * 200 with a {@code body} that never ends well.
     */
    record Injected(boolean drop, int status, Body body) {
    }

    /** An answer's body that no client should wait for: endless, or trickling. */
    public enum Body {
        /** Bytes as fast as the client takes them, up to {@link #MOST} (far past any limit a client should have). */
        ENDLESS,
        /** A byte a second, up to {@link #MOST}. */
        TRICKLE;

        static final long MOST = 256L << 20;
    }

    private static final Injected DROP = new Injected(true, 0, null);

    private final List<Rule> rules = new ArrayList<>();
    private volatile Duration latency = Duration.ZERO;
    private volatile boolean nodeOffline;

    Faults() {
    }

    /** Delay before every answer, dropped connections included. */
    public Faults latency(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("Negative latency " + delay);
        }
        latency = delay;
        return this;
    }

    /** The next {@code count} calls answer {@code status} with the documented error body. */
    public Faults failNext(Operation op, int count, int status) {
        return add(new Rule(op, count, 0, null, new Injected(false, Knobs.errorStatus(status), null)));
    }

    /** Each call answers {@code status} with this probability, drawn from a generator seeded with {@code seed}. */
    public Faults failRate(Operation op, double probability, int status, long seed) {
        return add(new Rule(op, -1, probability(probability), new Random(seed), new Injected(false, Knobs.errorStatus(status), null)));
    }

    /** The next {@code count} calls are answered 200 with this body. */
    public Faults answerNext(Operation op, int count, Body body) {
        return add(new Rule(op, count, 0, null, new Injected(false, 200, body)));
    }

    /** The next {@code count} calls get their connection closed without any response. */
    public Faults dropNext(Operation op, int count) {
        return add(new Rule(op, count, 0, null, DROP));
    }

    /** Each call gets its connection closed with this probability. */
    public Faults dropRate(Operation op, double probability, long seed) {
        return add(new Rule(op, -1, probability(probability), new Random(seed), DROP));
    }

    /** While offline, every call answers 503, as an appliance does while its services start. */
    public Faults nodeOffline(boolean offline) {
        nodeOffline = offline;
        return this;
    }

    public synchronized Faults clear() {
        rules.clear();
        latency = Duration.ZERO;
        nodeOffline = false;
        return this;
    }

    Duration latency() {
        return latency;
    }

    boolean nodeOffline() {
        return nodeOffline;
    }

    synchronized Optional<Injected> next(Operation op) {
        for (Iterator<Rule> it = rules.iterator(); it.hasNext(); ) {
            Rule rule = it.next();
            if (rule.op != null && rule.op != op) {
                continue;
            }
            boolean fires = rule.random == null || rule.random.nextDouble() < rule.probability;
            if (rule.random == null && --rule.remaining == 0) {
                it.remove();
            }
            if (fires) {
                return Optional.of(rule.injected);
            }
        }
        return Optional.empty();
    }

    private synchronized Faults add(Rule rule) {
        if (rule.random == null && rule.remaining < 1) {
            throw new IllegalArgumentException("Count must be positive: " + rule.remaining);
        }
        rules.add(rule);
        return this;
    }

    private static double probability(double probability) {
        if (probability < 0 || probability > 1) {
            throw new IllegalArgumentException("Not a probability: " + probability);
        }
        return probability;
    }

    /** A counted rule has no random generator; a rate rule never runs out. */
    private static final class Rule {
        private final Operation op;
        private int remaining;
        private final double probability;
        private final Random random;
        private final Injected injected;

        private Rule(Operation op, int remaining, double probability, Random random, Injected injected) {
            this.op = op;
            this.remaining = remaining;
            this.probability = probability;
            this.random = random;
            this.injected = injected;
        }
    }
}
