import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes vROps match each vCenter, whatever events were lost: once at start and every {@code reconcile.interval-ms},
 * one pass at a time per vCenter, on a thread of its own, every host of the vCenter is compared with vROps's hosts in
 * maintenance, and what {@link MaintenancePlan} decides (the same decision as for an event) is done, each repair with a
 * log line and a count in {@code vcenter.maintenance.repairs}. A pass reads both sides in pages, finds many hosts'
 * resource ids by a listing rather than a lookup each, and extends the timed maintenance of many hosts per call, so its
 * calls grow with pages, not hosts; it stops after
 * {@code reconcile.pass-timeout-ms}. A pass that cannot finish is counted in
 * {@code vcenter.maintenance.reconcile.failures}, and the next one tries again. What a pass found is in the gauges
 * {@code vcenter.maintenance.drift.hosts} and {@code vcenter.maintenance.hosts}, and in {@link HostStatus}.
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
    /** Ids per bulk call: a query of about 4 KB, well within what HTTP servers take. */
    private static final int IDS_PER_CALL = 100;
    /**
     * Up to this many hosts to find in vROps, a lookup each; more, and one listing of all vROps's hosts, 1,000 a call:
     * for 10,000 hosts that is 10 calls, however many are to be found.
     */
    private static final int LOOKUPS_RATHER_THAN_A_LISTING = 10;

    /** A page of a listing of vROps's hosts. */
    private interface Listing {
        String page(String token, int page) throws Exception;
    }

    /** vROps's view of a host in maintenance. */
    private record Maintained(String resourceId, MaintenancePlan.VropsState state) {
    }

    /** A pass ran out of its time. */
    private static final class TooLong extends IOException {
        TooLong(long millis) {
            super("the pass took longer than reconcile.pass-timeout-ms (" + millis + " ms); the next one repairs what is left");
        }
    }

    /** A host whose vROps state this pass changes. */
    private record Repair(VcenterSoap.HostState host, String resourceId, String direction) {
    }

    private final Vcenters vcenters;
    private final VropsSession session;
    private final VropsCalls calls;
    private final HostStatus status;
    private final long passTimeoutMillis;
    private final Hooks.Counts repairs;
    private final Hooks.Counts failures;
    private final Hooks.Timings durations;
    private final Hooks.Levels drift;
    private final Hooks.Levels hostsByState;
    private final Hooks.Levels lastSuccess;
    /** Numbers the passes of all vCenters. */
    private final AtomicLong passes = new AtomicLong();
    private volatile boolean stopping;

    private Reconciler(CamelContext context, Vcenters vcenters, VropsSession session, VropsCalls calls, HostStatus status) {
        this.vcenters = vcenters;
        this.session = session;
        this.calls = calls;
        this.status = status;
        this.passTimeoutMillis = Long.parseLong(Settings.get(context, "reconcile.pass-timeout-ms", "120000"));
        this.repairs = new Hooks.Counts(context, "vcenter.maintenance.repairs");
        this.failures = new Hooks.Counts(context, "vcenter.maintenance.reconcile.failures");
        this.durations = new Hooks.Timings(context, "vcenter.maintenance.reconcile");
        this.drift = new Hooks.Levels(context, "vcenter.maintenance.drift.hosts", null);
        this.hostsByState = new Hooks.Levels(context, "vcenter.maintenance.hosts", null);
        this.lastSuccess = new Hooks.Levels(context, "vcenter.maintenance.reconcile.last.success.timestamp", "seconds");
    }

    /**
     * Runs each vCenter's passes on a thread of its own from the moment the integration has started, when a vCenter is
     * set: a vCenter that answers slowly delays its own passes only.
     */
    static void schedule(CamelContext context, Vcenters vcenters, VropsSession session, VropsCalls calls, HostStatus status) throws Exception {
        if (vcenters.all().isEmpty()) {
            return;
        }
        Reconciler reconciler = new Reconciler(context, vcenters, session, calls, status);
        Hooks.whenStarted(context, () -> vcenters.all().forEach(vcenter -> {
            reconciler.repairs.zero("vcenter", vcenter.name(), "direction", "enter");
            reconciler.repairs.zero("vcenter", vcenter.name(), "direction", "exit");
            reconciler.failures.zero("vcenter", vcenter.name());
        }));
        long interval = Long.parseLong(Settings.get(context, "reconcile.interval-ms", "300000"));
        Map<Vcenters.Vcenter, ScheduledExecutorService> threads = new LinkedHashMap<>();
        for (Vcenters.Vcenter vcenter : vcenters.all()) {
            threads.put(vcenter, context.getExecutorServiceManager().newSingleThreadScheduledExecutor(reconciler, "reconcile " + vcenter.name()));
        }
        // the Kamelets' routes run only once the context has started
        Hooks.whenStarted(context, () -> threads.forEach((vcenter, thread) ->
                thread.scheduleWithFixedDelay(() -> reconciler.runPass(vcenter), 0, interval, TimeUnit.MILLISECONDS)));
        Hooks.whenStopping(context, () -> {
            reconciler.stopping = true;
            threads.values().forEach(context.getExecutorServiceManager()::shutdownNow);
        });
    }

    /**
     * One pass over one vCenter, which ends by {@code reconcile.pass-timeout-ms}, or once the vROps call then under way
     * ended: its vCenter calls end by then, and no vROps call starts after it. A pass that did not end well is counted,
     * logged and shown with its reason, its outcome {@code timeout} when it, or one of its calls, ran out of time.
     */
    void runPass(Vcenters.Vcenter vcenter) {
        long pass = passes.incrementAndGet();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(passTimeoutMillis);
        try {
            List<VcenterSoap.HostState> hosts = new ArrayList<>();
            int repaired = reconcile(vcenter.until(deadline, passTimeoutMillis), pass, deadline, hosts);
            long nanos = System.nanoTime() - start;
            durations.record(nanos, "vcenter", vcenter.name(), "outcome", "ok");
            lastSuccess.set(Instant.now().getEpochSecond(), "vcenter", vcenter.name());
            status.passed(vcenter.name(), pass, "ok", TimeUnit.NANOSECONDS.toMillis(nanos), hosts.size(), repaired, null);
            LOG.info("Reconciled vCenter {}: {} hosts, {} repairs in {} ms", vcenter.name(), hosts.size(), repaired,
                    TimeUnit.NANOSECONDS.toMillis(nanos));
        } catch (Exception e) {
            if (stopping || e instanceof VropsSession.Released) {
                return; // its clients close under it: nothing went wrong
            }
            long nanos = System.nanoTime() - start;
            String outcome = ranOutOfTime(e) ? "timeout" : "failed";
            String reason = e.getMessage() != null ? e.getMessage() : e.toString();
            durations.record(nanos, "vcenter", vcenter.name(), "outcome", outcome);
            status.passed(vcenter.name(), pass, outcome, TimeUnit.NANOSECONDS.toMillis(nanos), 0, 0, reason);
            // the next pass tries again; the events keep being applied meanwhile
            LOG.warn("Could not reconcile vCenter {} ({} after {} ms): {}", vcenter.name(), outcome, TimeUnit.NANOSECONDS.toMillis(nanos), reason);
            failures.increment("vcenter", vcenter.name());
        }
    }

    /** One pass over one vCenter: reads both sides, then repairs; the number of repairs. */
    private int reconcile(Vcenters.Vcenter vcenter, long pass, long deadline, List<VcenterSoap.HostState> hosts) throws Exception {
        Map<String, Maintained> inVrops = maintainedInVrops(vcenter.instanceUuid());
        hosts.addAll(vcenter.hosts());
        boolean listed = learnResourceIdsWhenMany(vcenter, hosts, inVrops, deadline);
        Map<MaintenancePlan.VcenterState, Map<MaintenancePlan.VropsState, Integer>> byState = new EnumMap<>(MaintenancePlan.VcenterState.class);
        List<String> held = new ArrayList<>();
        List<Repair> toRepair = new ArrayList<>();
        List<String> withheld = new ArrayList<>();
        for (VcenterSoap.HostState host : hosts) {
            Maintained vrops = inVrops.get(host.moref());
            MaintenancePlan.VropsState state = vrops == null ? MaintenancePlan.VropsState.NOT_MAINTAINED : vrops.state();
            MaintenancePlan.Step step = MaintenancePlan.decide(host.state(), state).step();
            String resourceId = vrops == null ? null : vrops.resourceId();
            if (step == MaintenancePlan.Step.MARK) {
                resourceId = listed ? known(vcenter, host) : lookUp(vcenter, host, deadline);
                if (resourceId == null) {
                    state = MaintenancePlan.VropsState.UNKNOWN; // nothing vROps could be told
                    step = MaintenancePlan.Step.NONE;
                }
            }
            switch (step) {
                case MARK -> {
                    held.add(resourceId);
                    toRepair.add(new Repair(host, resourceId, "enter"));
                }
                case EXTEND -> held.add(resourceId); // so that it lasts while vCenter keeps the host in maintenance
                case UNMARK -> toRepair.add(new Repair(host, resourceId, "exit"));
                case NONE -> {
                    if (host.state() == MaintenancePlan.VcenterState.UNKNOWN) {
                        withheld.add(host.moref() + " (" + host.withheld() + ")");
                    }
                }
            }
            // as the repairs below leave it
            MaintenancePlan.VropsState after = switch (step) {
                case MARK, EXTEND -> MaintenancePlan.VropsState.MAINTAINED;
                case UNMARK -> MaintenancePlan.VropsState.NOT_MAINTAINED;
                case NONE -> state;
            };
            status.read(vcenter.name(), host.name(), host.moref(), host.state(), state, pass);
            byState.computeIfAbsent(host.state(), key -> new EnumMap<>(MaintenancePlan.VropsState.class)).merge(after, 1, Integer::sum);
        }
        if (!withheld.isEmpty()) {
            // left as they are: a timed maintenance of theirs ends by itself, and monitoring resumes
            LOG.warn("vCenter {} did not give runtime.inMaintenanceMode of {} hosts, left as they are in vROps: {}{}", vcenter.name(),
                    withheld.size(), String.join(", ", withheld.subList(0, Math.min(10, withheld.size()))), withheld.size() > 10 ? ", ..." : "");
        }
        for (String direction : List.of("enter", "exit")) {
            drift.set(toRepair.stream().filter(repair -> repair.direction().equals(direction)).count(), "vcenter", vcenter.name(), "direction", direction);
        }

        hold(held, deadline);
        for (Repair repair : toRepair) {
            boolean enter = repair.direction().equals("enter");
            if (!enter) {
                inTime(deadline);
                session.withToken(token -> {
                    calls.setMaintenance(token, repair.resourceId(), false, true);
                    return null;
                });
            }
            repaired(vcenter, repair, enter ? MaintenancePlan.VropsState.MAINTAINED : MaintenancePlan.VropsState.NOT_MAINTAINED);
        }
        for (MaintenancePlan.VcenterState inVcenter : MaintenancePlan.VcenterState.values()) {
            for (MaintenancePlan.VropsState inVropsNow : MaintenancePlan.VropsState.values()) {
                hostsByState.set(byState.getOrDefault(inVcenter, Map.of()).getOrDefault(inVropsNow, 0), "vcenter", vcenter.name(),
                        "vcenter_state", HostStatus.label(inVcenter), "vrops_state", HostStatus.label(inVropsNow));
            }
        }
        return toRepair.size();
    }

    /** Timed maintenance for these resources, marked anew or extended, many per call. */
    private void hold(List<String> resourceIds, long deadline) throws Exception {
        for (int from = 0; from < resourceIds.size(); from += IDS_PER_CALL) {
            inTime(deadline);
            List<String> some = resourceIds.subList(from, Math.min(resourceIds.size(), from + IDS_PER_CALL));
            try {
                session.withToken(token -> {
                    calls.holdMaintained(token, some);
                    return null;
                });
            } catch (VropsCalls.UnknownResource oneIsGone) {
                // removed from vROps since it was read: the others one by one, since vROps may have changed none
                for (String resourceId : some) {
                    try {
                        session.withToken(token -> {
                            calls.setMaintenance(token, resourceId, true, true);
                            return null;
                        });
                    } catch (VropsCalls.UnknownResource gone) {
                        LOG.debug("vROps no longer knows resource {}", resourceId);
                    }
                }
            }
        }
    }

    /** Whether the pass, or a call of it, ran out of time, also where a vCenter's failure wraps it. */
    private static boolean ranOutOfTime(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TooLong || cause instanceof CallLimits.TooLate) {
                return true;
            }
        }
        return false;
    }

    private void inTime(long deadline) throws TooLong {
        if (System.nanoTime() - deadline > 0) {
            throw new TooLong(passTimeoutMillis);
        }
    }

    /** The hosts of this vCenter that vROps has in maintenance, by managed object id, a page at a time. */
    private Map<String, Maintained> maintainedInVrops(String vcenterUuid) throws Exception {
        Map<String, Maintained> maintained = new HashMap<>();
        for (JsonNode resource : ofVcenter(vcenterUuid, calls::maintainedHosts, Long.MAX_VALUE)) {
            maintained.put(VropsSession.identifier(resource, "VMEntityObjectID"), new Maintained(resource.path("identifier").asText(),
                    VropsSession.maintenanceState(resource)));
        }
        return maintained;
    }

    /**
     * When more than {@link #LOOKUPS_RATHER_THAN_A_LISTING} hosts need their resource id, as at a first start with many
     * hosts in maintenance or after many lost events: the ids of all this vCenter's hosts from a listing, 1,000 a
     * call, instead of a lookup each. Whether it listed them; then a host not listed is one vROps does not know.
     */
    private boolean learnResourceIdsWhenMany(Vcenters.Vcenter vcenter, List<VcenterSoap.HostState> hosts, Map<String, Maintained> inVrops,
            long deadline) throws Exception {
        long unknown = hosts.stream().filter(host -> host.state().silenced() && !inVrops.containsKey(host.moref())
                && !session.remembers(hostOf(vcenter, host))).count();
        if (unknown <= LOOKUPS_RATHER_THAN_A_LISTING) {
            return false;
        }
        Map<String, String> byMoref = new HashMap<>();
        for (JsonNode resource : ofVcenter(vcenter.instanceUuid(), calls::allHosts, deadline)) {
            byMoref.put(VropsSession.identifier(resource, "VMEntityObjectID"), resource.path("identifier").asText());
        }
        for (VcenterSoap.HostState host : hosts) {
            String resourceId = byMoref.get(host.moref());
            if (resourceId != null) {
                session.remember(hostOf(vcenter, host), resourceId);
            }
        }
        return true;
    }

    /** A listing of vROps's hosts, the pages one after the other, of the vCenter with this instance UUID only. */
    private List<JsonNode> ofVcenter(String vcenterUuid, Listing listing, long deadline) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        int seen = 0;
        for (int page = 0; ; page++) {
            inTime(deadline);
            int current = page;
            JsonNode answer = JSON.readTree(session.<String>withToken(token -> listing.page(token, current)));
            JsonNode resources = answer.path("resourceList");
            for (JsonNode resource : resources) {
                if (vcenterUuid.equalsIgnoreCase(VropsSession.identifier(resource, "VMEntityVCID"))) {
                    found.add(resource);
                }
            }
            seen += resources.size();
            if (resources.isEmpty() || seen >= answer.path("pageInfo").path("totalCount").asInt()) {
                return found;
            }
        }
    }

    /** A host's resource id as a listing taught the session; null when vROps did not list it. */
    private String known(Vcenters.Vcenter vcenter, VcenterSoap.HostState host) {
        return session.remembered(hostOf(vcenter, host));
    }

    private static VropsSession.Host hostOf(Vcenters.Vcenter vcenter, VcenterSoap.HostState host) {
        return new VropsSession.Host(vcenter.host(), host.moref(), host.name());
    }

    /** The host's resource id in vROps, looked up as for an event of it (and remembered by the session). */
    private String lookUp(Vcenters.Vcenter vcenter, VcenterSoap.HostState host, long deadline) throws Exception {
        inTime(deadline);
        ObjectNode event = JSON.createObjectNode();
        event.putObject("Host").put("Name", host.name()).putObject("Host").put("Type", "HostSystem").put("Value", host.moref());
        return session.resource(hostOf(vcenter, host), event::toString).id();
    }

    private void repaired(Vcenters.Vcenter vcenter, Repair repair, MaintenancePlan.VropsState now) {
        boolean enter = repair.direction().equals("enter");
        String why = !enter ? "vCenter has it out of maintenance mode; its Exit was lost or failed"
                : repair.host().state() == MaintenancePlan.VcenterState.ENTERING ? "vCenter's task is entering it into maintenance mode; its Entering was lost or failed"
                : "vCenter has it in maintenance mode; its Enter was lost or failed";
        LOG.info("Repaired host {} ({}) of vCenter {}: {} in vROps, {} -> {}, because {}", LogLines.escape(repair.host().name()),
                repair.host().moref(), vcenter.name(), enter ? "marked" : "unmarked", enter ? "STARTED" : "MAINTAINED", enter ? "MAINTAINED" : "STARTED", why);
        repairs.increment("vcenter", vcenter.name(), "direction", repair.direction());
        status.repaired(vcenter.name(), repair.host().moref(), now, repair.direction(), why);
    }
}
