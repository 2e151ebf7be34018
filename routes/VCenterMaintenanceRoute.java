import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cloudevents.CloudEvent;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustAllTrustManager;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vCenter host maintenance mode, mirrored into vROps.
 * <p>
 * Trigger: an {@code EnteredMaintenanceModeEvent} or {@code ExitMaintenanceModeEvent} CloudEvent from a Knative Broker,
 * in the format of Tanzu Sources for Knative (VEBA 0.8 and later: one type per event class) or of the VMware Event
 * Router (VEBA up to 0.7: one type, the event class in {@code subject}).
 * <p>
 * Effect: the Kamelet {@code vrops-host-maintenance-sink} marks the ESXi host as maintained in vROps, or unmarks it;
 * per host, only an event newer than the last one applied does (see {@link HostEventOrder}). An event that can never be
 * applied is also sent to {@code dead-letter.uri}.
 * <p>
 * Answer to the Broker, given only once vROps has answered: 204 when the host was marked or unmarked, or when vROps
 * does not know the host; 400 when the event can never be applied; 403 when vROps refuses the configured user or its
 * certificate is not trusted; 503 when vROps stays unavailable after a few retries, so that the Broker retries later;
 * 500 for anything unexpected.
 * <p>
 * Readiness ({@code /observe/health/ready}) includes whether vROps answers and accepts the token (see
 * {@link VropsReadiness}).
 */
public class VCenterMaintenanceRoute extends RouteBuilder {

    // the Kamelet gets these through camel.kamelet.vrops-host-maintenance-sink.* in application.properties
    private static final String SSL_CONTEXT_BEAN = "vropsSslContextParameters";
    private static final String HOSTNAME_VERIFIER_BEAN = "vropsHostnameVerifier";

    private static final String EVENT_ROUTER_ENTERED = "EnteredMaintenanceModeEvent";
    private static final String EVENT_ROUTER_EXIT = "ExitMaintenanceModeEvent";
    private static final String VROPS_SINK = "kamelet:vrops-host-maintenance-sink?noErrorHandler=true";
    private static final String DEAD_LETTER_TYPE = "io.github.maintsync.vcenter-maintenance.dead-letter.v1";
    private static final String LOG_NAME = "vcenter-maintenance";

