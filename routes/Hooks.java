import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * What the integration's parts ask of the Camel context, in one place: counters in its Micrometer registry (the one
 * Camel Main and Camel Quarkus expose), and work to run once it has fully started or when it begins to stop.
 */
final class Hooks {

    private Hooks() {
    }

    /**
     * One counter name with its tags: each combination is built once and then only incremented, since building it per
     * event would cost a Meter id each time. Nothing is counted when metrics are off.
     */
    static final class Counts {
        private final CamelContext context;
        private final String name;
        private final ConcurrentMap<List<String>, Counter> byTags = new ConcurrentHashMap<>();

        Counts(CamelContext context, String name) {
            this.context = context;
            this.name = name;
        }

        /** {@code tags}: names and values, alternately. */
        void increment(String... tags) {
            Counter counter = byTags.computeIfAbsent(List.of(tags), key -> {
                MeterRegistry registry = context.getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry();
                return registry == null ? null
                        : Counter.builder(name).tags(tags).tag("camelContext", context.getName()).register(registry);
            });
            if (counter != null) {
                counter.increment();
            }
        }
    }

    /** Runs {@code work} once the context and its routes have started: before that, routes and consumers are missing. */
    static void whenStarted(CamelContext context, Runnable work) throws Exception {
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
    static void whenStopping(CamelContext context, Runnable work) {
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext stopping) {
                work.run();
            }
        });
    }
}
