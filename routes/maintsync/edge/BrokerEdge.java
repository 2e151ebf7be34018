package maintsync.edge;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Processor;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge the Broker talks to: what the routes answer an event ({@link #answer}), and what the events' HTTP server
 * answers by itself, on purpose: a request no consumer takes (another method, structured
 * mode, a type or path no Trigger of this integration should send), a body over the limit, a body that stalls. Left
 * to Vert.x, they would get its 404 page, which Brokers retry, an error log without the reason, or a connection held
 * open forever. Each gets a status the Broker treats right and a one-line reason, is counted in
 * {@code vcenter.maintenance.requests.refused} by reason, and logged at WARN, once a minute per reason at most.
 * <p>
 * A stop loses no event. From the moment the integration begins to stop, readiness is down (so that Kubernetes routes
 * no more events here) and every new event is answered 503, which the Broker retries; once the consumers stop, it would
 * get the 400 of a type no consumer takes, which the Broker drops. The events already let in are answered before the
 * rest of the stop goes on, the release of the vROps token they use included.
 * <p>
 * It works on the Vert.x router of the Knative consumers, the same on Camel Main and Camel Quarkus, once they run.
 */
public final class BrokerEdge {

    private static final Logger LOG = LoggerFactory.getLogger("vcenter-maintenance");
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** A refusal: its metric tag, status and reason. */
    private record Refusal(String reason, int status, String text) {
    }

    private static final String STOPPING = "the integration is stopping";

    private final CamelContext context;
    private final long bodyTimeoutMillis;
    private volatile boolean stopping;
    /** Events let in and not answered yet. */
    private final AtomicInteger admitted = new AtomicInteger();
    private final ConcurrentMap<String, AtomicLong> lastLogged = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicLong> unlogged = new ConcurrentHashMap<>();
    private final Hooks.Counts counts;

    private BrokerEdge(CamelContext context, long bodyTimeoutMillis) {
        this.context = context;
        this.bodyTimeoutMillis = bodyTimeoutMillis;
        this.counts = new Hooks.Counts(context, "vcenter.maintenance.requests.refused");
    }

    /**
     * Once the consumers run: their router exists only then. To be installed before anything else that acts when the
     * integration stops: the events in flight are answered first.
     */
    public static void install(CamelContext context, long bodyTimeoutMillis) throws Exception {
        BrokerEdge guard = new BrokerEdge(context, bodyTimeoutMillis);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(guard.new Readiness());
        }
        Hooks.whenStarted(context, guard::guardTheRouter);
        Hooks.whenStopping(context, guard::drain);
    }

    /**
     * The answer to an event: the status and no body, since a Broker takes any body of a 2xx answer as a reply event. The
     * Knative consumer copies every message header into its HTTP answer, so all of them go first.
     */
    public static Processor answer(int status) {
        return answer(status, null);
    }

    /** The answer to an event that failed: the status and a one-line reason, which the Broker may log or keep. */
    public static Processor answer(int status, Expression reason) {
        return exchange -> {
            String text = reason == null ? null : reason.evaluate(exchange, String.class);
            exchange.getMessage().removeHeaders("*");
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
            if (text != null) {
                exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
                exchange.getMessage().setBody(text.replaceAll("\\s+", " ").strip());
            } else {
                exchange.getMessage().setBody(null);
            }
        };
    }

    /** Lets no more events in, and waits, at most as long as Camel's graceful shutdown does, for those let in. */
    private void drain() {
        stopping = true;
        long timeout = context.getShutdownStrategy().getTimeUnit().toNanos(context.getShutdownStrategy().getTimeout());
        long deadline = System.nanoTime() + timeout;
        LOG.info("Stopping: new events are answered 503, {} in flight are finishing", admitted.get());
        try {
            while (admitted.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (admitted.get() > 0) {
            LOG.warn("Stopping with {} events still in flight after {} s: the Broker retries those the stop cuts",
                    admitted.get(), TimeUnit.NANOSECONDS.toSeconds(timeout));
        }
    }

    private void guardTheRouter() {
        Optional<Router> events = Hooks.eventsRouter(context);
        if (events.isEmpty()) {
            LOG.warn("No Knative HTTP consumer runs: requests no route takes get the HTTP server's own answers");
            return;
        }
        Router router = events.get();
        // first, ahead of the failure handlers of the server (Quarkus's answers a failure with its status only)
        router.route().order(Integer.MIN_VALUE).handler(this::admit).handler(this::limitBodyTime).failureHandler(this::refuseFailed);
        router.route().last().handler(this::refuseUnrouted);
    }

    /** Events (POSTs) are let in until the integration stops, and counted until answered; other requests always. */
    private void admit(RoutingContext request) {
        if (request.request().method() == HttpMethod.POST) {
            // counted before the check, so that the drain, which waits for none to be counted, cannot miss one
            admitted.incrementAndGet();
            if (stopping) {
                admitted.decrementAndGet();
                refuse(request, new Refusal("stopping", 503, STOPPING + ": retry"));
                return;
            }
            request.addEndHandler(ended -> admitted.decrementAndGet());
        }
        request.next();
    }

    /** An event is a few KB: its body not complete after the timeout means a stalled or hostile client. */
    private void limitBodyTime(RoutingContext request) {
        if (request.request().method() == HttpMethod.POST) {
            long timer = request.vertx().setTimer(bodyTimeoutMillis, fired -> {
                if (!request.request().isEnded() && !request.response().headWritten()) {
                    refuse(request, new Refusal("stalled", 408,
                            "the request body did not arrive within " + bodyTimeoutMillis + " ms"));
                    request.request().connection().close();
                }
            });
            request.addEndHandler(ended -> request.vertx().cancelTimer(timer));
        }
        request.next();
    }

    private void refuseUnrouted(RoutingContext request) {
        HttpServerRequest http = request.request();
        List<String> types = http.headers().getAll("ce-type");
        String contentType = String.valueOf(http.getHeader(HttpHeaders.CONTENT_TYPE)).toLowerCase(Locale.ROOT);
        Refusal refusal;
        if (http.method() != HttpMethod.POST) {
            request.response().putHeader(HttpHeaders.ALLOW, "POST");
            refusal = new Refusal("method", 405, "method " + http.method() + " is not accepted: events are POSTed");
        } else if (contentType.startsWith("application/cloudevents")) {
            refusal = new Refusal("structured-mode", 415, "a CloudEvent in structured mode (" + contentType
                    + ") is not accepted: Brokers deliver binary mode");
        } else if (types.isEmpty()) {
            refusal = new Refusal("no-type", 400, "no ce-type header: this is not a CloudEvent in binary mode");
        } else if (types.size() > 1) {
            refusal = new Refusal("repeated-type", 400, "ce-type is given " + types.size() + " times");
        } else {
            refusal = new Refusal("no-consumer", 400, "no consumer for type " + types.get(0) + " at path " + http.path()
                    + ": check the Trigger's filter and subscriber URI (k8s/*-triggers.yaml)");
        }
        refuse(request, refusal);
    }

    private void refuseFailed(RoutingContext request) {
        if (request.response().headWritten()) {
            return;
        }
        if (request.statusCode() == 413) {
            refuse(request, new Refusal("too-large", 413, "the event body is larger than the limit of the consumer "
                    + "(transport.maxBodySize, 1 MiB); a vCenter event is a few KB"));
        } else {
            int status = request.statusCode() > 0 ? request.statusCode() : 500;
            Throwable failure = request.failure();
            refuse(request, new Refusal("failed", status, "the HTTP layer failed: "
                    + (failure == null ? "status " + status : failure.getClass().getSimpleName() + ": " + failure.getMessage())));
        }
    }

    private void refuse(RoutingContext request, Refusal refusal) {
        String line = LogLines.escape(refusal.text());
        count(refusal);
        warnAtMostOnceAMinute(refusal.reason(), LogLines.escape("Refused " + request.request().method() + " " + request.request().path()
                + " with " + refusal.status() + ": " + refusal.text()));
        request.response().setStatusCode(refusal.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end(line);
    }

    private void warnAtMostOnceAMinute(String reason, String message) {
        long now = System.nanoTime();
        AtomicLong last = lastLogged.computeIfAbsent(reason, key -> new AtomicLong(now - LOG_INTERVAL_NANOS));
        AtomicLong since = unlogged.computeIfAbsent(reason, key -> new AtomicLong());
        long previous = last.get();
        if (now - previous >= LOG_INTERVAL_NANOS && last.compareAndSet(previous, now)) {
            long more = since.getAndSet(0);
            LOG.warn("{}{}", message, more == 0 ? "" : " (and " + more + " more like it in the last minute)");
        } else {
            since.incrementAndGet();
        }
    }

    private void count(Refusal refusal) {
        counts.increment("reason", refusal.reason(), "status", Integer.toString(refusal.status()));
    }

    /** Down from the moment the integration begins to stop, so that Kubernetes sends the events elsewhere. */
    private final class Readiness extends ReadinessCheck {

        Readiness() {
            super("events");
        }

        @Override
        public Result call(Map<String, Object> options) {
            HealthCheckResultBuilder result = HealthCheckResultBuilder.on(this);
            // the reason goes into the message and the details: Camel Main shows the one, Camel Quarkus the other
            return stopping ? result.detail("events.reason", STOPPING).down().message(STOPPING).build() : result.up().build();
        }
    }
}
