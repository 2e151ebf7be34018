package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.net.ssl.SSLHandshakeException;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.cloudevents.CloudEvent;
import org.apache.camel.component.kamelet.KameletComponent;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The route's mapping from what vROps answers to what the Broker is answered: the integration loaded from source, its
 * Knative consumers replaced with AdviceWith, each vROps Kamelet with a stand-in of the same name. No HTTP, no vROps,
 * only the decisions.
 */
class BrokerAnswerTest extends CamelTestSupport {

    /** The lookup answer for the host of the fixture, esx01.lab.local (host-21). */
    private static final String ONE_HOST = "{\"resourceList\": [{\"identifier\": \"id-21\", \"resourceKey\": {\"name\": \"esx01.lab.local\","
            + " \"resourceIdentifiers\": [{\"identifierType\": {\"name\": \"VMEntityObjectID\"}, \"value\": \"host-21\"}]}}]}";

    private final AtomicInteger kameletCalls = new AtomicInteger();
    private volatile Processor kamelet;
    private volatile String lookupAnswer = ONE_HOST;

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        Properties settings = new Properties();
        settings.putAll(Map.of("vrops.username", "admin",
                "vrops.password-file", IntegrationHarness.passwordFile("secret-for-tests").toString(),
                "vrops.retries", "2", "vrops.retry-delay-ms", "1"));
        context.getPropertiesComponent().setLocation("file:application.properties");
        context.getPropertiesComponent().setOverrideProperties(settings);
        context.getComponent("kamelet", KameletComponent.class).setLocation("classpath:kamelet-stand-in");
        context.getRegistry().bind("vropsTokenAction", (Processor) exchange -> exchange.getMessage().setHeader("VropsToken", "secret-token"));
        context.getRegistry().bind("vropsCurrentUserAction", (Processor) exchange -> { });
        context.getRegistry().bind("vropsHostsAction", (Processor) exchange -> { });
        context.getRegistry().bind("vropsTimedMaintenanceAction", (Processor) exchange -> { });
        context.getRegistry().bind("vropsEndMaintenanceAction", (Processor) exchange -> { });
        context.getRegistry().bind("vropsHostLookupAction", (Processor) exchange -> exchange.getMessage().setBody(lookupAnswer));
        context.getRegistry().bind("vropsMaintenanceSink", (Processor) exchange -> {
            kameletCalls.incrementAndGet();
            kamelet.process(exchange);
        });
        List<Resource> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("routes"))) {
            files.filter(file -> file.toString().endsWith(".java")).sorted().forEach(file -> sources.add(PluginHelper.getResourceLoader(context).resolveResource("file:" + file)));
        }
        PluginHelper.getRoutesLoader(context).loadRoutes(sources);
        return context;
    }

    @BeforeEach
    void replaceTheBroker() throws Exception {
        AdviceWith.adviceWith(context, "vsphere-entered-maintenance", route -> route.replaceFromWith("direct:entered"));
        AdviceWith.adviceWith(context, "vsphere-exit-maintenance", route -> route.replaceFromWith("direct:exit"));
        AdviceWith.adviceWith(context, "vsphere-entering-maintenance", route -> route.replaceFromWith("direct:entering"));
        AdviceWith.adviceWith(context, "event-router-maintenance", route -> route.replaceFromWith("direct:event-router"));
        context.start();
    }

    @Test
    void anAppliedEventIsAnswered204WithNothingElse() {
        kamelet = exchange -> { };

        Exchange answer = deliver("direct:entered", Map.of());

        assertThat(answer.getMessage().getHeaders()).containsOnlyKeys(Exchange.HTTP_RESPONSE_CODE);
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(204);
        assertThat(answer.getMessage().getBody()).isNull();
        assertThat(kameletCalls).hasValue(1);
    }

    @Test
    void aHostVropsDoesNotKnowIsAcknowledgedAndNotMarked() {
        kamelet = exchange -> { };
        lookupAnswer = "{\"resourceList\": []}";

        assertThat(status(deliver("direct:exit", Map.of()))).isEqualTo(204);
        assertThat(kameletCalls).hasValue(0);
    }

    @Test
    void anUnusableEventIs400BeforeVropsIsAsked() {
        kamelet = exchange -> { };

        Exchange answer = deliver("direct:entered", Map.of(), "{\"Host\": {}}");

        assertThat(status(answer)).isEqualTo(400);
        assertThat(answer.getMessage().getBody(String.class)).isEqualTo("event data has no Host.Name");
        assertThat(kameletCalls).hasValue(0);
    }

    @Test
    void refusedCredentialsAndUntrustedCertificatesAre403WithoutRetry() {
        kamelet = failure(vropsAnswered(403));
        Exchange refused = deliver("direct:entered", Map.of());
        assertThat(status(refused)).isEqualTo(403);
        assertThat(refused.getMessage().getBody(String.class)).isEqualTo("vROps refused the enter maintenance of user admin (HTTP 403)");

        kamelet = failure(new SSLHandshakeException("PKIX path building failed"));
        Exchange untrusted = deliver("direct:entered", Map.of());

        assertThat(status(untrusted)).isEqualTo(403);
        assertThat(untrusted.getMessage().getBody(String.class)).isEqualTo("vROps is not trusted (PKIX path building failed): set vrops.tls.ca-file to the CA of its certificate");
        assertThat(kameletCalls).hasValue(2);
    }

    @Test
    void anUnavailableVropsIsRetriedThenAnswered503() {
        kamelet = failure(vropsAnswered(503));

        Exchange answer = deliver("direct:entered", Map.of());

        assertThat(status(answer)).isEqualTo(503);
        assertThat(answer.getMessage().getBody(String.class)).isEqualTo("vROps unavailable: it answered HTTP 503 to the enter maintenance");
        assertThat(kameletCalls).hasValue(3);
    }

    @Test
    void anythingElseIs500SoTheBrokerRetries() {
        kamelet = failure(vropsAnswered(415));

        assertThat(status(deliver("direct:entered", Map.of()))).isEqualTo(500);
    }

    @Test
    void theEnvelopeIsCheckedBeforeVropsIsAsked() {
        kamelet = exchange -> { };

        assertThat(status(deliver("direct:entered", Map.of(CloudEvent.CAMEL_CLOUD_EVENT_ID, " ")))).isEqualTo(400);
        assertThat(status(deliver("direct:entered", Map.of("Content-Type", "text/plain")))).isEqualTo(400);
        assertThat(status(deliver("direct:entered", Map.of("Content-Type", "application/cloudevents+json; charset=utf-8")))).isEqualTo(204);
        assertThat(kameletCalls).hasValue(1);
    }

    @Test
    void anEventRouterEventIsAppliedOnlyForTheMaintenanceSubjects() {
        kamelet = exchange -> { };

        assertThat(status(deliver("direct:event-router", Map.of(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT, "ExitMaintenanceModeEvent")))).isEqualTo(204);
        assertThat(kameletCalls).hasValue(1);

        assertThat(status(deliver("direct:event-router", Map.of(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT, "VmPoweredOnEvent")))).isEqualTo(204);
        assertThat(kameletCalls).hasValue(1);
    }

    private Exchange deliver(String endpoint, Map<String, Object> headers) {
        return deliver(endpoint, headers, VcenterEvent.fixtureText("entered-maintenance-mode.json"));
    }

    private Exchange deliver(String endpoint, Map<String, Object> headers, String body) {
        return template.request(endpoint, exchange -> {
            exchange.getMessage().setHeader(CloudEvent.CAMEL_CLOUD_EVENT_ID, "7301");
            exchange.getMessage().setHeader(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE, "https://vcsa01.lab.local/sdk");
            exchange.getMessage().setHeader(CloudEvent.CAMEL_CLOUD_EVENT_VERSION, "1.0");
            exchange.getMessage().setHeader(CloudEvent.CAMEL_CLOUD_EVENT_TYPE, switch (endpoint) {
                case "direct:entered" -> VcenterEvent.ENTERED_TYPE;
                case "direct:exit" -> VcenterEvent.EXIT_TYPE;
                default -> VcenterEvent.EVENT_ROUTER_TYPE;
            });
            exchange.getMessage().setHeader("Content-Type", "application/json");
            headers.forEach(exchange.getMessage()::setHeader);
            exchange.getMessage().setBody(body);
        });
    }

    private static HttpOperationFailedException vropsAnswered(int status) {
        return new HttpOperationFailedException("https://vrops.example.com/suite-api/api", status, "", null, Map.of(), "");
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
