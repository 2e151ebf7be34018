import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes vROps match each vCenter, whatever events were lost: once at start and every {@code reconcile.interval-ms},
 * one pass at a time, every host of each vCenter is compared with vROps's hosts in maintenance, and what differs is
 * repaired, with a log line and a count in {@code vcenter.maintenance.repairs} each; a pass that cannot finish is
 * counted in {@code vcenter.maintenance.reconcile.failures}, and the next one tries again.
 * <p>
 * What the integration owns is told by vROps itself, so that it survives restarts and is the same for every replica:
 * with a vCenter, the integration marks hosts with timed maintenance ({@code MAINTAINED}, {@code reconcile.hold-minutes}),
 * which each pass extends while vCenter keeps the host in maintenance. A host vCenter has out of maintenance is
 * unmarked only when its maintenance is timed; a manual one ({@code MAINTAINED_MANUAL}) was set by hand, or before the
 * vCenter was configured, and is left alone. Were this integration gone, the timed maintenance would end by itself.
 */
final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger("vcenter-maintenance");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TIMED = "MAINTAINED";
    private static final String MANUAL = "MAINTAINED_MANUAL";

    /** vROps's view of a host in maintenance. */
    private record Maintained(String resourceId, String state) {
    }

    private final Vcenters vcenters;
    private final VropsSession session;
    private final VropsCalls calls;
    private final Hooks.Counts repairs;
    private final Hooks.Counts failures;
    private volatile boolean stopping;

    private Reconciler(CamelContext context, Vcenters vcenters, VropsSession session, VropsCalls calls) {
        this.repairs = new Hooks.Counts(context, "vcenter.maintenance.repairs");
        this.failures = new Hooks.Counts(context, "vcenter.maintenance.reconcile.failures");
        this.vcenters = vcenters;
        this.session = session;
        this.calls = calls;
    }

    /** Runs the passes on a thread of their own from the moment the integration has started, when a vCenter is set. */
    static void schedule(CamelContext context, Vcenters vcenters, VropsSession session, VropsCalls calls) throws Exception {
        if (vcenters.all().isEmpty()) {
            return;
        }
        Reconciler reconciler = new Reconciler(context, vcenters, session, calls);
        long interval = Long.parseLong(Settings.get(context, "reconcile.interval-ms", "300000"));
        ScheduledExecutorService passes = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(reconciler, "reconcile");
        // the Kamelets' routes run only once the context has started
        Hooks.whenStarted(context, () -> passes.scheduleWithFixedDelay(reconciler::reconcileAll, 0, interval, TimeUnit.MILLISECONDS));
        Hooks.whenStopping(context, () -> {
            reconciler.stopping = true;
            context.getExecutorServiceManager().shutdownNow(passes);
        });
    }

    void reconcileAll() {
        for (Vcenters.Vcenter vcenter : vcenters.all()) {
            long start = System.nanoTime();
            try {
                int repairs = reconcile(vcenter);
                LOG.info("Reconciled vCenter {}: {} repairs in {} ms", vcenter.name(), repairs,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            } catch (Exception e) {
                if (stopping || e instanceof VropsSession.Released) {
                    return; // its clients close under it: nothing went wrong
                }
                // the next pass tries again; the events keep being applied meanwhile
                LOG.warn("Could not reconcile vCenter {}: {}", vcenter.name(), e.getMessage() != null ? e.getMessage() : e.toString());
                failures.increment("vcenter", vcenter.name());
            }
        }
    }

    private int reconcile(Vcenters.Vcenter vcenter) throws Exception {
        Map<String, Maintained> inVrops = maintainedInVrops(vcenter.instanceUuid());
        int repairs = 0;
        for (VcenterSoap.HostState host : vcenter.hosts()) {
            Maintained vrops = inVrops.get(host.moref());
            if (host.inMaintenanceMode() && (vrops == null || TIMED.equals(vrops.state()))) {
                String resourceId = vrops != null ? vrops.resourceId() : lookUp(vcenter, host);
                if (resourceId != null) {
                    session.withToken(token -> {
                        calls.setMaintenance(token, resourceId, true, true);
                        return null;
                    });
                    if (vrops == null) {
                        repair(vcenter, host, "marked", "STARTED", TIMED, "vCenter has it in maintenance mode; its Enter was lost or failed");
                        repairs++;
                    }
                }
            } else if (!host.inMaintenanceMode() && vrops != null && TIMED.equals(vrops.state())) {
                session.withToken(token -> {
                    calls.setMaintenance(token, vrops.resourceId(), false, true);
                    return null;
                });
                repair(vcenter, host, "unmarked", TIMED, "STARTED", "vCenter has it out of maintenance mode; its Exit was lost or failed");
                repairs++;
            }
        }
        return repairs;
    }

    /** The hosts of this vCenter that vROps has in maintenance, by managed object id, a page at a time. */
    private Map<String, Maintained> maintainedInVrops(String vcenterUuid) throws Exception {
        Map<String, Maintained> maintained = new HashMap<>();
        int seen = 0;
        for (int page = 0; ; page++) {
            int current = page;
            String text = session.<String>withToken(token -> calls.maintainedHosts(token, current));
            JsonNode answer = JSON.readTree(text);
            JsonNode resources = answer.path("resourceList");
            for (JsonNode resource : resources) {
                if (vcenterUuid.equalsIgnoreCase(VropsSession.identifier(resource, "VMEntityVCID"))) {
                    maintained.put(VropsSession.identifier(resource, "VMEntityObjectID"), new Maintained(resource.path("identifier").asText(),
                            resource.path("resourceStatusStates").path(0).path("resourceState").asText()));
                }
            }
            seen += resources.size();
            if (resources.isEmpty() || seen >= answer.path("pageInfo").path("totalCount").asInt()) {
                return maintained;
            }
        }
    }

    /** The host's resource id in vROps, looked up as for an event of it. */
    private String lookUp(Vcenters.Vcenter vcenter, VcenterSoap.HostState host) throws Exception {
        ObjectNode event = JSON.createObjectNode();
        event.putObject("Host").put("Name", host.name()).putObject("Host").put("Type", "HostSystem").put("Value", host.moref());
        return session.resourceId(new VropsSession.Host(vcenter.host(), host.moref(), host.name()), event::toString, new StringBuilder())
                .orElse(null);
    }

    private void repair(Vcenters.Vcenter vcenter, VcenterSoap.HostState host, String action, String from, String to, String why) {
        LOG.info("Repaired host {} ({}) of vCenter {}: {} in vROps, {} -> {}, because {}", LogLines.escape(host.name()),
                host.moref(), vcenter.name(), action, from, to, why);
        repairs.increment("vcenter", vcenter.name(), "action", action);
    }
}
