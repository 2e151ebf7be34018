package maintsync.edge;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.ext.web.Router;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.knative.KnativeComponent;
import org.apache.camel.component.knative.http.KnativeHttpConsumerFactory;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * What the integration's parts ask of the Camel context, in one place: meters in its Micrometer registry (the one
 * Camel Main and Camel Quarkus expose), work to run once it has fully started or when it begins to stop, and the HTTP
 * router the events arrive on.
 */
public final class Hooks {

    private Hooks() {
    }

    /**
     * One counter name with its tags: each combination is built once and then only incremented, since building it per
     * event would cost a Meter id each time. Nothing is counted when metrics are off.
     */
    public static final class Counts {
        private final CamelContext context;
        private final String name;
        private final ConcurrentMap<List<String>, Counter> byTags = new ConcurrentHashMap<>();

        public Counts(CamelContext context, String name) {
            this.context = context;
            this.name = name;
        }

        /** {@code tags}: names and values, alternately. */
        public void increment(String... tags) {
            Counter counter = counter(tags);
            if (counter != null) {
                counter.increment();
            }
        }

        /** Shown at 0 before the first increment, so that a rate or an increase over it starts from there. */
        public void zero(String... tags) {
            counter(tags);
        }

        private Counter counter(String... tags) {
            return byTags.computeIfAbsent(List.of(tags), key -> {
                MeterRegistry registry = registry(context);
                return registry == null ? null
                        : Counter.builder(name).tags(tags).tag("camelContext", context.getName()).register(registry);
            });
        }
    }

    /** One timer name with its tags, as {@link Counts}: count, sum and max, and a histogram when it has buckets. */
    public static final class Timings {
        private final CamelContext context;
        private final String name;
        private final Duration[] buckets;
        private final ConcurrentMap<List<String>, Timer> byTags = new ConcurrentHashMap<>();

        public Timings(CamelContext context, String name, Duration... buckets) {
            this.context = context;
            this.name = name;
            this.buckets = buckets;
        }

        public void record(long nanos, String... tags) {
            Timer timer = byTags.computeIfAbsent(List.of(tags), key -> {
                MeterRegistry registry = registry(context);
                return registry == null ? null : Timer.builder(name).tags(tags).tag("camelContext", context.getName())
                        .serviceLevelObjectives(buckets).register(registry);
            });
            if (timer != null) {
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** One gauge name with its tags, each set to the last value measured. */
    public static final class Levels {
        private final CamelContext context;
        private final String name;
        private final String unit;
        private final ConcurrentMap<List<String>, Level> byTags = new ConcurrentHashMap<>();

        /** The value of one gauge, and the gauge, null when metrics are off. */
        private record Level(AtomicLong value, Gauge gauge) {
        }

        /** {@code unit}: Micrometer's base unit, e.g. {@code seconds}, or null. */
        public Levels(CamelContext context, String name, String unit) {
            this.context = context;
            this.name = name;
            this.unit = unit;
        }

        public void set(long value, String... tags) {
            byTags.computeIfAbsent(List.of(tags), key -> {
                AtomicLong level = new AtomicLong();
                MeterRegistry registry = registry(context);
                // the registry holds gauges weakly: this map keeps the level
                return new Level(level, registry == null ? null : Gauge.builder(name, level, AtomicLong::get).tags(tags)
                        .tag("camelContext", context.getName()).baseUnit(unit).register(registry));
            }).value().set(value);
        }

        /** Ends the series of these tags: for a gauge per host, whose series must not outlive what they measure. */
        void remove(String... tags) {
            Level level = byTags.remove(List.of(tags));
            MeterRegistry registry = registry(context);
            if (level != null && level.gauge() != null && registry != null) {
                registry.remove(level.gauge());
            }
        }
    }

    /** A gauge read at each scrape, once the context has started (the registry may come only then). */
    public static void gauge(CamelContext context, String name, Supplier<Number> value) throws Exception {
        whenStarted(context, () -> {
            MeterRegistry registry = registry(context);
            if (registry != null) {
                Gauge.builder(name, value).tag("camelContext", context.getName()).register(registry);
            }
        });
    }

    private static MeterRegistry registry(CamelContext context) {
        return context.getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry();
    }

    /**
     * The Vert.x router the Knative consumers are served by, the same on Camel Main (where it also serves
     * {@code /observe}) and Camel Quarkus; there once the consumers run.
     */
    static Optional<Router> eventsRouter(CamelContext context) {
        return context.getComponent("knative", KnativeComponent.class).getConsumerFactory() instanceof KnativeHttpConsumerFactory consumers
                ? Optional.ofNullable(consumers.getRouter()) : Optional.empty();
    }

    /** Runs {@code work} once the context and its routes have started: before that, routes and consumers are missing. */
    public static void whenStarted(CamelContext context, Runnable work) throws Exception {
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // called before the context counts as started
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                work.run();
            }
        });
    }

    /** Runs {@code work} when the context begins to stop, in the order the hooks were added. */
    public static void whenStopping(CamelContext context, Runnable work) {
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext stopping) {
                work.run();
            }
        });
    }
}
