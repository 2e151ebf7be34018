package maintsync.vcenter;

import static maintsync.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import maintsync.IntegrationHarness;
import maintsync.VcenterEvent;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A reconcile pass over a vCenter of 251 hosts, 150 of them in maintenance that vROps does not know of: what it
 * calls (a listing of vROps's hosts rather than 150 lookups, vROps's timed maintenance in calls of 100 ids, nothing
 * per host), what it measures (drift, hosts by state, pass time, last success), what {@code GET /observe/hosts}
 * shows, and a pass that runs out of time.
 */
class ReconcilePassTest {

    /** What a test waits at most for passes, and for vROps's state after them. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static final String PASSWORD = "reader-pw";
    private static final int IN_MAINTENANCE = 150;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Vcsim vcenter;
    private VropsSimulator vrops;
    private IntegrationHarness integration;
    private List<Vcsim.Host> hosts;

    @BeforeEach
    void start() {
        vcenter = Vcsim.start(PASSWORD, List.of("-cluster-hosts", "250", "-standalone-hosts", "1"));
        hosts = vcenter.hosts();
        vrops = WithVcenter.vropsKnowing(vcenter);
        // their Enters were lost: only a pass can find them
        hosts.subList(0, IN_MAINTENANCE).forEach(vcenter::enterMaintenanceMode);
    }

    @AfterEach
    void stop() {
        WithVcenter.stop(integration, vrops, vcenter);
    }

    @Test
    void aPassCallsVropsPerPageAndHundredHostsNotPerHost() throws Exception {
        integration = startIntegration(Map.of("reconcile.interval-ms", "300"));
        await(PATIENCE, () -> passes("ok") >= 2, "two passes ok");

        assertThat(hosts.subList(0, IN_MAINTENANCE)).allSatisfy(host ->
                assertThat(vrops.resourceState(vrops.resourceId(vcenter.instanceUuid(), host.moref()))).isEqualTo("MAINTAINED"));
        assertThat(hosts.subList(IN_MAINTENANCE, hosts.size())).allSatisfy(host ->
                assertThat(vrops.resourceState(vrops.resourceId(vcenter.instanceUuid(), host.moref()))).isEqualTo("STARTED"));
        // 150 hosts to find, more than 10: the first pass listed vROps's hosts (one page of 1,000) instead of a lookup
        // each; every pass marks or extends in calls of 100 ids
        assertThat(vrops.count(Operation.LOOKUP_BY_KIND)).isZero();
        assertThat(vrops.requests()).filteredOn(request -> request.operation() == Operation.GET_RESOURCES
                && !request.rawQuery().contains("resourceState")).hasSize(1);
        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isZero();
        double passesSoFar = passes("ok");
        assertThat((double) vrops.count(Operation.BULK_MARK_MAINTAINED)).isBetween(2 * passesSoFar, 2 * passesSoFar + 2);
        assertThat(registry().find("vcenter.maintenance.repairs").tags("vcenter", "lab", "direction", "enter").counter().count())
                .isEqualTo(IN_MAINTENANCE);

        // the gauges tell what the last pass found: nothing left to repair
        assertThat(level("vcenter.maintenance.drift.hosts", "direction", "enter")).isZero();
        assertThat(level("vcenter.maintenance.hosts", "vcenter_state", "in_maintenance", "vrops_state", "maintained")).isEqualTo(IN_MAINTENANCE);
        assertThat(level("vcenter.maintenance.hosts", "vcenter_state", "in_service", "vrops_state", "not_maintained"))
                .isEqualTo(hosts.size() - IN_MAINTENANCE);
        assertThat(level("vcenter.maintenance.reconcile.last.success.timestamp"))
                .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(30.0));
        String metrics = get("observe/metrics", "*/*").body();
        assertThat(metrics).contains("vcenter_maintenance_hosts{camelContext=\"vcenter-maintenance\",vcenter=\"lab\",vcenter_state=\"in_maintenance\",vrops_state=\"maintained\"} 150.0")
                .contains("vcenter_maintenance_reconcile_seconds_count{camelContext=\"vcenter-maintenance\",outcome=\"ok\",vcenter=\"lab\"}")
                .contains("vrops_call_duration_seconds_bucket{call=\"hold\",camelContext=\"vcenter-maintenance\",status=\"200\",le=\"0.1\"}")
                .contains("vcenter_calls_total{call=\"RetrievePropertiesEx\",camelContext=\"vcenter-maintenance\",status=\"200\",vcenter=\"lab\"}");
    }

    @Test
    void theHostStatusPageShowsBothSidesTheLastEventAndTheLastRepairInPages() throws Exception {
        integration = startIntegration(Map.of());
        await(PATIENCE, () -> passes("ok") >= 1, "a pass ok");
        Vcsim.Host first = hosts.get(0);
        assertThat(integration.send(VcenterEvent.entered(first.name(), first.moref()).key(4711).source(vcenter.sdk().toString())).statusCode())
                .isEqualTo(204);

        JsonNode page = JSON.readTree(get("observe/hosts?pageSize=100&page=2", "application/json").body());
        assertThat(page.at("/pageInfo/totalCount").asInt()).isEqualTo(hosts.size());
        assertThat(page.path("hosts")).hasSize(hosts.size() - 200);
        assertThat(page.at("/passes/0/outcome").asText()).isEqualTo("ok");
        assertThat(page.at("/passes/0/repairs").asInt()).isEqualTo(IN_MAINTENANCE);

        JsonNode all = JSON.readTree(get("observe/hosts?pageSize=10000", "application/json").body());
        JsonNode shown = null;
        for (JsonNode host : all.path("hosts")) {
            if (host.path("moref").asText().equals(first.moref())) {
                shown = host;
            }
        }
        assertThat(shown).isNotNull();
        assertThat(shown.path("vcenter").asText()).isEqualTo("lab");
        assertThat(shown.path("vcenterState").asText()).isEqualTo("in_maintenance");
        assertThat(shown.path("vropsState").asText()).isEqualTo("maintained");
        assertThat(shown.path("owned").asBoolean()).isTrue();
        assertThat(shown.at("/lastEvent/action").asText()).isEqualTo("enter");
        assertThat(shown.at("/lastEvent/key").asLong()).isEqualTo(4711);
        // the watch has the host in maintenance and the pass left it maintained: the event asked neither side
        assertThat(shown.at("/lastEvent/outcome").asText()).isEqualTo("unchanged");
        assertThat(shown.at("/lastRepair/direction").asText()).isEqualTo("enter");

        HttpResponse<String> table = get("observe/hosts?format=text&pageSize=3", "*/*");
        assertThat(table.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        List<String> lines = table.body().lines().toList();
        assertThat(lines.get(0)).startsWith("VCENTER").contains("VCENTER STATE").contains("VROPS STATE").contains("LAST REPAIR");
        assertThat(lines.subList(1, 4)).allSatisfy(line -> assertThat(line).startsWith("lab").contains("maintained"));
        assertThat(lines).contains("3 of " + hosts.size() + " hosts, page 0 of size 3");
        assertThat(get("observe/hosts?pageSize=0", "*/*").statusCode()).isEqualTo(400);
        assertThat(get("observe/hosts?page=x", "*/*").statusCode()).isEqualTo(400);
    }

    @Test
    void aPassThatRunsOutOfTimeIsAFailureAndTheNextGoesOn() throws Exception {
        integration = startIntegration(Map.of("reconcile.pass-timeout-ms", "1", "reconcile.interval-ms", "200"));
        await(PATIENCE, () -> passes("timeout") >= 2, "two passes out of time");

        assertThat(registry().find("vcenter.maintenance.reconcile.failures").tag("vcenter", "lab").counter().count()).isGreaterThanOrEqualTo(2);
        assertThat(passes("ok")).isZero();
        // a pass that did not finish leaves no success behind
        assertThat(registry().find("vcenter.maintenance.reconcile.last.success.timestamp").gauge()).isNull();
    }

    private double passes(String outcome) {
        var timer = registry().find("vcenter.maintenance.reconcile").tags("vcenter", "lab", "outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }

    private double level(String name, String... tags) {
        var gauge = registry().find(name).tag("vcenter", "lab").tags(tags).gauge();
        assertThat(gauge).as(name).isNotNull();
        return gauge.value();
    }

    private MeterRegistry registry() {
        return integration.context().getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry();
    }

    private HttpResponse<String> get(String path, String accept) {
        return integration.send(HttpRequest.newBuilder(integration.managementUri().resolve(path)).header("Accept", accept).GET().build());
    }

    private IntegrationHarness startIntegration(Map<String, String> settings) throws Exception {
        IntegrationHarness started = IntegrationHarness.against(vrops, WithVcenter.settings("lab", vcenter, PASSWORD, settings));
        started.awaitReady(Duration.ofSeconds(20));
        return started;
    }
}
