package maintsync.k8s;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import maintsync.VcenterEvent;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;

/**
 * Each Pipe of k8s/pipes/ marks or unmarks a host in vROps when its Broker event arrives, configured only by the
 * Secret of vrops-secret.example.yaml (its placeholders replaced by the simulator's address and administrator).
 * The Pipes have no TLS beans: a self-signed vROps is trusted through the camel.ssl.* lines of that Secret.
 */
class PipesRunLocallyTest {

    private static final Path ENTER = Manifests.PIPES.resolve("vcenter-maintenance-enter.pipe.yaml");
    private static final Path EXIT = Manifests.PIPES.resolve("vcenter-maintenance-exit.pipe.yaml");

    @Test
    void theEnterPipeMarksTheHostMaintained() throws Exception {
        try (VropsSimulator vrops = VropsSimulator.builder().https(false).start();
                PipeRunner enter = new PipeRunner(ENTER, secret(vrops))) {

            assertThat(enter.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);

            assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("MAINTAINED_MANUAL");
            // a token per event, given back once the event is applied
            assertThat(vrops.count(Operation.ACQUIRE_TOKEN)).isEqualTo(1);
            assertThat(vrops.count(Operation.RELEASE_TOKEN)).isEqualTo(1);
            assertThat(vrops.activeTokens()).isZero();
        }
    }

    @Test
    void theExitPipeEndsTheMaintenanceTheEnterPipeStarted() throws Exception {
        try (VropsSimulator vrops = VropsSimulator.builder().https(false).start()) {
            String host = vrops.resourceId(VCSA01_UUID, "host-19");
            try (PipeRunner enter = new PipeRunner(ENTER, secret(vrops))) {
                enter.send(VcenterEvent.entered("esx02.cl.vmweventbroker.io", "host-19"));
            }
            assertThat(vrops.resourceState(host)).isEqualTo("MAINTAINED_MANUAL");

            try (PipeRunner exit = new PipeRunner(EXIT, secret(vrops))) {
                assertThat(exit.send(VcenterEvent.exited("esx02.cl.vmweventbroker.io", "host-19")).statusCode()).isEqualTo(204);
            }

            assertThat(vrops.resourceState(host)).isEqualTo("STARTED");
        }
    }

    @Test
    void aSelfSignedVropsIsTrustedThroughTheCamelSslSettingsOfTheSecret() throws Exception {
        try (VropsSimulator vrops = VropsSimulator.builder().start()) {
            Map<String, String> secret = secret(vrops);
            // The commented-out lines of vrops-secret.example.yaml, with the simulator's trust store.
            secret.put("camel.ssl.enabled", "true");
            secret.put("camel.ssl.trustStore", "file:" + vrops.trustStorePkcs12());
            secret.put("camel.ssl.trustStorePassword", VropsSimulator.TRUST_STORE_PASSWORD);
            secret.put("camel.component.https.useGlobalSslContextParameters", "true");

            try (PipeRunner enter = new PipeRunner(ENTER, secret)) {
                assertThat(enter.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
            }

            assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("MAINTAINED_MANUAL");
        }
    }

    /** Why the Pipes' limits are documented: a failure goes to the dead letter, and the Broker hears 204 all the same. */
    @Test
    void withoutTrustTheEventFailsYetTheBrokerHears204() throws Exception {
        try (VropsSimulator vrops = VropsSimulator.builder().start();
                PipeRunner enter = new PipeRunner(ENTER, secret(vrops))) {

            assertThat(enter.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);

            assertThat(vrops.count(Operation.MARK_MAINTAINED)).isZero();
            assertThat(vrops.resourceState(vrops.resourceId(VCSA01_UUID, "host-21"))).isEqualTo("STARTED");
        }
    }

    /** The example Secret's settings, pointed at the simulator and its administrator. */
    private static Map<String, String> secret(VropsSimulator vrops) {
        Map<String, String> settings = new LinkedHashMap<>(Manifests.secretExampleProperties());
        settings.put("vrops.url", vrops.baseUri().toString());
        settings.put("vrops.username", "admin");
        // the Secret vrops-password, mounted as properties
        settings.put("vrops.password", "sim-admin-password");
        return settings;
    }
}
