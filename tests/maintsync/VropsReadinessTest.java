package maintsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.vrops.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Readiness follows vROps, over real HTTP: ready while vROps answers and accepts the token, not ready only after
 * {@code vrops.readiness.failure-threshold} failed checks in a row, ready again on the first success. Each probe here
 * may start a check ({@code check-interval-ms=0}); the check's details ({@code exposureLevel=full}) tell how many
 * failed in a row, so every step waits for the check it is about.
 */
class VropsReadinessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @RegisterExtension
    final IntegrationUnderTest stack = IntegrationUnderTest.perTest();

    @Test
    void oneFailedCheckIsABlipThreeInARowMakeThePodNotReadyAndOneSuccessBringsItBack() throws Exception {
        stack.start(checkOnEveryProbe(Map.of()));
        Probe ready = probeUntil(probe -> probe.lastSuccess() != null);
        assertThat(ready.status()).isEqualTo(200);

        stack.vrops().faults().nodeOffline(true);
        assertThat(probeUntil(probe -> probe.failuresInARow() == 1).status()).isEqualTo(200);
        assertThat(probeUntil(probe -> probe.failuresInARow() == 2).status()).isEqualTo(200);
        Probe notReady = probeUntil(probe -> probe.failuresInARow() == 3);
        assertThat(notReady.status()).isEqualTo(503);
        assertThat(notReady.message()).isEqualTo("vROps unavailable: it answered HTTP 503 to the token check");
        assertThat(get("observe/health/live").statusCode()).isEqualTo(200);

        stack.vrops().faults().nodeOffline(false);
        assertThat(probeUntil(probe -> probe.failuresInARow() == 0).status()).isEqualTo(200);
        assertThat(stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
    }

    @Test
    void refusedCredentialsMakeThePodNotReadyWithTheReasonAndNoSecret() throws Exception {
        stack.start(checkOnEveryProbe(Map.of("vrops.password", "not-the-password")));

        Probe notReady = probeUntil(probe -> probe.failuresInARow() == 3);

        assertThat(notReady.status()).isEqualTo(503);
        assertThat(notReady.message()).isEqualTo("vROps refused user admin of auth source LOCAL (HTTP 401)");
        assertThat(notReady.body()).doesNotContain("not-the-password");
        assertThat(stack.vrops().count(Operation.CURRENT_USER)).isZero();
    }

    @Test
    void aCheckedTokenIsTheOneEventsUseAndAnExpiredOneIsReplaced() throws Exception {
        stack.start(checkOnEveryProbe(Map.of()));
        probeUntil(probe -> probe.lastSuccess() != null);
        stack.vrops().expireAllTokens();
        String before = probeUntil(probe -> true).lastSuccess();
        probeUntil(probe -> !probe.lastSuccess().equals(before));

        assertThat(stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);

        assertThat(stack.vrops().count(Operation.ACQUIRE_TOKEN)).isEqualTo(2);
        assertThat(stack.vrops().activeTokens()).isEqualTo(1);
    }

    @Test
    void probesAnswerAtOnceWhileVropsIsSlowNotReadyBeforeTheFirstCheckAndCheckAtMostOncePerInterval() throws Exception {
        stack.vrops().faults().latency(Duration.ofSeconds(5));
        stack.start(Map.of("vrops.readiness.check-interval-ms", "3600000"));

        for (int i = 0; i < 20; i++) {
            HttpResponse<String> probe = stack.integration().send(HttpRequest.newBuilder(uri("observe/health/ready"))
                    .timeout(Duration.ofSeconds(2)).GET().build());
            assertThat(probe.statusCode()).isEqualTo(503);
            assertThat(probe.body()).contains("the first vROps check has not finished yet");
        }

        stack.vrops().faults().latency(Duration.ZERO);
        TestSupport.await(PATIENCE, () -> stack.vrops().count(Operation.CURRENT_USER) > 0, "the first vROps check");
        assertThat(stack.integration().awaitReady(PATIENCE).statusCode()).isEqualTo(200);
        assertThat(stack.vrops().count(Operation.CURRENT_USER)).isEqualTo(1);
    }

    /** The first check runs when the integration starts: the first probe finds the pod ready. */
    @Test
    void theFirstCheckRunsAtStartWithoutAProbe() throws Exception {
        stack.start(Map.of("vrops.readiness.check-interval-ms", "3600000"));

        // with an hour between checks, the probes here start none: the one that makes the pod ready ran at start
        assertThat(stack.integration().awaitReady(PATIENCE).statusCode()).isEqualTo(200);
        assertThat(stack.vrops().count(Operation.CURRENT_USER)).isEqualTo(1);
    }

    /**
     * A user that may read but not change maintenance passes the token check; its first maintenance call, refused with
     * 403, makes the pod not ready with the reason, for refusal-hold-ms, then ready again for the next event to try.
     */
    @Test
    void aUserThatMayNotChangeMaintenanceMakesThePodNotReadyForAWhile() throws Exception {
        stack.start(checkOnEveryProbe(Map.of("vrops.username", "viewer", "vrops.password", "sim-viewer-password",
                "vrops.readiness.refusal-hold-ms", "1500")));
        assertThat(probeUntil(probe -> probe.lastSuccess() != null).status()).isEqualTo(200);

        assertThat(stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(403);
        Probe refused = Probe.of(get("observe/health/ready?data=true"));

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.message()).isEqualTo("vROps refused the enter maintenance of user viewer (HTTP 403): "
                + "give the user a role that may start and end maintenance");
        assertThat(refused.check().path("data").path("vrops.reason").asText()).isEqualTo(refused.message());
        assertThat(probeUntil(probe -> probe.status() == 200).check().path("data").has("vrops.reason")).isFalse();
    }

    private static Map<String, String> checkOnEveryProbe(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("vrops.readiness.check-interval-ms", "0");
        all.put("camel.health.exposureLevel", "full");
        return all;
    }

    private Probe probeUntil(Predicate<Probe> condition) throws Exception {
        Probe probe = TestSupport.poll(PATIENCE, () -> Probe.of(get("observe/health/ready?data=true")), condition);
        return condition.test(probe) ? probe : fail("readiness never reached the expected state; last answer: " + probe.body());
    }

    private HttpResponse<String> get(String path) {
        return stack.integration().send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    private URI uri(String path) {
        return stack.integration().managementUri().resolve(path);
    }

    /** One readiness answer, and the vROps check in it. */
    private record Probe(int status, String body, JsonNode check) {

        static Probe of(HttpResponse<String> response) {
            JsonNode answer;
            try {
                answer = JSON.readTree(response.body());
            } catch (JsonProcessingException notJson) {
                return fail("readiness answered no JSON: " + response.body());
            }
            for (JsonNode check : answer.path("checks")) {
                if (check.path("name").asText().equals("vrops")) {
                    return new Probe(response.statusCode(), response.body(), check);
                }
            }
            return fail("no vrops check in " + response.body());
        }

        int failuresInARow() {
            return check.path("data").path("vrops.failures.in.a.row").asInt(-1);
        }

        String lastSuccess() {
            return check.path("data").path("vrops.last.success").textValue();
        }

        String message() {
            return check.path("message").asText();
        }
    }
}
