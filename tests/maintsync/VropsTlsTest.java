package maintsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real TLS handshake with the simulator's self-signed CA: refused by default, trusted through vrops.tls.ca-file. */
class VropsTlsTest {

    @RegisterExtension
    final IntegrationUnderTest stack = IntegrationUnderTest.perTest();
    private final VropsSimulator vrops = stack.vrops();
    private IntegrationHarness integration;

    @Test
    void anUntrustedCertificateIsAConfigurationError() throws Exception {
        integration = stack.start(Map.of("vrops.tls.ca-file", ""));

        HttpResponse<String> answer = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).containsIgnoringCase("certificat");
        assertThat(vrops.count(Operation.ACQUIRE_TOKEN)).isZero();
    }

    @Test
    void theConfiguredCaBundleIsTrusted() throws Exception {
        integration = stack.start();

        assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
    }

    @Test
    void theInsecureSwitchSkipsVerificationAndWarnsOnce() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (LogCapture capture = LogCapture.everythingAtTrace(line -> {
            if (line.contains("NOT verified")) {
                warnings.add(line);
            }
        })) {
            integration = stack.start(Map.of("vrops.tls.ca-file", "", "vrops.tls.insecure", "true"));

            assertThat(integration.send(VcenterEvent.entered("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
            assertThat(integration.send(VcenterEvent.exited("esx01.lab.local", "host-21")).statusCode()).isEqualTo(204);
        }

        assertThat(warnings).singleElement().asString().contains("vrops.tls.insecure=true");
    }

    @Test
    void aMissingCaFileStopsTheStartWithItsName() {
        assertThatThrownBy(() -> stack.start(Map.of("vrops.tls.ca-file", "/nonexistent/vrops-ca.pem")))
                .hasStackTraceContaining("vrops.tls.ca-file /nonexistent/vrops-ca.pem is not a readable file");
    }

    /**
     * http:// is refused at start, before any call: the token request would carry the password in clear text. The
     * simulator serving plain HTTP shows that nothing reached it; every other test speaks HTTPS to it.
     */
    @Test
    void anHttpUrlIsRefusedAtStartAndNothingIsSent() {
        try (VropsSimulator plain = VropsSimulator.builder().https(false).start()) {
            assertThat(plain.baseUri().getScheme()).isEqualTo("http");

            assertThatThrownBy(() -> IntegrationHarness.against(plain).close())
                    .hasStackTraceContaining("vrops.url " + plain.baseUri() + " is no https:// URL: vROps serves its API over "
                            + "HTTPS only, and the password must not cross the network in clear text");
            assertThat(plain.requests()).isEmpty();
        }
    }
}
