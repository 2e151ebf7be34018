package maintsync;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import maintsync.vrops.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Enter and exit events, in both CloudEvent formats, mark and unmark the host in vROps over real HTTP. */
class HostMaintenanceSyncTest {

    @RegisterExtension
    static final IntegrationUnderTest stack = IntegrationUnderTest.sharedByTheClass();

    @Test
    void enterMarksTheHostMaintainedAndExitRestoresIt() {
        String host = stack.vrops().resourceId(VCSA01_UUID, "host-21");

        HttpResponse<String> entered = stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(entered.statusCode()).isEqualTo(204);
        assertThat(entered.body()).isEmpty();
        assertThat(stack.vrops().resourceState(host)).isEqualTo("MAINTAINED_MANUAL");

        HttpResponse<String> exited = stack.integration().send(VcenterEvent.exited("esx01.lab.local", "host-21"));

        assertThat(exited.statusCode()).isEqualTo(204);
        assertThat(stack.vrops().resourceState(host)).isEqualTo("STARTED");
    }

    @Test
    void eventRouterFormatMarksAndUnmarksTheHost() {
        String host = stack.vrops().resourceId(VCSA01_UUID, "host-19");

        assertThat(stack.integration().send(VcenterEvent.entered("esx02.cl.vmweventbroker.io", "host-19").eventRouterFormat()).statusCode())
                .isEqualTo(204);
        assertThat(stack.vrops().resourceState(host)).isEqualTo("MAINTAINED_MANUAL");

        assertThat(stack.integration().send(VcenterEvent.exited("esx02.cl.vmweventbroker.io", "host-19").eventRouterFormat()).statusCode())
                .isEqualTo(204);
        assertThat(stack.vrops().resourceState(host)).isEqualTo("STARTED");
    }

    @Test
    void theAnswerCarriesNoHeaderOfTheExchange() {
        HttpResponse<String> answer = stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(answer.headers().map().keySet())
                .noneMatch(name -> name.equalsIgnoreCase("authorization") || name.toLowerCase().startsWith("ce-")
                        || name.toLowerCase().startsWith("camel"));
        stack.integration().send(VcenterEvent.exited("esx01.lab.local", "host-21"));
    }

    @Test
    void aHostUnknownToVropsIsAcknowledgedAndSkipped() {
        HttpResponse<String> answer = stack.integration().send(VcenterEvent.entered("esx99.lab.local", "host-99"));

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(stack.vrops().count(Operation.MARK_MAINTAINED)).isZero();
    }

    /**
     * A remembered resource id vROps no longer knows is forgotten and the host looked up once more: skipped while vROps
     * does not know the host, applied by the next event once it does.
     */
    @Test
    void aResourceIdVropsNoLongerKnowsIsLookedUpOnceMore() {
        String host = stack.vrops().resourceId(VCSA01_UUID, "host-21");
        assertThat(stack.integration().send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        stack.vrops().known(host, false);
        stack.vrops().clearRequests();

        assertThat(stack.integration().send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);

        assertThat(stack.vrops().count(Operation.UNMARK_MAINTAINED)).isEqualTo(1);
        assertThat(stack.vrops().count(Operation.LOOKUP_BY_KIND) + stack.vrops().count(Operation.GET_RESOURCES)).isEqualTo(1);
        stack.vrops().known(host, true);
        assertThat(stack.vrops().resourceState(host)).isEqualTo("MAINTAINED_MANUAL");

        assertThat(stack.integration().send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        assertThat(stack.vrops().resourceState(host)).isEqualTo("STARTED");
    }
}
