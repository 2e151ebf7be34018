package maintsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A setting with a value the integration cannot honour stops the start, naming the setting, before any call: read as
 * it was before, each of these would have failed an event, waited without end, retried without end, turned a watch or
 * a check off without a word, or left hosts in a maintenance vROps never ends.
 */
class SettingsRefusedAtStartTest {

    private static VropsSimulator vrops;

    @BeforeAll
    static void start() {
        vrops = VropsSimulator.builder().start();
    }

    @AfterAll
    static void stop() {
        vrops.close();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        // duration=0 would make each timed maintenance a manual one, which no pass ever ends
        "reconcile.hold-minutes | 0 | reconcile.hold-minutes=\"0\" is refused: a whole number from 1 to 2147483647 is expected",
        // Camel's redelivery without end
        "vrops.retries | -1 | vrops.retries=\"-1\" is refused: a whole number from 0 to 10 is expected",
        "vrops.response-timeout-ms | 10s | vrops.response-timeout-ms=\"10s\" is refused: a whole number from 1 to 2147483647 is expected",
        "vcenter.timeout-ms | 0 | vcenter.timeout-ms=\"0\" is refused: a whole number from 1 to 2147483647 is expected",
        "events.body-timeout-ms | 0 | events.body-timeout-ms=\"0\" is refused: a whole number from 1 to 2147483647 is expected",
        "vrops.maintenance-minutes | -5 | vrops.maintenance-minutes=\"-5\" is refused: a whole number from 0 to 2147483647 is expected",
        "vcenter.watch | flase | vcenter.watch=\"flase\" is refused: true or false is expected",
        "vrops.tls.insecure | yes | vrops.tls.insecure=\"yes\" is refused: true or false is expected",
        // a pair ignored would leave that vCenter's hosts to the lookup by name
        "vrops.vcenter-uuids | vcsa01.lab.local:u1 | vrops.vcenter-uuids: \"vcsa01.lab.local:u1\" is refused",
        // the shipped hold of 15 minutes would end before each next pass
        "reconcile.interval-ms | 3600000 | reconcile.hold-minutes=15 is refused: the timed maintenance must outlast reconcile.interval-ms (3600000 ms)",
    })
    void aValueThatCannotBeHonouredStopsTheStartByName(String setting, String value, String refusal) {
        vrops.clearRequests();

        assertThatThrownBy(() -> IntegrationHarness.against(vrops, Map.of(setting, value)).close()).hasStackTraceContaining(refusal);

        assertThat(vrops.requests()).as("calls to vROps").isEmpty();
    }
}
