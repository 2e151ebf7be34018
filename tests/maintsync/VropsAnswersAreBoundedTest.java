package maintsync;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import maintsync.vrops.Faults;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A vROps that answers without end, or a byte a second, cannot hold an event: the answer ends at
 * {@code vrops.max-answer-bytes}, the call at its deadline ({@code vrops.connect-timeout-ms} plus
 * {@code vrops.response-timeout-ms}), and the event is answered 503, as when vROps is unavailable.
 */
class VropsAnswersAreBoundedTest {

    @RegisterExtension
    final IntegrationUnderTest stack = IntegrationUnderTest.perTest();
    private final VropsSimulator vrops = stack.vrops();

    @Test
    void anEndlessAnswerEndsAtTheSizeLimit() throws Exception {
        IntegrationHarness integration = stack.start(Map.of("vrops.max-answer-bytes", "1048576", "vrops.retries", "0"));
        vrops.faults().answerNext(Operation.MARK_MAINTAINED, 1, Faults.Body.ENDLESS);

        long start = System.nanoTime();
        HttpResponse<String> answer = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).startsWith("vROps unavailable: vROps's answer to PUT /suite-api/api/resources/")
                .endsWith("/maintained is larger than vrops.max-answer-bytes (1048576 bytes)");
        // it ended instead of reading on: the deadline had not come
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(13));
    }

    @Test
    void aTricklingAnswerEndsAtTheCallsDeadline() throws Exception {
        IntegrationHarness integration = stack.start(Map.of("vrops.connect-timeout-ms", "1000", "vrops.response-timeout-ms", "2000",
                "vrops.retries", "0"));
        vrops.faults().answerNext(Operation.MARK_MAINTAINED, 1, Faults.Body.TRICKLE);

        long start = System.nanoTime();
        HttpResponse<String> answer = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).startsWith("vROps unavailable: vROps did not answer PUT /suite-api/api/resources/")
                .endsWith("/maintained within 3000 ms (vrops.connect-timeout-ms + vrops.response-timeout-ms)");
        // a byte a second never lets a read time out: the deadline of the whole call ended it
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(3000), Duration.ofSeconds(10));
        // and the next event goes through
        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("MAINTAINED_MANUAL");
    }
}