    @Override
    public void configure() throws Exception {
        for (String required : new String[] { "vrops.url", "vrops.username", "vrops.password" }) {
            if (getContext().resolvePropertyPlaceholders("{{" + required + ":}}").isBlank()) {
                throw new IllegalStateException(required + " is not set: see application.properties");
            }
        }
        bindVropsTls();
        // One endpoint, so that one Kamelet instance, with one token, serves every event and check. Resolved here,
        // before any traffic: two threads resolving it first at once would create two instances.
        Endpoint vropsSink = getContext().getEndpoint(VROPS_SINK);
        releaseTokenWhenStopping(vropsSink);
        registerVropsReadiness(vropsSink);

        // The Broker reads the status code: 4xx drops or dead-letters the event, 5xx and 429 make it retry.
        // Permanent failures also go to the dead letter: VEBA's RabbitMQ Broker takes a 4xx as success and keeps nothing.
        onException(IllegalArgumentException.class)
                .handled(true)
                .log(LoggingLevel.WARN, LOG_NAME, "Rejected event ${header.CamelCloudEventID} from ${header.CamelCloudEventSource}: ${exception.message}")
                .to("direct:dead-letter")
                .toD(countOutcome("rejected"))
                .process(answer(400, "${exception.message}"));

        onException(SecurityException.class, SSLException.class)
                .handled(true)
                .log(LoggingLevel.ERROR, LOG_NAME, "Configuration error for event ${header.CamelCloudEventID}: ${exception.message}. Check vrops.username, vrops.password, vrops.auth-source, the user's role and vrops.tls.ca-file")
                .to("direct:dead-letter")
                .toD(countOutcome("refused"))
                .process(answer(403, "${exception.message}"));

        // Transient: vROps unreachable, or it answered 408, 429 or 5xx. Retried here a few times, quickly enough
        // to answer well within the Broker's timeout, then handed back to the Broker to retry later.
        onException(IOException.class)
                .maximumRedeliveries("{{vrops.retries}}")
                .redeliveryDelay("{{vrops.retry-delay-ms}}")
                .useExponentialBackOff()
                .retryAttemptedLogLevel(LoggingLevel.DEBUG)
                .handled(true)
                .log(LoggingLevel.WARN, LOG_NAME, "vROps unavailable for event ${header.CamelCloudEventID} after {{vrops.retries}} retries: ${exception.message}")
                .toD(countOutcome("unavailable"))
                .process(answer(503, "vROps unavailable: ${exception.message}"));

        onException(Exception.class)
                .handled(true)
                .log(LoggingLevel.ERROR, LOG_NAME, "Failed event ${header.CamelCloudEventID}: ${exception}")
                .toD(countOutcome("failed"))
                .process(answer(500, "${exception.message}"));

        // The Triggers of k8s/ deliver each type to the path its consumer listens at (jbang/knative.json). The URIs stay
        // literal: Camel K finds the components to build in by them. A vCenter event is a few KB: a body over 1 MiB is
        // refused with 413 before it is read.
        from("knative:event/com.vmware.vsphere.EnteredMaintenanceModeEvent.v0?reply=true&transport.maxBodySize=1048576")
                .routeId("vsphere-entered-maintenance")
                .to("micrometer:counter:vcenter.maintenance.events.received?tags.format=tanzu-sources")
                .to("direct:apply-maintenance");

        from("knative:event/com.vmware.vsphere.ExitMaintenanceModeEvent.v0?reply=true&transport.maxBodySize=1048576")
                .routeId("vsphere-exit-maintenance")
                .to("micrometer:counter:vcenter.maintenance.events.received?tags.format=tanzu-sources")
                .to("direct:apply-maintenance");

        // The Event Router sends every event class under one type: its Triggers in k8s/ filter on type and subject.
        from("knative:endpoint/vcenter-event-router?reply=true&transport.maxBodySize=1048576&filter.ce-type=com.vmware.event.router/event")
                .routeId("event-router-maintenance")
                .to("micrometer:counter:vcenter.maintenance.events.received?tags.format=event-router")
                .choice()
                    .when(header(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT).in(EVENT_ROUTER_ENTERED, EVENT_ROUTER_EXIT))
                        .to("direct:apply-maintenance")
                    .otherwise()
                        .log(LoggingLevel.WARN, LOG_NAME, "Ignored Event Router event ${header.CamelCloudEventID}: subject ${header.CamelCloudEventSubject} is no maintenance mode event; check the Trigger filters")
                        .toD(countOutcome("ignored"))
                        .process(answer(204, null));

        from("direct:apply-maintenance")
                .routeId("apply-maintenance")
                .choice()
                    .when(missing(CloudEvent.CAMEL_CLOUD_EVENT_ID))
                        .throwException(IllegalArgumentException.class, "the CloudEvent has no id")
                    .when(missing(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE))
                        .throwException(IllegalArgumentException.class, "the CloudEvent has no source")
                    .when(header(CloudEvent.CAMEL_CLOUD_EVENT_VERSION).isNotEqualTo("1.0"))
                        .throwException(IllegalArgumentException.class, "CloudEvents specversion ${header.CamelCloudEventVersion} is not supported")
                    .when(simple("${header.Content-Type} != null && ${header.Content-Type} !regex '(?i)application/([\\w.-]+\\+)?json.*'"))
                        .throwException(IllegalArgumentException.class, "datacontenttype ${header.Content-Type} is not JSON; the VSphereSource must use payloadEncoding application/json")
                .end()
                // Failures inside the Kamelet must reach the answers above, not an error handler of its own.
                .process(new HostEventOrder(getContext(), vropsSink))
                .choice()
                    .when(variable("vropsOutcome").isEqualTo("applied"))
                        .log(LoggingLevel.INFO, LOG_NAME, "Event ${header.CamelCloudEventID} from ${header.CamelCloudEventSource}: ${variable.vropsAction} maintenance of vROps resource ${variable.vropsResourceId}")
                    .otherwise()
                        .log(LoggingLevel.INFO, LOG_NAME, "Event ${header.CamelCloudEventID} from ${header.CamelCloudEventSource} ${variable.vropsOutcome}: ${variable.vropsSkipReason}")
                .end()
                .toD(countOutcome("${variable.vropsOutcome}"))
                .process(answer(204, null));

        // One line per permanent failure, and the event with its reason to dead-letter.uri when one is configured.
        from("direct:dead-letter")
                .routeId("dead-letter")
                .setVariable("deadLetterReason", simple("${exception.message}"))
                .log(LoggingLevel.WARN, LOG_NAME, "dead-letter id=${header.CamelCloudEventID} source=${header.CamelCloudEventSource} type=${header.CamelCloudEventType} subject=${header.CamelCloudEventSubject} reason=\"${variable.deadLetterReason}\"")
                .filter(simple("${properties:dead-letter.uri:} != ''"))
                    .doTry()
                        .setHeader("ce-specversion", constant("1.0"))
                        .setHeader("ce-id", simple("${header.CamelCloudEventID}-dead-letter"))
                        .setHeader("ce-source", constant("/vcenter-maintenance"))
                        .setHeader("ce-type", constant(DEAD_LETTER_TYPE))
                        .setHeader("ce-deadletterreason", variable("deadLetterReason"))
                        .setHeader("ce-originalid", header(CloudEvent.CAMEL_CLOUD_EVENT_ID))
                        .setHeader("ce-originalsource", header(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE))
                        .setHeader("ce-originaltype", header(CloudEvent.CAMEL_CLOUD_EVENT_TYPE))
                        .setHeader("ce-originalsubject", header(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT))
                        .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                        .removeHeaders("CamelHttp(Uri|Path|Query)")
                        .toD("${properties:dead-letter.uri}")
                    .doCatch(Exception.class)
                        .log(LoggingLevel.ERROR, LOG_NAME, "Could not deliver the dead letter of event ${header.CamelCloudEventID} to {{dead-letter.uri:}}: ${exception.message}")
                    .end()
                    .removeHeaders("ce-*")
                .end();
    }

