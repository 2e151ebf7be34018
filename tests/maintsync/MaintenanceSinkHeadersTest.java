package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.vrops.Inventory;
import maintsync.vrops.VropsSimulator;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kamelet.KameletComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What vrops-maintenance-sink leaves on the message for the steps after it in a Pipe: the body as it came, the token,
 * the host, the resource and the CloudEvent attributes; every other header, those it and the HTTP component set
 * included, is gone.
 */
class MaintenanceSinkHeadersTest {

    @ParameterizedTest
    @CsvSource({ "action=enter, MAINTAINED_MANUAL", "action=enter&maintenanceMinutes=30, MAINTAINED", "action=exit, STARTED" })
    void onlyTheTokenTheHostTheResourceAndTheCloudEventAttributesAreKept(String options, String state) throws Exception {
        try (VropsSimulator vrops = VropsSimulator.builder().https(false).inventory(Inventory.generated(1, 1)).start();
             CamelContext context = new DefaultCamelContext()) {
            String resourceId = vrops.resourceId(Inventory.generated(1, 1).vcenter("vcsa-1.gen.local").instanceUuid(), "host-1");
            context.getComponent("kamelet", KameletComponent.class).setLocation("file:kamelets");
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:sink").routeId("sink").to("kamelet:vrops-maintenance-sink?vropsUrl=" + vrops.baseUri() + "&" + options);
                }
            });
            context.start();
            if (state.equals("STARTED")) {
                vrops.markManually(resourceId);
            }
            String token = token(vrops.baseUri());

            Exchange answer = context.createProducerTemplate().request("direct:sink", exchange -> {
                exchange.getMessage().setHeader("VropsToken", token);
                exchange.getMessage().setHeader("VropsResourceId", resourceId);
                exchange.getMessage().setHeader("VropsHostName", "esx-1-001.gen.local");
                exchange.getMessage().setHeader("VropsPage", 2);
                exchange.getMessage().setHeader("CamelCloudEventID", "7301");
                exchange.getMessage().setHeader("CamelCloudEventSource", "https://vcsa-1.gen.local/sdk");
                exchange.getMessage().setHeader("CamelHttpUri", "http://elsewhere.invalid/");
                exchange.getMessage().setHeader("Authorization", "Basic c29tZW9uZTplbHNl");
                exchange.getMessage().setBody("{\"Key\": 7301}");
            });

            assertThat(answer.getException()).isNull();
            assertThat(vrops.resourceState(resourceId)).isEqualTo(state);
            assertThat(answer.getMessage().getHeaders().keySet()).containsExactlyInAnyOrder("VropsToken", "VropsResourceId", "VropsHostName",
                    "CamelCloudEventID", "CamelCloudEventSource");
            assertThat(answer.getMessage().getHeader("VropsToken")).isEqualTo(token);
            assertThat(answer.getMessage().getBody(String.class)).isEqualTo("{\"Key\": 7301}");
        }
    }

    private static String token(URI vrops) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(vrops.resolve("/suite-api/api/auth/token/acquire"))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\": \"admin\", \"password\": \"sim-admin-password\", \"authSource\": \"LOCAL\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(answer.body()).path("token").asText();
    }
}
