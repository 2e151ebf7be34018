package maintsync.vcenter;

import static maintsync.TestSupport.poll;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import maintsync.IntegrationHarness;
import maintsync.LogCapture;
import maintsync.VcenterEvent;
import maintsync.vrops.Inventory;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With a vCenter configured, an event only says which host to look at, and vROps is made to match what vCenter says
 * now: a forged Enter changes nothing, a replay after a restart cannot undo a later Exit, events without a Key need no
 * order. vCenter is VMware's simulator (tests/vcsim), vROps the project's simulator, both over HTTPS.
 */
class VcenterTruthTest {

    /** Characters a SOAP envelope must escape, and Camel placeholders would trip over. */
    /** For the passes and vROps's state after them. */
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private static final String VCENTER_PASSWORD = "vc{{pw}} <&> \"q\" ü\\";

    private Vcsim vcenter;
    private VropsSimulator vrops;
    private IntegrationHarness integration;
    private Vcsim.Host host;
    private String resourceId;

    @BeforeEach
    void start() throws Exception {
        vcenter = Vcsim.start(VCENTER_PASSWORD);
        Inventory defaults = Inventory.defaults();
        String vcenterHost = vcenter.sdk().getHost();
        List<Inventory.Host> hosts = new ArrayList<>();
        vcenter.hosts().forEach(h -> hosts.add(new Inventory.Host(h.name(), h.moref(), vcenterHost)));
        vrops = VropsSimulator.builder()
                .inventory(new Inventory(defaults.users(), List.of(new Inventory.VCenter(vcenterHost, vcenter.instanceUuid())), hosts))
                .start();
        host = vcenter.hosts().get(1);
        resourceId = vrops.resourceId(vcenter.instanceUuid(), host.moref());
        integration = startIntegration();
    }

    @AfterEach
    void stop() {
        WithVcenter.stop(integration, vrops, vcenter);
    }

