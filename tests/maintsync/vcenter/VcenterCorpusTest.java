package maintsync.vcenter;

import static maintsync.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.Timer;
import maintsync.IntegrationHarness;
import maintsync.VcenterEvent;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import maintsync.vrops.VropsSimulator;

/**
 * Every hostile or odd answer of a vCenter, in turn, to the read an Enter event makes, gets the answer
 * docs/behaviour.md's vCenter table gives, and changes nothing in vROps that vCenter does not say; after the whole
 * corpus, a normal event is applied and a pass succeeds. The host is out of maintenance mode throughout the corpus:
 * a disguised or withheld answer must not pass for "in maintenance".
 */
class VcenterCorpusTest {

    /** What a test waits at most for passes, and for vROps's state after them. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static final String PASSWORD = "reader-pw";

    private HostileVcenter vcenter;
    private VropsSimulator vrops;
    private IntegrationHarness integration;

    @AfterEach
    void stop() {
        WithVcenter.stop(integration, vrops, vcenter);
    }

    @Test
    void everyAnswerOfTheCorpusIsAnsweredAsDocumentedAndTheIntegrationGoesOn() throws Exception {
        vcenter = HostileVcenter.start("127.0.0.2", PASSWORD, 2);
        vrops = WithVcenter.vropsKnowing(vcenter);
        Map<String, String> settings = new HashMap<>();
        settings.put("vrops.retries", "0");
        settings.put("vcenter.timeout-ms", "1500");
        settings.put("vcenter.max-answer-bytes", "1048576");
        settings.put("reconcile.interval-ms", "300");
        integration = IntegrationHarness.against(vrops, WithVcenter.settings("lab", vcenter, PASSWORD, settings));
        assertThat(integration.awaitReady(Duration.ofSeconds(20)).statusCode()).isEqualTo(200);
        Vcsim.Host host = vcenter.hosts().get(0);
        String resource = vrops.resourceId(vcenter.instanceUuid(), host.moref());

        Map<HostileVcenter.Answer, Integer> expected = Map.of(
                HostileVcenter.Answer.ENDLESS, 503,
                HostileVcenter.Answer.TRICKLE, 503,
                HostileVcenter.Answer.NO_PERMISSION, 403,
                HostileVcenter.Answer.WITHHELD, 403,
                HostileVcenter.Answer.DISGUISED, 204,
                HostileVcenter.Answer.NO_OBJECTS, 204,
                HostileVcenter.Answer.NOT_AUTHENTICATED, 204);
        for (HostileVcenter.Answer answer : HostileVcenter.Answer.values()) {
            if (answer == HostileVcenter.Answer.NORMAL) {
                continue;
            }
            vcenter.answer("RetrievePropertiesEx", answer);
            HttpResponse<String> answered = integration.send(enter(host, answer.ordinal()));

            assertThat(answered.statusCode()).as("%s: %s", answer, answered.body()).isEqualTo(expected.get(answer));
            assertThat(vrops.resourceState(resource)).as("after %s", answer).isEqualTo("STARTED");
        }

        vcenter.answer("RetrievePropertiesEx", HostileVcenter.Answer.NORMAL);
        double passed = passes("ok");
        vcenter.inMaintenanceMode(host, true);
        assertThat(integration.send(enter(host, 100)).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(resource)).isEqualTo("MAINTAINED");
        await(PATIENCE, () -> passes("ok") > passed, "a pass ok after the corpus");
    }

    private VcenterEvent enter(Vcsim.Host host, int key) {
        return VcenterEvent.entered(host.name(), host.moref()).key(7000 + key).source(vcenter.sdk().toString());
    }

    private double passes(String outcome) {
        Timer timer = integration.context().getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry()
                .find("vcenter.maintenance.reconcile").tags("vcenter", "lab", "outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }
}
