package maintsync.vcenter;

import static maintsync.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import maintsync.IntegrationHarness;
import maintsync.VcenterEvent;
import maintsync.vrops.VropsSimulator;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code events.entering-maintenance}: a host is silenced when its evacuation starts, while vCenter's enter task runs
 * (runtime.inMaintenanceMode still false), and monitored again when that task fails or is cancelled. vcsim holds the
 * task running ({@code -hold-enter-tasks}) until the test ends it with SetTaskState or CancelTask.
 */
class EnteringMaintenanceTest {

    /** What a test waits at most for passes, and for vROps's state after them. */
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private static final String PASSWORD = "reader-pw";

    private Vcsim vcenter;
    private VropsSimulator vrops;
    private IntegrationHarness integration;
    private Vcsim.Host host;
    private String resourceId;

    @BeforeEach
    void start() {
        vcenter = Vcsim.start(PASSWORD, List.of("-hold-enter-tasks"));
        vrops = WithVcenter.vropsKnowing(vcenter);
        host = vcenter.hosts().get(1);
        resourceId = vrops.resourceId(vcenter.instanceUuid(), host.moref());
    }

    @AfterEach
    void stop() {
        WithVcenter.stop(integration, vrops, vcenter);
    }

    @Test
    void anEnteringHostIsSilencedWhileItsTaskRunsAndMonitoredAgainWhenItIsCancelled() throws Exception {
        integration = startIntegration(Map.of("events.entering-maintenance", "true", "reconcile.interval-ms", "200"));
        String task = vcenter.enterMaintenanceModeHeld(host);
        assertThat(vcenter.taskState(task)).isEqualTo("running");

        assertThat(integration.send(entering()).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resourceId)).isEqualTo("MAINTAINED");
        // passes keep it while the task runs: vCenter's runtime.inMaintenanceMode is still false
        double passes = passes();
        await(PATIENCE, () -> passes() >= passes + 2, "two more passes");
        assertThat(vrops.resourceState(resourceId)).isEqualTo("MAINTAINED");
        assertThat(level("vcenter_state", "entering", "vrops_state", "maintained")).isEqualTo(1);

        vcenter.cancelTask(task);
        await(PATIENCE, () -> vrops.resourceState(resourceId).equals("STARTED"), "the host unmarked in vROps");
        assertThat(vcenter.taskState(task)).isEqualTo("error");
    }

    @Test
    void aLostEnteringIsRepairedByAPassAndTheEnteredThatFollowsIsApplied() throws Exception {
        integration = startIntegration(Map.of("events.entering-maintenance", "true", "reconcile.interval-ms", "200"));
        String task = vcenter.enterMaintenanceModeHeld(host); // its Entering never arrives

        await(PATIENCE, () -> vrops.resourceState(resourceId).equals("MAINTAINED"), "the host marked in vROps");
        vcenter.finishTask(task, true);
        assertThat(integration.send(VcenterEvent.entered(host.name(), host.moref()).source(vcenter.sdk().toString())).statusCode()).isEqualTo(204);
        double passes = passes();
        await(PATIENCE, () -> passes() >= passes + 2, "two more passes");
        assertThat(vrops.resourceState(resourceId)).isEqualTo("MAINTAINED");
        assertThat(level("vcenter_state", "in_maintenance", "vrops_state", "maintained")).isEqualTo(1);
    }

    @Test
    void anEnteringForAHostWithoutARunningTaskIsContradicted() throws Exception {
        integration = startIntegration(Map.of("events.entering-maintenance", "true"));
        String task = vcenter.enterMaintenanceModeHeld(host);
        vcenter.finishTask(task, false); // failed: the host stays in service

        assertThat(integration.send(entering()).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resourceId)).isEqualTo("STARTED");
        assertThat(registry().find("vcenter.maintenance.events").tags("outcome", "contradicted", "action", "enter").counter().count()).isEqualTo(1);
    }

    @Test
    void offByDefaultTheTypeHasNoConsumerAndTheEventRouterClassIsIgnored() throws Exception {
        integration = startIntegration(Map.of());
        vcenter.enterMaintenanceModeHeld(host);

        var typed = integration.send(entering());
        assertThat(typed.statusCode()).isEqualTo(400);
        assertThat(typed.body()).contains("no consumer for type " + VcenterEvent.ENTERING_TYPE);
        assertThat(integration.send(entering().eventRouterFormat()).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resourceId)).isEqualTo("STARTED");
        assertThat(registry().find("vcenter.maintenance.events").tags("outcome", "ignored").counter().count()).isEqualTo(1);
    }

    @Test
    void withoutAVcenterTheSettingIsRefusedAtStart() {
        assertThatThrownBy(() -> integration = IntegrationHarness.against(vrops, Map.of("events.entering-maintenance", "true")))
                .hasStackTraceContaining("events.entering-maintenance=true needs a vCenter (vcenter.names)");
    }

    private VcenterEvent entering() {
        return VcenterEvent.entering(host.name(), host.moref()).source(vcenter.sdk().toString());
    }

    private double passes() {
        var timer = registry().find("vcenter.maintenance.reconcile").tags("outcome", "ok").timer();
        return timer == null ? 0 : timer.count();
    }

    private double level(String... tags) {
        return registry().find("vcenter.maintenance.hosts").tags(tags).gauge().value();
    }

    private io.micrometer.core.instrument.MeterRegistry registry() {
        return integration.context().getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry();
    }

    private IntegrationHarness startIntegration(Map<String, String> settings) throws Exception {
        return IntegrationHarness.against(vrops, WithVcenter.settings("lab", vcenter, PASSWORD, settings));
    }
}
