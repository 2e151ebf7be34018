package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import maintsync.vrops.Operation;
import maintsync.vrops.RecordedRequest;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;

/**
 * A whole run, from start to stop with every logger at TRACE, logs neither the vROps password nor any token vROps
 * issued. Held back are only the loggers that print raw HTTP requests, resolved settings or the arguments of bean
 * calls (the Kamelet keeps its token in a map), which the shipped configuration pins at INFO.
 */
class SecretsStayOutOfLogsTest {

    private static final String PASSWORD = "sim-admin-password";

    @Test
    void noPasswordAndNoTokenInAnyLogLine() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<RecordedRequest> requests;
        try (LogCapture capture = LogCapture.everythingAtTrace(lines::add); VropsSimulator vrops = VropsSimulator.builder().start()) {
            try (IntegrationHarness integration = IntegrationHarness.against(vrops)) {
                integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));
                vrops.expireAllTokens();
                integration.send(VcenterEvent.exited("esx01.lab.local", "host-21").eventRouterFormat());
                vrops.faults().failNext(Operation.MARK_MAINTAINED, 5, 503);
                integration.send(VcenterEvent.entered("esx10.lab.local", "host-11"));
                integration.send(VcenterEvent.entered("esx01.lab.local", "host-21").body("{"));
                integration.send(VcenterEvent.entered("esx99.lab.local", "host-99"));
            }
            requests = vrops.requests();
        }

        List<String> secrets = LogCapture.secrets(PASSWORD, requests);
        assertThat(secrets).hasSize(5);
        assertThat(lines).hasSizeGreaterThan(1000).anyMatch(line -> line.contains("Acquired a vROps token"));
        assertThat(lines).as("log lines holding a secret").filteredOn(line -> secrets.stream().anyMatch(line::contains)).isEmpty();
    }

    @Test
    void theShippedConfigurationPinsTheRawHttpLoggers() throws Exception {
        String settings = Files.readString(Path.of("application.properties"));

        for (String logger : LogCapture.CONFIDENTIAL_LOGGERS) {
            assertThat(settings).contains("quarkus.log.category.\"" + logger + "\".level=INFO");
        }
    }
}
