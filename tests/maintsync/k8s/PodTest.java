package maintsync.k8s;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import maintsync.EventsDuringAStop;
import maintsync.IntegrationHarness;
import maintsync.VcenterEvent;
import maintsync.vrops.Faults;
import maintsync.vrops.Inventory;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsOpenApi;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * What the tests of a started pod check alike, however it was built: {@link OperatorReplay} (the integration as a
 * Camel K operator builds it) and {@link CamelQuarkusAppIT} (the Camel Quarkus application of {@code app/}). Both event
 * formats right after the build's own checks, and last a stop while events keep arriving.
 */
abstract class PodTest {

    protected OperatorPod pod;
    protected VropsSimulator vrops;
    /** The pod's root folder: its image and mounts. */
    protected Path podRoot;
    /** Every file under {@link #podRoot} as it was laid out, before the start ({@link #files}). */
    protected Map<Path, FileTime> podFiles;

    @Test
    @Order(2)
    void enterAndExitInTheTanzuSourcesFormat() {
        entersAndExits("host-21", VcenterEvent.entered("esx01.lab.local", "host-21"), VcenterEvent.exited("esx01.lab.local", "host-21"));
    }

    @Test
    @Order(3)
    void enterAndExitInTheEventRouterFormat() {
        entersAndExits("host-19", VcenterEvent.entered("esx02.cl.vmweventbroker.io", "host-19").eventRouterFormat(),
                VcenterEvent.exited("esx02.cl.vmweventbroker.io", "host-19").eventRouterFormat());
    }

    /**
     * An answer of vROps that never ends, in the pod's heap (the shipped 64 MiB): read up to vrops.max-answer-bytes and
     * dropped, the event answered 503 for the Broker to retry, and the pod goes on. With the limit at 32 MiB, as it was,
     * the pod ran out of memory on the first such answer and exited.
     */
    @Test
    @Order(8)
    void anEndlessAnswerEndsAtItsLimitAndThePodGoesOn() {
        // the first try and the two retries of vrops.retries
        vrops.faults().answerNext(Operation.LOOKUP_BY_KIND, 3, Faults.Body.ENDLESS);

        HttpResponse<String> endless = send(VcenterEvent.entered("esx1.lab.local", "host-10"));

        assertThat(endless.statusCode()).isEqualTo(503);
        assertThat(endless.body()).startsWith("vROps unavailable: vROps's answer to GET /suite-api/api/")
                .endsWith(" is larger than vrops.max-answer-bytes (4194304 bytes)");
        entersAndExits("host-10", VcenterEvent.entered("esx1.lab.local", "host-10"), VcenterEvent.exited("esx1.lab.local", "host-10"));
    }

    /** Both events of host {@code moref} of vcsa01 answered 204, its resource maintained after the first, started after the second. */
    private void entersAndExits(String moref, VcenterEvent entered, VcenterEvent exited) {
        String host = vrops.resourceId(VCSA01_UUID, moref);

        assertThat(send(entered).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(host)).isEqualTo("MAINTAINED_MANUAL");
        assertThat(send(exited).statusCode()).isEqualTo(204);
        assertThat(vrops.resourceState(host)).isEqualTo("STARTED");
    }

    /**
     * SIGTERM while events keep arriving ({@link OperatorPod#stopWhileEventsArrive}): none is lost, the token is
     * released, and the pod wrote nothing into its image or mounts, so that a non-root user (Camel K 2.11's security
     * context: runAsNonRoot, runAsUser 1000) and read-only mounts do.
     */
    @Test
    @Order(100)
    void aStopLosesNoEventReleasesTheTokenAndThePodWroteNoFile() throws Exception {
        assertThat(vrops.activeTokens()).isEqualTo(1);
        pod.stopWhileEventsArrive(vrops);
        assertThat(vrops.count(Operation.RELEASE_TOKEN)).isEqualTo(1);
        assertThat(vrops.activeTokens()).isZero();
        assertThat(files(podRoot)).containsExactlyEntriesOf(podFiles);
    }

    /** A scrape of k8s/monitoring/podmonitor.yaml's endpoint holds the counters the alerts read, after both formats' events. */
    static void assertServesTheAlertsCounters(HttpResponse<String> metrics) {
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body().lines()).anyMatch(line -> line.startsWith("vcenter_maintenance_events_total{")
                && line.contains("outcome=\"applied\"") && line.contains("action=\"enter\""));
        assertThat(metrics.body().lines()).anyMatch(line -> line.startsWith("vcenter_maintenance_events_received_total{")
                && line.contains("format=\"event-router\""));
        assertThat(metrics.body().lines()).anyMatch(line -> line.startsWith("vrops_calls_total{") && line.contains("call=\"token\""));
    }

    /** The event in binary mode, at the path its Trigger would use. */
    protected HttpResponse<String> send(VcenterEvent event) {
        return pod.send(IntegrationHarness.request(pod.uri(), event));
    }

    /** Stops the pod, then checks every request vROps got against the vendor's OpenAPI document. */
    protected void stopPodAndVrops() throws Exception {
        try {
            if (pod != null) {
                pod.close();
            }
        } finally {
            if (vrops != null) {
                VropsOpenApi.load().assertRequestsValid(vrops.requests());
                vrops.close();
            }
        }
    }

    /** The vROps simulator knowing the default hosts, those {@link EventsDuringAStop} sends events of, and {@code more}. */
    static VropsSimulator vropsKnowing(List<Inventory.VCenter> moreVcenters, List<Inventory.Host> moreHosts) {
        Inventory defaults = Inventory.defaults();
        List<Inventory.Host> hosts = new ArrayList<>(defaults.hosts());
        hosts.addAll(moreHosts);
        hosts.addAll(EventsDuringAStop.INVENTORY.hosts());
        List<Inventory.VCenter> vcenters = new ArrayList<>(defaults.vcenters());
        vcenters.addAll(moreVcenters);
        vcenters.addAll(EventsDuringAStop.INVENTORY.vcenters());
        return VropsSimulator.builder().inventory(new Inventory(defaults.users(), vcenters, hosts)).start();
    }

    /** Every file under the pod's root, behind links too (the fast-jar of the application), and when it was last changed. */
    static Map<Path, FileTime> files(Path root) throws IOException {
        Map<Path, FileTime> files = new TreeMap<>();
        try (var paths = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
            for (Path path : paths.toList()) {
                files.put(root.relativize(path), Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS));
            }
        }
        return files;
    }
}
