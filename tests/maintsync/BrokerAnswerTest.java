package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLHandshakeException;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.cloudevents.CloudEvent;
import org.apache.camel.component.kamelet.KameletComponent;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The route's mapping from what the Kamelet reports to what the Broker is answered: the route loaded from source, its
 * Knative consumers replaced with AdviceWith, the Kamelet with a stand-in. No HTTP, no vROps, only the decisions.
 */
class BrokerAnswerTest extends CamelTestSupport {

    private final AtomicInteger kameletCalls = new AtomicInteger();
    private volatile Processor kamelet;

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        Properties settings = new Properties();
        settings.putAll(Map.of("vrops.username", "admin", "vrops.password", "secret-for-tests",
                "vrops.retries", "2", "vrops.retry-delay-ms", "1"));
        context.getPropertiesComponent().setLocation("file:application.properties");
        context.getPropertiesComponent().setOverrideProperties(settings);
        // the Kamelet's stand-in: a Kamelet of the same name that runs this processor
        context.getComponent("kamelet", KameletComponent.class).setLocation("classpath:kamelet-stand-in");
        context.getRegistry().bind("kameletStandIn", (Processor) exchange -> {
            kameletCalls.incrementAndGet();
            // what the real Kamelet must never let out, and what this route must strip anyway
            exchange.getMessage().setHeader("Authorization", "vRealizeOpsToken secret-token");
            kamelet.process(exchange);
        });
        PluginHelper.getRoutesLoader(context).loadRoutes(
                PluginHelper.getResourceLoader(context).resolveResource("file:routes/VCenterMaintenanceRoute.java"));
        return context;
    }

    @BeforeEach
    void replaceTheBrokerAndTheKamelet() throws Exception {
        AdviceWith.adviceWith(context, "vsphere-entered-maintenance", route -> route.replaceFromWith("direct:entered"));
        AdviceWith.adviceWith(context, "vsphere-exit-maintenance", route -> route.replaceFromWith("direct:exit"));
        AdviceWith.adviceWith(context, "event-router-maintenance", route -> route.replaceFromWith("direct:event-router"));
        context.start();
    }

    @Test
    void anAppliedEventIsAnswered204WithNothingElse() {
        kamelet = outcome("applied");

        Exchange answer = deliver("direct:entered", Map.of());

        assertThat(answer.getMessage().getHeaders()).containsOnlyKeys(Exchange.HTTP_RESPONSE_CODE);
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(204);
        assertThat(answer.getMessage().getBody()).isNull();
    }

    @Test
    void aSkippedHostIsAcknowledged() {
        kamelet = outcome("skipped");

        assertThat(status(deliver("direct:exit", Map.of()))).isEqualTo(204);
    }

    @Test
    void anUnusableEventIs400() {
        kamelet = failure(new IllegalArgumentException("event data has no Host.Name"));

        Exchange answer = deliver("direct:entered", Map.of());

        assertThat(status(answer)).isEqualTo(400);
        assertThat(answer.getMessage().getBody(String.class)).isEqualTo("event data has no Host.Name");
        assertThat(kameletCalls).hasValue(1);
    }

    @Test
    void refusedCredentialsAndUntrustedCertificatesAre403WithoutRetry() {
        kamelet = failure(new SecurityException("vROps refused user admin of auth source LOCAL (HTTP 401)"));
        assertThat(status(deliver("direct:entered", Map.of()))).isEqualTo(403);

        kamelet = failure(new SSLHandshakeException("PKIX path building failed"));
        Exchange untrusted = deliver("direct:entered", Map.of());

        assertThat(status(untrusted)).isEqualTo(403);
        assertThat(untrusted.getMessage().getBody(String.class)).isEqualTo("PKIX path building failed");
        assertThat(kameletCalls).hasValue(2);
    }

    @Test
    void anUnavailableVropsIsRetriedThenAnswered503() {
        kamelet = failure(new IOException("vROps answered HTTP 503 to the enter maintenance"));

        Exchange answer = deliver("direct:entered", Map.of());

        assertThat(status(answer)).isEqualTo(503);
        assertThat(answer.getMessage().getBody(String.class)).isEqualTo("vROps unavailable: vROps answered HTTP 503 to the enter maintenance");
        assertThat(kameletCalls).hasValue(3);
    }

    @Test
    void anythingElseIs500SoTheBrokerRetries() {
        kamelet = failure(new IllegalStateException("vROps answered HTTP 415 to the host lookup"));

        assertThat(status(deliver("direct:entered", Map.of()))).isEqualTo(500);
    }

    @Test
    void theEnvelopeIsCheckedBeforeVropsIsAsked() {
        kamelet = outcome("applied");

        assertThat(status(deliver("direct:entered", Map.of(CloudEvent.CAMEL_CLOUD_EVENT_ID, " ")))).isEqualTo(400);
        assertThat(status(deliver("direct:entered", Map.of("Content-Type", "text/plain")))).isEqualTo(400);
        assertThat(status(deliver("direct:entered", Map.of("Content-Type", "application/cloudevents+json; charset=utf-8")))).isEqualTo(204);
        assertThat(kameletCalls).hasValue(1);
    }

    @Test
    void anEventRouterEventIsAppliedOnlyForTheMaintenanceSubjects() {
        kamelet = outcome("applied");

        assertThat(status(deliver("direct:event-router", Map.of(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT, "ExitMaintenanceModeEvent")))).isEqualTo(204);
        assertThat(kameletCalls).hasValue(1);

        assertThat(status(deliver("direct:event-router", Map.of(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT, "VmPoweredOnEvent")))).isEqualTo(204);
        assertThat(kameletCalls).hasValue(1);
    }

    private Exchange deliver(String endpoint, Map<String, Object> headers) {
        return template.request(endpoint, exchange -> {
            exchange.getMessage().setHeader(CloudEvent.CAMEL_CLOUD_EVENT_ID, "7301");
            exchange.getMessage().setHeader(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE, "https://vcsa01.lab.local/sdk");
            exchange.getMessage().setHeader(CloudEvent.CAMEL_CLOUD_EVENT_VERSION, "1.0");
            exchange.getMessage().setHeader("Content-Type", "application/json");
            headers.forEach(exchange.getMessage()::setHeader);
            exchange.getMessage().setBody(VcenterEvent.fixtureText("entered-maintenance-mode.json"));
        });
    }

    private static Processor outcome(String outcome) {
        return exchange -> exchange.setVariable("vropsOutcome", outcome);
    }

    private static Processor failure(Exception exception) {
        return exchange -> {
            throw exception;
        };
    }

    private static int status(Exchange answer) {
        return answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }
}