    @Test
    void anEventVcenterConfirmsIsAppliedAndTheHostIsFoundByTheVcentersOwnUuid() {
        vcenter.enterMaintenanceMode(host);
        assertThat(send(entered()).statusCode()).isEqualTo(204);
        // timed: the integration's own maintenance, which its reconciliation extends
        assertThat(vrops.resourceState(resourceId)).isEqualTo("MAINTAINED");

        vcenter.exitMaintenanceMode(host);
        assertThat(send(exited()).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resourceId)).isEqualTo("STARTED");
        // no vrops.vcenter-uuids: the lookup by identifiers took the UUID vCenter gave (the pass at start may have
        // looked the host up too, at the same moment)
        assertThat(vrops.requests()).filteredOn(request -> request.operation() == Operation.LOOKUP_BY_KIND)
                .isNotEmpty().allSatisfy(lookup -> assertThat(java.net.URLDecoder.decode(lookup.rawQuery(), java.nio.charset.StandardCharsets.UTF_8))
                        .contains(vcenter.instanceUuid()).contains(host.moref()));
    }

    @Test
    void aForgedEnterChangesNothingAndIsCounted() {
        HttpResponse<String> answer = send(entered());

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resourceId)).isEqualTo("STARTED");
        assertThat(vrops.count(Operation.MARK_MAINTAINED) + vrops.count(Operation.UNMARK_MAINTAINED)).isZero();
        assertThat(integration.context().getComponent("micrometer", org.apache.camel.component.micrometer.MicrometerComponent.class)
                .getMetricsRegistry().find("vcenter.maintenance.events").tag("outcome", "contradicted").counter().count()).isEqualTo(1);
    }

    /** vROps down, Enter answered 503; vROps back, Exit applied; a restart; the Broker's retry of the Enter. */
    @Test
    void theBrokersRetryOfAnOldEnterAfterARestartCannotUndoTheExit() throws Exception {
        VcenterEvent enter = entered();
        vcenter.enterMaintenanceMode(host);
        vrops.faults().nodeOffline(true);
        assertThat(send(enter).statusCode()).isEqualTo(503);
        vrops.faults().nodeOffline(false);
        vcenter.exitMaintenanceMode(host);
        assertThat(send(exited()).statusCode()).isEqualTo(204);

        integration.close();
        integration = startIntegration();
        assertThat(send(enter).statusCode()).isEqualTo(204);

        assertThat(vrops.resourceState(resourceId)).isEqualTo("STARTED");
    }

    @Test
    void eventsWithoutAKeyNeedNoOrder() {
        vcenter.enterMaintenanceMode(host);
        vcenter.exitMaintenanceMode(host);
        // delivered the wrong way round, and nothing to order them by
        assertThat(send(exited().body(withoutKey(exited()))).statusCode()).isEqualTo(204);
        assertThat(send(entered().body(withoutKey(entered()))).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resourceId)).isEqualTo("STARTED");

        vcenter.enterMaintenanceMode(host);
        assertThat(send(entered().body(withoutKey(entered()))).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resourceId)).isEqualTo("MAINTAINED");
    }

    /**
     * An event for a host vROps does not know yet is skipped; once vROps knows it, the same event (a Broker's duplicate)
     * is applied: nothing remembers that it was skipped. And a pass marks it when no event comes again.
     */
    @Test
    void aHostSkippedWhileVropsDidNotKnowItIsAppliedOnceVropsDoes() throws Exception {
        vrops.known(resourceId, false);
        vcenter.enterMaintenanceMode(host);
        VcenterEvent enter = entered();
        assertThat(send(enter).statusCode()).isEqualTo(204);
        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isZero();

        vrops.known(resourceId, true);
        assertThat(send(enter).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resourceId)).isEqualTo("MAINTAINED");

        // the same for a host no event names again: the next pass
        Vcsim.Host other = vcenter.hosts().get(2);
        String otherResource = vrops.resourceId(vcenter.instanceUuid(), other.moref());
        vrops.known(otherResource, false);
        vcenter.enterMaintenanceMode(other);
        integration.close();
        integration = startIntegration(Map.of("reconcile.interval-ms", "200"));
        awaitPasses(3); // passes that find vROps without the host
        vrops.known(otherResource, true);
        awaitState(otherResource, "MAINTAINED");
    }

    @Test
    void aHostVcenterDoesNotHaveIsSkipped() {
        HttpResponse<String> answer = send(VcenterEvent.entered(host.name(), "host-999999").source(vcenter.sdk().toString()));

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isZero();
    }

    @Test
    void aWrongVcenterPasswordIsAConfigurationErrorThatNamesTheUserAndNotThePassword() throws Exception {
        integration.close();
        integration = startIntegration(Map.of("vcenter.lab.password-file", IntegrationHarness.passwordFile("not-it").toString()));

        HttpResponse<String> answer = send(entered());

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).isEqualTo("vCenter lab refused user " + Vcsim.USERNAME + " (InvalidLogin): check vcenter.lab.username and its password");
        assertThat(failures("refused")).isEqualTo(1);
    }

    @Test
    void aVcenterThatIsGoneIsTransient() {
        vcenter.close();

        assertThat(send(entered()).statusCode()).isEqualTo(503);
        assertThat(failures("unavailable")).isEqualTo(1);
    }

    /** {@code vcenter_maintenance_failures_total} of the vCenter service with this outcome. */
    private double failures(String outcome) {
        var counter = integration.meters().find("vcenter.maintenance.failures").tags("service", "vcenter", "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void theVcenterPasswordIsInNoLogLine() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        integration.close();
        try (LogCapture capture = LogCapture.everythingAtTrace(lines::add)) {
            integration = startIntegration();
            vcenter.enterMaintenanceMode(host);
            send(entered());
            integration.close();
            integration = null;
        }

        assertThat(lines).anyMatch(line -> line.contains("Logged in to vCenter lab")).noneMatch(line -> line.contains(VCENTER_PASSWORD));
    }

    @Test
    void aLostExitAndALostEnterAreRepairedByTheNextPass() throws Exception {
        Vcsim.Host other = vcenter.hosts().get(2);
        String otherResource = vrops.resourceId(vcenter.instanceUuid(), other.moref());
        vcenter.enterMaintenanceMode(host);
        assertThat(send(entered()).statusCode()).isEqualTo(204);
        integration.close();
        // the passes alone: with the watch, which follows within a second, they would race it for the repairs
        integration = startIntegration(Map.of("reconcile.interval-ms", "200", "vcenter.watch", "false"));

        vcenter.exitMaintenanceMode(host); // its Exit never arrives
        vcenter.enterMaintenanceMode(other); // nor this Enter

        awaitState(resourceId, "STARTED");
        awaitState(otherResource, "MAINTAINED");
        // each repair is counted right after vROps answered it
        awaitRepairs("exit", 1);
        awaitRepairs("enter", 1);
        // each pass: one container view read in pages, not a call per host
        var registry = integration.context().getComponent("micrometer", org.apache.camel.component.micrometer.MicrometerComponent.class)
                .getMetricsRegistry();
        double views = registry.find("vcenter.calls").tags("call", "CreateContainerView", "status", "200").counter().count();
        assertThat(registry.find("vcenter.calls").tags("call", "CreateFilter", "status", "200").counter()).as("no watch").isNull();
        assertThat(registry.find("vcenter.calls").tags("call", "DestroyView", "status", "200").counter().count()).isEqualTo(views);
        assertThat(registry.find("vcenter.calls").tags("call", "RetrievePropertiesEx", "status", "200").counter().count()).isGreaterThanOrEqualTo(views);
    }

    @Test
    void aManualMaintenanceSetByHandIsNeverEnded() throws Exception {
        vrops.markManually(resourceId);
        integration.close();
        integration = startIntegration(Map.of("reconcile.interval-ms", "100"));

        awaitPasses(3);

        assertThat(vrops.resourceState(resourceId)).isEqualTo("MAINTAINED_MANUAL");
        assertThat(vrops.count(Operation.UNMARK_MAINTAINED)).isZero();
    }

    /**
     * Maintenance set by hand is never taken over: neither an Enter that vCenter confirms nor, after that host's Exit
     * was lost, the next passes turn it into the integration's own; nor does a confirmed Exit end it.
     */
    @Test
    void maintenanceSetByHandIsNeverTakenOverByAnEventNorEndedByAPass() throws Exception {
        vrops.markManually(resourceId);
        vcenter.enterMaintenanceMode(host);
        assertThat(send(entered()).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resourceId)).isEqualTo("MAINTAINED_MANUAL");

        vcenter.exitMaintenanceMode(host); // its Exit is lost
        integration.close();
        integration = startIntegration(Map.of("reconcile.interval-ms", "100"));
        awaitPasses(3);
        assertThat(vrops.resourceState(resourceId)).isEqualTo("MAINTAINED_MANUAL");

        assertThat(send(exited()).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resourceId)).isEqualTo("MAINTAINED_MANUAL");
        assertThat(vrops.count(Operation.UNMARK_MAINTAINED)).isZero();
    }

    /**
     * An event whose source is no configured vCenter cannot change a host vROps knows as one of a configured vCenter's:
     * forged that way, an Enter would silence an in-service host with manual maintenance, which no pass ends.
     */
    @Test
    void anEventOfAnotherSourceCannotChangeAHostOfAConfiguredVcenter() {
        HttpResponse<String> answer = send(VcenterEvent.entered(host.name(), host.moref()).source("https://vcsa-forged.example/sdk"));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("source vcsa-forged.example is no configured vCenter").contains("vCenter lab");
        assertThat(vrops.resourceState(resourceId)).isEqualTo("STARTED");
        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isZero();
    }

    /** Two replicas, each taking some of the events and both reconciling, end as one would. */
    @Test
    void twoReplicasEndAsOneWould() throws Exception {
        try (IntegrationHarness second = startIntegration(Map.of("reconcile.interval-ms", "150"))) {
            List<Vcsim.Host> hosts = vcenter.hosts();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < hosts.size(); i++) {
                    Vcsim.Host each = hosts.get(i);
                    boolean enter = (i + round) % 2 == 0;
                    if (enter) {
                        vcenter.enterMaintenanceMode(each);
                    } else {
                        vcenter.exitMaintenanceMode(each);
                    }
                    VcenterEvent event = (enter ? VcenterEvent.entered(each.name(), each.moref()) : VcenterEvent.exited(each.name(), each.moref()))
                            .source(vcenter.sdk().toString());
                    assertThat((i % 2 == 0 ? integration : second).send(event).statusCode()).isEqualTo(204);
                }
            }
            for (int i = 0; i < hosts.size(); i++) {
                String expected = (i + 2) % 2 == 0 ? "MAINTAINED" : "STARTED";
                awaitState(vrops.resourceId(vcenter.instanceUuid(), hosts.get(i).moref()), expected);
            }
        }
    }

    private void awaitState(String resource, String state) {
        assertThat(poll(PATIENCE, () -> vrops.resourceState(resource), state::equals)).isEqualTo(state);
    }

    private void awaitPasses(long passes) {
        assertThat(poll(PATIENCE, this::passesDone, done -> done >= passes)).isGreaterThanOrEqualTo(passes);
    }

    private long passesDone() {
        var timer = integration.context().getComponent("micrometer", org.apache.camel.component.micrometer.MicrometerComponent.class)
                .getMetricsRegistry().find("vcenter.maintenance.reconcile").tag("outcome", "ok").timer();
        return timer == null ? 0 : timer.count();
    }

    private void awaitRepairs(String direction, double expected) {
        assertThat(poll(Duration.ofSeconds(5), () -> repairs(direction), done -> done >= expected)).isEqualTo(expected);
    }

    private double repairs(String direction) {
        var counter = integration.context().getComponent("micrometer", org.apache.camel.component.micrometer.MicrometerComponent.class)
                .getMetricsRegistry().find("vcenter.maintenance.repairs").tag("direction", direction).counter();
        return counter == null ? 0 : counter.count();
    }

    private IntegrationHarness startIntegration() throws Exception {
        return startIntegration(Map.of());
    }

    private IntegrationHarness startIntegration(Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>();
        all.put("vcenter.names", "lab");
        all.put("vcenter.lab.url", vcenter.sdk().toString());
        all.put("vcenter.lab.username", Vcsim.USERNAME);
        all.put("vcenter.lab.password-file", IntegrationHarness.passwordFile(VCENTER_PASSWORD).toString());
        all.put("vcenter.lab.tls.ca-file", vcenter.caCertificatePem().toString());
        // one pass at start only, unless a test asks for more
        all.put("reconcile.interval-ms", "3600000");
        all.put("reconcile.hold-minutes", "180");
        all.putAll(settings);
        IntegrationHarness started = IntegrationHarness.against(vrops, all);
        // the pass at start reads vCenter once: a test that changes vCenter while it runs would race with it
        poll(PATIENCE, () -> passesEnded(started), ended -> ended > 0);
        return started;
    }

    private static long passesEnded(IntegrationHarness integration) {
        return integration.context().getComponent("micrometer", org.apache.camel.component.micrometer.MicrometerComponent.class)
                .getMetricsRegistry().find("vcenter.maintenance.reconcile").timers().stream().mapToLong(timer -> timer.count()).sum();
    }

    private VcenterEvent entered() {
        return VcenterEvent.entered(host.name(), host.moref()).source(vcenter.sdk().toString());
    }

    private VcenterEvent exited() {
        return VcenterEvent.exited(host.name(), host.moref()).source(vcenter.sdk().toString());
    }

    private static String withoutKey(VcenterEvent event) {
        return event.body().replaceFirst("\"Key\":\\d+,?", "").replaceFirst("\"CreatedTime\":\"[^\"]*\",?", "");
    }

    private HttpResponse<String> send(VcenterEvent event) {
        return integration.send(event);
    }
}
