package maintsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import maintsync.vcenter.Vcsim;
import maintsync.vcenter.WithVcenter;
import maintsync.vrops.Inventory;
import maintsync.vrops.Operation;
import maintsync.vrops.RecordedRequest;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Test;

/**
 * A whole run with a vCenter, from start to stop with every logger at TRACE, logs neither the vROps password, nor any
 * token vROps issued, nor the vCenter password, nor the vCenter session cookie. Held back are only the loggers the
 * shipped configuration pins at INFO: those that print raw HTTP requests, cookies, resolved settings or the arguments
 * of bean calls (the Kamelet keeps its token in a map).
 */
class SecretsStayOutOfLogsTest {

    private static final String PASSWORD = "sim-admin-password";
    private static final String VCENTER_PASSWORD = "vc-reader-pw-7d3e";

    @Test
    void noPasswordTokenOrSessionCookieInAnyLogLine() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<RecordedRequest> requests;
        List<String> sessions;
        try (LogCapture capture = LogCapture.everythingAtTrace(lines::add); Vcsim vcenter = Vcsim.start(VCENTER_PASSWORD);
                VropsSimulator vrops = knowingTheDefaultsAnd(vcenter)) {
            Vcsim.Host host = vcenter.hosts().get(1);
            vcenter.enterMaintenanceMode(host);
            try (IntegrationHarness integration = IntegrationHarness.against(vrops,
                    WithVcenter.settings("lab", vcenter, VCENTER_PASSWORD, Map.of("reconcile.interval-ms", "200")))) {
                integration.send(VcenterEvent.entered(host.name(), host.moref()).source(vcenter.sdk().toString()));
                integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));
                vrops.expireAllTokens();
                integration.send(VcenterEvent.exited("esx01.lab.local", "host-21").eventRouterFormat());
                vrops.faults().failNext(Operation.MARK_MAINTAINED, 5, 503);
                integration.send(VcenterEvent.entered("esx10.lab.local", "host-11"));
                integration.send(VcenterEvent.entered("esx01.lab.local", "host-21").body("{"));
                integration.send(VcenterEvent.entered("esx99.lab.local", "host-99"));
                awaitPasses(lines, 3);
                // read while the integration is logged in: its logout at stop ends the session
                sessions = vcenter.otherSessionKeys();
            }
            requests = vrops.requests();
        }

        List<String> secrets = new ArrayList<>(LogCapture.secrets(PASSWORD, requests));
        assertThat(secrets).hasSizeGreaterThanOrEqualTo(5);
        // one for the events and the passes, one for the watch's long poll
        assertThat(sessions).as("the integration's vCenter sessions").hasSize(2);
        secrets.addAll(sessions);
        secrets.add(VCENTER_PASSWORD);
        assertThat(lines).hasSizeGreaterThan(1000).anyMatch(line -> line.contains("Acquired a vROps token"))
                .anyMatch(line -> line.contains("Logged in to vCenter lab"));
        assertThat(lines).as("log lines holding a secret").filteredOn(line -> secrets.stream().anyMatch(line::contains)).isEmpty();
    }

    @Test
    void theShippedConfigurationPinsTheConfidentialLoggers() throws Exception {
        String camelK = Files.readString(Path.of("application.properties"));
        String local = Files.readString(Path.of("jbang/log4j2.properties"));

        for (String logger : LogCapture.CONFIDENTIAL_LOGGERS) {
            String level = LogCapture.pinnedLevel(logger).name();
            assertThat(camelK).contains("quarkus.log.category.\"" + logger + "\".level=" + level);
            assertThat(local).containsPattern("logger\\.([\\w-]+)\\.name=" + logger.replace(".", "\\.") + "\nlogger\\.\\1\\.level=" + level + "\n");
        }
    }

    /** The default inventory, and the simulated vCenter with its hosts. */
    private static VropsSimulator knowingTheDefaultsAnd(Vcsim vcenter) {
        Inventory defaults = Inventory.defaults();
        List<Inventory.VCenter> vcenters = new ArrayList<>(defaults.vcenters());
        vcenters.add(new Inventory.VCenter(vcenter.sdk().getHost(), vcenter.instanceUuid()));
        List<Inventory.Host> hosts = new ArrayList<>(defaults.hosts());
        vcenter.hosts().forEach(host -> hosts.add(new Inventory.Host(host.name(), host.moref(), vcenter.sdk().getHost())));
        return VropsSimulator.builder().inventory(new Inventory(defaults.users(), vcenters, hosts)).start();
    }

    private static void awaitPasses(List<String> lines, int passes) {
        assertThat(TestSupport.poll(Duration.ofSeconds(30), () -> countPasses(lines), done -> done >= passes)).as("reconcile passes")
                .isGreaterThanOrEqualTo(passes);
    }

    private static long countPasses(List<String> lines) {
        synchronized (lines) {
            return lines.stream().filter(line -> line.contains("Reconciled vCenter lab")).count();
        }
    }
}