    /**
     * Sets the status and a one-line reason. The Knative consumer copies every message header into its HTTP answer,
     * so all of them go first; a 2xx answer has no body, since a Broker takes any body it gets as a reply event.
     */
    private static Processor answer(int status, String reason) {
        return exchange -> {
            String text = reason == null ? null
                    : exchange.getContext().resolveLanguage("simple").createExpression(reason).evaluate(exchange, String.class);
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

    /** The endpoint counting one answered event, by outcome and, when known, action: the metrics the README lists. */
    private static String countOutcome(String outcome) {
        return "micrometer:counter:vcenter.maintenance.events?tags.outcome=" + outcome + "&tags.action=${variable.vropsAction}";
    }

    private static Predicate missing(String header) {
        return exchange -> {
            String value = exchange.getMessage().getHeader(header, String.class);
            return value == null || value.isBlank();
        };
    }

    /**
     * Applies the events of one host one at a time and in vCenter order. A Broker neither orders nor deduplicates,
     * Enter and Exit arrive through different Triggers and retries reorder them: an event that is not newer than the
     * last one applied to its host (by vCenter event {@code Key}, else {@code CreatedTime}) is a duplicate or stale,
     * and is acknowledged without being applied, so it cannot undo a later change. The memory is this process's.
     */
    static final class HostEventOrder implements Processor {

        private static final ObjectMapper JSON = new ObjectMapper();

        private final ConcurrentMap<String, Host> hosts = new ConcurrentHashMap<>();
        private final ProducerTemplate producer;
        private final Endpoint apply;

        HostEventOrder(CamelContext context, Endpoint apply) {
            this.producer = context.createProducerTemplate();
            this.apply = apply;
        }

        @Override
        public void process(Exchange exchange) throws Exception {
            JsonNode data = parse(exchange);
            Position event = data == null ? null : Position.of(data, exchange);
            if (event == null) {
                // nothing to order by: the Kamelet tells what is wrong with the event
                send(exchange, null);
                return;
            }
            Host host = hosts.computeIfAbsent(event.host(), key -> new Host());
            host.lock.lock();
            try {
                int order = host.last == null ? 1 : event.compareTo(host.last);
                if (order <= 0) {
                    exchange.setVariable("vropsOutcome", order == 0 ? "duplicate" : "stale");
                    exchange.setVariable("vropsSkipReason", "event " + event + " is not newer than " + host.last + ", already applied");
                    return;
                }
                send(exchange, data);
                host.last = event;
            } finally {
                host.lock.unlock();
            }
        }

        /**
         * Applies the event, handing the Kamelet the parsed event when there is one, so that it is parsed once. The
         * Kamelet consumes the headers: they come back afterwards for the answer and the logs, and on failure the
         * event as it came, for a retry or the dead letter.
         */
        private void send(Exchange exchange, JsonNode data) throws Exception {
            Object event = exchange.getMessage().getBody();
            Map<String, Object> headers = new HashMap<>(exchange.getMessage().getHeaders());
            if (data != null) {
                exchange.getMessage().setBody(data);
            }
            producer.send(apply, exchange);
            exchange.getMessage().setHeaders(headers);
            Exception failure = exchange.getException();
            if (failure != null) {
                exchange.setException(null);
                exchange.getMessage().setBody(event);
                throw failure;
            }
        }

        private static JsonNode parse(Exchange exchange) {
            try {
                return JSON.readTree(exchange.getMessage().getBody(byte[].class));
            } catch (IOException | RuntimeException notJson) {
                return null;
            }
        }

        private static final class Host {
            final ReentrantLock lock = new ReentrantLock();
            Position last;
        }

        /** Where an event stands in its vCenter's history: the host it concerns, its Key and its creation time. */
        record Position(String host, Long key, Instant created) implements Comparable<Position> {

            /** What is not the vCenter's host name in a source such as https://vcsa01.lab.local:443/sdk. */
            private static final Pattern SCHEME_AND_PATH = Pattern.compile("^[a-z]+://|[:/].*$");

            static Position of(JsonNode data, Exchange exchange) {
                if (!data.path("Host").isObject()) {
                    return null;
                }
                String source = exchange.getMessage().getHeader(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE, "", String.class);
                String vcenter = SCHEME_AND_PATH.matcher(source.toLowerCase(Locale.ROOT)).replaceAll("");
                String moref = data.path("Host").path("Host").path("Value").asText("");
                String host = vcenter + "|" + (moref.isEmpty() ? "name:" + data.path("Host").path("Name").asText("") : moref);
                Long key = data.path("Key").canConvertToLong() ? data.path("Key").asLong() : null;
                Instant created = null;
                try {
                    created = Instant.parse(data.path("CreatedTime").asText(""));
                } catch (DateTimeParseException noTime) {
                    // ordered by Key alone
                }
                return key == null && created == null ? null : new Position(host, key, created);
            }

            @Override
            public int compareTo(Position other) {
                if (key != null && other.key != null) {
                    return Long.compare(key, other.key);
                }
                if (created != null && other.created != null) {
                    return created.compareTo(other.created);
                }
                return 1;
            }

            @Override
            public String toString() {
                return key != null ? "Key " + key : "created " + created;
            }
        }
    }

    private void registerVropsReadiness(Endpoint vropsSink) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(getContext());
        if (registry == null) {
            log.warn("Camel health checks are off: readiness does not include vROps");
            return;
        }
        registry.register(new VropsReadiness(getContext(), vropsSink,
                Long.parseLong(getContext().resolvePropertyPlaceholders("{{vrops.readiness.check-interval-ms:10000}}")),
                Integer.parseInt(getContext().resolvePropertyPlaceholders("{{vrops.readiness.failure-threshold:3}}"))));
    }

    /**
     * Ready while vROps answers and accepts the token: the Kamelet checks both with one authenticated call, acquiring a
     * token when it holds none. A probe never waits for vROps, whose answer may take longer than the probe's timeout:
     * it gets the outcome of the checks so far, and starts the next one in the background once the last is older than
     * the interval. One failed check is a blip; only {@code failureThreshold} failures in a row make the pod not ready,
     * and the first success makes it ready again.
     */
    static final class VropsReadiness implements HealthCheck {

        private static final Logger LOG = LoggerFactory.getLogger(LOG_NAME);

        private final CamelContext context;
        private final ProducerTemplate producer;
        private final ExecutorService checker;
        private final Endpoint sink;
        private final long intervalNanos;
        private final int failureThreshold;
        private final AtomicBoolean checking = new AtomicBoolean();
        private boolean enabled = true;
        private long lastStarted;
        private boolean started;
        private volatile int failuresInARow;
        private volatile String lastFailure;
        private volatile Instant lastSuccess;

        VropsReadiness(CamelContext context, Endpoint sink, long intervalMillis, int failureThreshold) {
            this.context = context;
            this.producer = context.createProducerTemplate();
            this.checker = context.getExecutorServiceManager().newSingleThreadExecutor(this, "vrops-readiness");
            this.sink = sink;
            this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
            this.failureThreshold = failureThreshold;
        }

        @Override
        public String getGroup() {
            return "vrops";
        }

        @Override
        public String getId() {
            return "vrops";
        }

        @Override
        public boolean isEnabled() {
            return enabled;
        }

        @Override
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        // a vROps outage is no reason to restart this pod
        @Override
        public boolean isLiveness() {
            return false;
        }

        @Override
        public Result call(Map<String, Object> options) {
            startCheckIfDue();
            int failures = failuresInARow;
            HealthCheckResultBuilder result = HealthCheckResultBuilder.on(this)
                    .detail("vrops.failures.in.a.row", failures)
                    .detail("vrops.failure.threshold", failureThreshold);
            if (lastSuccess != null) {
                result.detail("vrops.last.success", lastSuccess.toString());
            }
            if (failures >= failureThreshold) {
                return result.down().message(lastFailure).build();
            }
            return result.up().build();
        }

        private void startCheckIfDue() {
            if (!context.isStarted() || !checking.compareAndSet(false, true)) {
                return;
            }
            long now = System.nanoTime();
            if (started && now - lastStarted < intervalNanos) {
                checking.set(false);
                return;
            }
            started = true;
            lastStarted = now;
            checker.execute(this::check);
        }

        private void check() {
            try {
                Exception failure = producer.send(sink, exchange -> exchange.getMessage().setHeader("VropsCheck", true)).getException();
                if (failure == null) {
                    if (failuresInARow >= failureThreshold) {
                        LOG.info("vROps answers again: ready");
                    }
                    failuresInARow = 0;
                    lastSuccess = Instant.now();
                } else {
                    lastFailure = failure.getMessage();
                    if (++failuresInARow == failureThreshold) {
                        LOG.warn("vROps check failed {} times in a row, not ready: {}", failuresInARow, lastFailure);
                    }
                }
            } finally {
                checking.set(false);
            }
        }
    }

    /** Each acquired token is a session on the vROps appliance: it is released, not left to expire in 6 hours. */
    private void releaseTokenWhenStopping(Endpoint vropsSink) {
        getContext().addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                try (ProducerTemplate producer = context.createProducerTemplate()) {
                    producer.sendBodyAndHeader(vropsSink, null, "VropsReleaseToken", true);
                } catch (Exception e) {
                    log.warn("Could not release the vROps token: {}", e.getMessage());
                }
            }
        });
    }

    /**
     * The trust the vROps calls use, bound for the Kamelet: the JVM's default trust store, the CA bundle in
     * {@code vrops.tls.ca-file} (vROps appliances ship a self-signed certificate), or, for a lab only, no check at all.
     */
    private void bindVropsTls() throws Exception {
        boolean insecure = Boolean.parseBoolean(getContext().resolvePropertyPlaceholders("{{vrops.tls.insecure:false}}"));
        String caFile = getContext().resolvePropertyPlaceholders("{{vrops.tls.ca-file:}}").strip();

        TrustManagersParameters trust = null;
        if (insecure) {
            log.warn("vrops.tls.insecure=true: the vROps certificate and host name are NOT verified. Use vrops.tls.ca-file outside a lab.");
            trust = new TrustManagersParameters();
            trust.setTrustManager(TrustAllTrustManager.INSTANCE);
        } else if (!caFile.isEmpty()) {
            KeyStoreParameters caStore = new KeyStoreParameters();
            caStore.setKeyStore(pemTrustStore(Path.of(caFile)));
            trust = new TrustManagersParameters();
            trust.setKeyStore(caStore);
        }
        SSLContextParameters sslContextParameters = new SSLContextParameters();
        sslContextParameters.setTrustManagers(trust);
        bindToRegistry(SSL_CONTEXT_BEAN, sslContextParameters);
        bindToRegistry(HOSTNAME_VERIFIER_BEAN, insecure ? NoopHostnameVerifier.INSTANCE : new DefaultHostnameVerifier());
    }

    private static KeyStore pemTrustStore(Path caFile) throws Exception {
        if (!Files.isReadable(caFile)) {
            throw new IllegalStateException("vrops.tls.ca-file " + caFile + " is not a readable file");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream pem = Files.newInputStream(caFile)) {
            int index = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                store.setCertificateEntry("vrops-ca-" + index++, certificate);
            }
        }
        if (store.size() == 0) {
            throw new IllegalStateException("vrops.tls.ca-file " + caFile + " holds no PEM certificate");
        }
        return store;
    }
}
