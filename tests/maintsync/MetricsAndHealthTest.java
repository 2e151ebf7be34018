package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import maintsync.vrops.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Operators see what the integration does: Prometheus counters by outcome and vROps call, and health, over HTTP. */
class MetricsAndHealthTest {

    @RegisterExtension
    static final IntegrationUnderTest stack = IntegrationUnderTest.sharedByTheClass();

    @Test
    void eventsAndVropsCallsAreCountedByOutcome() {
        stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21").key(1));
        stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21").key(1));
        stack.integration().send(VcenterEvent.exited("esx10.lab.local", "host-11").eventRouterFormat());
        stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21").body("{"));
        stack.vrops().faults().failNext(Operation.MARK_MAINTAINED, 3, 503);
        stack.integration().send(VcenterEvent.entered("esx1.lab.local", "host-10"));

        String metrics = get("observe/metrics").body();

        assertThat(metrics.lines()).contains(
                "vcenter_maintenance_events_received_total{camelContext=\"vcenter-maintenance\",format=\"tanzu-sources\"} 4.0",
                "vcenter_maintenance_events_received_total{camelContext=\"vcenter-maintenance\",format=\"event-router\"} 1.0",
                "vcenter_maintenance_events_total{action=\"enter\",camelContext=\"vcenter-maintenance\",outcome=\"applied\"} 1.0",
                "vcenter_maintenance_events_total{action=\"enter\",camelContext=\"vcenter-maintenance\",outcome=\"duplicate\"} 1.0",
                "vcenter_maintenance_events_total{action=\"exit\",camelContext=\"vcenter-maintenance\",outcome=\"applied\"} 1.0",
                "vcenter_maintenance_events_total{action=\"\",camelContext=\"vcenter-maintenance\",outcome=\"rejected\"} 1.0",
                "vcenter_maintenance_events_total{action=\"enter\",camelContext=\"vcenter-maintenance\",outcome=\"unavailable\"} 1.0",
                "vcenter_maintenance_failures_total{camelContext=\"vcenter-maintenance\",outcome=\"unavailable\",service=\"vrops\"} 1.0",
                "vrops_calls_total{call=\"token\",camelContext=\"vcenter-maintenance\",status=\"200\"} 1.0",
                "vrops_calls_total{call=\"enter\",camelContext=\"vcenter-maintenance\",status=\"503\"} 3.0");
        // how long applying an event took, its vROps calls included
        assertThat(metrics.lines().filter(line -> line.startsWith("camel_route_policy_seconds_sum{")
                && line.contains("routeId=\"apply-maintenance\""))).singleElement()
                .satisfies(line -> assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).isPositive());
    }

    @Test
    void livenessAndReadinessAreServed() throws InterruptedException {
        assertThat(get("observe/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = stack.integration().awaitReady(java.time.Duration.ofSeconds(15));
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("UP");
    }

    private static HttpResponse<String> get(String path) {
        return stack.integration().send(HttpRequest.newBuilder(stack.integration().managementUri().resolve(path)).GET().build());
    }
}
