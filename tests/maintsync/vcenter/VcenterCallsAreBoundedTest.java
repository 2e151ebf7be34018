package maintsync.vcenter;

import static maintsync.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import maintsync.IntegrationHarness;
import maintsync.VcenterEvent;
import maintsync.vrops.VropsSimulator;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A vCenter that answers badly cannot hold the integration: an endless answer ends at {@code vcenter.max-answer-bytes},
 * a trickling one at its call's deadline, a pass at its own deadline while another vCenter's passes go on, and after
 * vCenter forgets the session the integration logs in again in a clean one. The vCenter is {@link HostileVcenter}.
 */
class VcenterCallsAreBoundedTest {

    /** What a test waits at most for passes, and for vROps's state after them. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static final String PASSWORD = "reader-pw";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HostileVcenter vcenter;
    private HostileVcenter other;
    private VropsSimulator vrops;
    private IntegrationHarness integration;

    @AfterEach
    void stop() {
        try {
            WithVcenter.stop(integration, vrops, vcenter);
        } finally {
            if (other != null) {
                other.close();
            }
        }
    }

    @Test
    void anEventDuringAnEndlessAnswerIs503AtTheSizeLimit() throws Exception {
        vcenter = HostileVcenter.start("127.0.0.2", PASSWORD, 2);
        integration = start(Map.of("vcenter.max-answer-bytes", "1048576"));
        vcenter.answer("RetrievePropertiesEx", HostileVcenter.Answer.ENDLESS);

        long start = System.nanoTime();
        HttpResponse<String> answer = integration.send(event(vcenter, 0));

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).contains("vCenter lab's answer to RetrievePropertiesEx is larger than vcenter.max-answer-bytes (1048576 bytes)");
        // it ended instead of reading on: the default deadline (vcenter.timeout-ms) had not come
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        // it stopped reading at the limit: what vCenter sent beyond it is what the sockets' buffers took
        await(PATIENCE, () -> vcenter.badBytesSent() > 0, "the vCenter sending its bad answer");
        assertThat(vcenter.badBytesSent()).isLessThan(16L << 20);
    }

    @Test
    void anEventDuringATricklingAnswerIs503AtTheCallsDeadline() throws Exception {
        vcenter = HostileVcenter.start("127.0.0.2", PASSWORD, 2);
        integration = start(Map.of("vcenter.timeout-ms", "2000"));
        vcenter.answer("RetrievePropertiesEx", HostileVcenter.Answer.TRICKLE);

        long start = System.nanoTime();
        HttpResponse<String> answer = integration.send(event(vcenter, 0));

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).contains("vCenter lab did not answer RetrievePropertiesEx within vcenter.timeout-ms (2000 ms)");
        // a byte a second never lets a read time out: the deadline of the whole call ended it
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(2000), Duration.ofSeconds(10));
    }

    @Test
    void aTricklingVcentersPassRunsOutOfTimeWhileAnotherVcentersPassesGoOn() throws Exception {
        vcenter = HostileVcenter.start("127.0.0.2", PASSWORD, 2);
        other = HostileVcenter.start("127.0.0.3", PASSWORD, 2);
        vcenter.answer("RetrievePropertiesEx", HostileVcenter.Answer.TRICKLE);
        vrops = WithVcenter.vropsKnowing(vcenter, other);
        Map<String, String> settings = new HashMap<>(WithVcenter.settings("slow", vcenter, PASSWORD, Map.of()));
        settings.putAll(WithVcenter.settings("well", other, PASSWORD, Map.of()));
        settings.putAll(Map.of("vcenter.names", "slow,well", "reconcile.interval-ms", "200", "reconcile.pass-timeout-ms", "4000"));
        integration = IntegrationHarness.against(vrops, settings);

        // while the slow vCenter's first pass waits for its hosts, the other's passes go on
        await(PATIENCE, () -> passes("well", "ok") >= 3, "three passes ok of vCenter well");
        assertThat(passes("slow", "timeout") + passes("slow", "failed")).isZero();
        assertThat(registry().find("vcenter.maintenance.reconcile.last.success.timestamp").tag("vcenter", "well").gauge()).isNotNull();

        await(PATIENCE, () -> passes("slow", "timeout") >= 1, "a pass out of time of vCenter slow");
        assertThat(registry().find("vcenter.maintenance.reconcile.failures").tag("vcenter", "slow").counter().count()).isGreaterThanOrEqualTo(1);
        Timer slow = registry().find("vcenter.maintenance.reconcile").tags("vcenter", "slow", "outcome", "timeout").timer();
        // it ended by its deadline, not when vCenter's answer would have
        assertThat(slow.max(TimeUnit.MILLISECONDS)).isBetween(4000.0, 14000.0);
        JsonNode page = JSON.readTree(integration.send(HttpRequest.newBuilder(integration.managementUri().resolve("observe/hosts"))
                .header("Accept", "application/json").GET().build()).body());
        JsonNode pass = null;
        for (JsonNode each : page.path("passes")) {
            if (each.path("vcenter").asText().equals("slow")) {
                pass = each;
            }
        }
        assertThat(pass).isNotNull();
        assertThat(pass.path("outcome").asText()).isEqualTo("timeout");
        assertThat(pass.path("reason").asText())
                .isEqualTo("vCenter slow did not answer RetrievePropertiesEx by the end of its reconcile pass (reconcile.pass-timeout-ms, 4000 ms)");
    }

    @Test
    void afterNotAuthenticatedTheLoginStartsACleanSession() throws Exception {
        vcenter = HostileVcenter.start("127.0.0.2", PASSWORD, 2);
        integration = start(Map.of());
        Vcsim.Host host = vcenter.hosts().get(0);
        vcenter.inMaintenanceMode(host, true);
        vcenter.answer("RetrievePropertiesEx", HostileVcenter.Answer.NOT_AUTHENTICATED);

        assertThat(integration.send(event(vcenter, 0)).statusCode()).isEqualTo(204);

        List<HostileVcenter.Call> logins = vcenter.calls().stream().filter(call -> call.method().equals("Login")).toList();
        assertThat(logins).hasSize(2);
        // vCenter refuses a Login with the cookie of a session it has forgotten: every event would be answered 403
        assertThat(logins.get(1).cookie()).isNull();
        assertThat(vrops.resourceState(vrops.resourceId(vcenter.instanceUuid(), host.moref()))).isEqualTo("MAINTAINED");
    }

    /** The integration with this one vCenter, named lab, once its first pass read it; no retries of a failed event. */
    private IntegrationHarness start(Map<String, String> more) throws Exception {
        vrops = WithVcenter.vropsKnowing(vcenter);
        Map<String, String> settings = new HashMap<>(more);
        settings.put("vrops.retries", "0");
        // these count the calls of events and passes; the watch's own, on a session of its own, are VcenterWatchTest's
        settings.put("vcenter.watch", "false");
        IntegrationHarness started = IntegrationHarness.against(vrops, WithVcenter.settings("lab", vcenter, PASSWORD, settings));
        integration = started;
        assertThat(started.awaitReady(Duration.ofSeconds(20)).statusCode()).isEqualTo(200);
        await(PATIENCE, () -> passes("lab", "ok") >= 1, "a pass ok of vCenter lab");
        return started;
    }

    private static VcenterEvent event(HostileVcenter vcenter, int host) {
        Vcsim.Host named = vcenter.hosts().get(host);
        return VcenterEvent.entered(named.name(), named.moref()).key(7001).source(vcenter.sdk().toString());
    }

    private double passes(String vcenter, String outcome) {
        Timer timer = registry().find("vcenter.maintenance.reconcile").tags("vcenter", vcenter, "outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }

    private MeterRegistry registry() {
        return integration.context().getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry();
    }
}
