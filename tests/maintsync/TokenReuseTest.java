package maintsync;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.vrops.Inventory;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One vROps token serves many events; an expired one is replaced exactly once; refused credentials are a 403. */
class TokenReuseTest {

    @RegisterExtension
    final IntegrationUnderTest stack = IntegrationUnderTest.perTest();
    private final VropsSimulator vrops = stack.vrops();
    private IntegrationHarness integration;

    @Test
    void manyEventsShareOneTokenAndOneLookupPerHost() throws Exception {
        integration = stack.start();

        for (int round = 0; round < 5; round++) {
            assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
            assertThat(integration.send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
            assertThat(integration.send(VcenterEvent.entered("esx10.lab.local", "host-11").eventRouterFormat()).statusCode()).isEqualTo(204);
        }

        assertThat(vrops.count(Operation.ACQUIRE_TOKEN)).isEqualTo(1);
        assertThat(vrops.count(Operation.LOOKUP_BY_KIND)).isEqualTo(2);
        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isEqualTo(10);
        assertThat(vrops.count(Operation.UNMARK_MAINTAINED)).isEqualTo(5);
        assertThat(vrops.requests()).filteredOn(request -> request.operation() != Operation.ACQUIRE_TOKEN)
                .allSatisfy(request -> {
                    assertThat(request.header("authorization")).startsWith("vRealizeOpsToken ");
                    assertThat(request.header("accept")).isEqualTo("application/json");
                });
    }

    @Test
    void aBurstOfEventsOnAColdStartAcquiresOneToken() throws Exception {
        try (VropsSimulator fleet = VropsSimulator.builder().inventory(Inventory.generated(1, 16)).start();
                IntegrationHarness fleetIntegration = IntegrationHarness.against(fleet)) {
            fleet.faults().latency(Duration.ofMillis(150));
            ExecutorService broker = Executors.newFixedThreadPool(16);
            try {
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int host = 1; host <= 16; host++) {
                    VcenterEvent enter = VcenterEvent.entered("esx-1-%03d.gen.local".formatted(host), "host-" + host)
                            .source("https://vcsa-1.gen.local/sdk");
                    VcenterEvent delivered = host % 2 == 0 ? enter : enter.eventRouterFormat();
                    answers.add(broker.submit(() -> fleetIntegration.send(delivered)));
                }
                for (Future<HttpResponse<String>> answer : answers) {
                    assertThat(answer.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
                }
            } finally {
                broker.shutdownNow();
            }

            assertThat(fleet.count(Operation.ACQUIRE_TOKEN)).isEqualTo(1);
            assertThat(fleet.count(Operation.MARK_MAINTAINED)).isEqualTo(16);
        }
    }

    @Test
    void theTokenIsReleasedWhenTheIntegrationStops() throws Exception {
        integration = stack.start();
        integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));
        assertThat(vrops.activeTokens()).isEqualTo(1);

        integration.close();

        assertThat(vrops.count(Operation.RELEASE_TOKEN)).isEqualTo(1);
        assertThat(vrops.activeTokens()).isZero();
    }

    @Test
    void anExpiredTokenIsReacquiredOnceAndTheEventStillApplies() throws Exception {
        integration = stack.start();
        integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));
        vrops.expireAllTokens();

        HttpResponse<String> answer = integration.send(VcenterEvent.exited("esx01.lab.local", "host-21"));

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(vrops.count(Operation.ACQUIRE_TOKEN)).isEqualTo(2);
        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("STARTED");
    }

    @Test
    void aTokenRefusedRightAfterAcquiringIsAConfigurationError() throws Exception {
        integration = stack.start();
        vrops.faults().failNext(Operation.LOOKUP_BY_KIND, 2, 401);

        HttpResponse<String> answer = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).isEqualTo("vROps refused the host lookup of user admin (HTTP 401)");
        assertThat(vrops.count(Operation.ACQUIRE_TOKEN)).isEqualTo(2);
    }

    @Test
    void aWrongPasswordIsAnsweredWith403() throws Exception {
        integration = stack.start(Map.of("vrops.password", "not-the-password"));

        HttpResponse<String> answer = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).doesNotContain("not-the-password");
        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isZero();
    }

    @Test
    void aUserWithoutTheMaintenanceRightIsAnsweredWith403() throws Exception {
        integration = stack.start(Map.of("vrops.username", "viewer", "vrops.password", "sim-viewer-password"));

        HttpResponse<String> answer = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).isEqualTo("vROps refused the enter maintenance of user viewer (HTTP 403)");
        assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("STARTED");
    }

    @Test
    void anImportedAuthSourceIsSentWithTheCredentials() throws Exception {
        try (IntegrationHarness ldapIntegration = IntegrationHarness.against(vrops,
                Map.of("vrops.username", "ldap-user", "vrops.password", "sim-ldap-password", "vrops.auth-source", "Corp LDAP"))) {
            assertThat(ldapIntegration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        }
        assertThat(vrops.requests()).filteredOn(request -> request.operation() == Operation.ACQUIRE_TOKEN)
                .singleElement()
                .satisfies(acquire -> assertThat(new ObjectMapper().readTree(acquire.body()).path("authSource").asText())
                        .isEqualTo("Corp LDAP"));
    }
}
