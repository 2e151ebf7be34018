package maintsync;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import maintsync.vrops.Operation;
import maintsync.vrops.VropsOpenApi;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Enter and exit events, in both CloudEvent formats, mark and unmark the host in vROps over real HTTP. */
class HostMaintenanceSyncTest {

    private static VropsSimulator vrops;
    private static IntegrationHarness integration;

    @BeforeAll
    static void start() throws Exception {
        vrops = VropsSimulator.builder().start();
        integration = IntegrationHarness.against(vrops);
    }

    @AfterAll
    static void stop() {
        if (integration != null) {
            integration.close();
        }
        vrops.close();
    }

    @BeforeEach
    void forgetEarlierRequests() {
        vrops.clearRequests();
    }

    @AfterEach
    void everyRequestMatchesTheVendorOpenApi() {
        VropsOpenApi.load().assertRequestsValid(vrops.requests());
    }

    @Test
    void enterMarksTheHostMaintainedAndExitRestoresIt() {
        String host = vrops.resourceId(VCSA01_UUID, "host-21");

        HttpResponse<String> entered = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(entered.statusCode()).isEqualTo(204);
        assertThat(entered.body()).isEmpty();
        assertThat(vrops.resourceState(host)).isEqualTo("MAINTAINED_MANUAL");

        HttpResponse<String> exited = integration.send(VcenterEvent.exited("esx01.lab.local", "host-21"));

        assertThat(exited.statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(host)).isEqualTo("STARTED");
    }

    @Test
    void eventRouterFormatMarksAndUnmarksTheHost() {
        String host = vrops.resourceId(VCSA01_UUID, "host-19");

        assertThat(integration.send(VcenterEvent.entered("esx02.cl.vmweventbroker.io", "host-19").eventRouterFormat()).statusCode())
                .isEqualTo(204);
        assertThat(vrops.resourceState(host)).isEqualTo("MAINTAINED_MANUAL");

        assertThat(integration.send(VcenterEvent.exited("esx02.cl.vmweventbroker.io", "host-19").eventRouterFormat()).statusCode())
                .isEqualTo(204);
        assertThat(vrops.resourceState(host)).isEqualTo("STARTED");
    }

    @Test
    void theAnswerCarriesNoHeaderOfTheExchange() {
        HttpResponse<String> answer = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(answer.headers().map().keySet())
                .noneMatch(name -> name.equalsIgnoreCase("authorization") || name.toLowerCase().startsWith("ce-")
                        || name.toLowerCase().startsWith("camel"));
        integration.send(VcenterEvent.exited("esx01.lab.local", "host-21"));
    }

    @Test
    void aHostUnknownToVropsIsAcknowledgedAndSkipped() {
        HttpResponse<String> answer = integration.send(VcenterEvent.entered("esx99.lab.local", "host-99"));

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(vrops.count(Operation.MARK_MAINTAINED)).isZero();
    }
}
