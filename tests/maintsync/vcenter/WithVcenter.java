package maintsync.vcenter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import maintsync.IntegrationHarness;
import maintsync.vrops.Inventory;
import maintsync.vrops.VropsOpenApi;
import maintsync.vrops.VropsSimulator;

/**
 * What the tests with a vCenter share: a vROps that knows the simulated vCenters' hosts, the settings of one, and the
 * end of a test.
 */
public final class WithVcenter {

    private WithVcenter() {
    }

    /** The vROps simulator with the default users, collecting from these vCenters. */
    public static VropsSimulator vropsKnowing(SimulatedVcenter... vcenters) {
        List<Inventory.VCenter> known = new ArrayList<>();
        List<Inventory.Host> hosts = new ArrayList<>();
        for (SimulatedVcenter vcenter : vcenters) {
            String host = vcenter.sdk().getHost();
            known.add(new Inventory.VCenter(host, vcenter.instanceUuid()));
            vcenter.hosts().forEach(h -> hosts.add(new Inventory.Host(h.name(), h.moref(), host)));
        }
        return VropsSimulator.builder().inventory(new Inventory(Inventory.defaults().users(), known, hosts)).start();
    }

    /**
     * The integration's settings for one vCenter named {@code name}, its password in a file; one pass at start only
     * ({@code reconcile.interval-ms} an hour, with a timed maintenance that outlasts it), unless {@code more} says otherwise.
     */
    public static Map<String, String> settings(String name, SimulatedVcenter vcenter, String password, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>();
        settings.put("vcenter.names", name);
        settings.put("vcenter." + name + ".url", vcenter.sdk().toString());
        settings.put("vcenter." + name + ".username", Vcsim.USERNAME);
        settings.put("vcenter." + name + ".password-file", IntegrationHarness.passwordFile(password).toString());
        settings.put("vcenter." + name + ".tls.ca-file", vcenter.caCertificatePem().toString());
        settings.put("reconcile.interval-ms", "3600000");
        settings.put("reconcile.hold-minutes", "180");
        settings.putAll(more);
        return settings;
    }

    /** {@code vcenter_maintenance_watch_up} of the vCenter named {@code name}: 1 up, 0 down, -1 not shown yet. */
    public static double watchUp(IntegrationHarness integration, String name) {
        Gauge gauge = integration.meters().find("vcenter.maintenance.watch.up").tag("vcenter", name).gauge();
        return gauge == null ? -1 : gauge.value();
    }

    /** The changes the watch of the vCenter named {@code name} ended with this outcome ({@code applied}, {@code skipped}...). */
    public static double watchChanges(IntegrationHarness integration, String name, String outcome) {
        Counter counter = integration.meters().find("vcenter.maintenance.watch.changes").tags("vcenter", name, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Stops them all, once every request vROps got is checked against the vendor's OpenAPI document. */
    public static void stop(IntegrationHarness integration, VropsSimulator vrops, SimulatedVcenter vcenter) {
        try {
            if (integration != null) {
                integration.close();
            }
            VropsOpenApi.load().assertRequestsValid(vrops.requests());
        } finally {
            vrops.close();
            vcenter.close();
        }
    }
}
