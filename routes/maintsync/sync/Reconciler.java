package maintsync.sync;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import maintsync.edge.CallLimits;
import maintsync.edge.Hooks;
import maintsync.edge.HostStatus;
import maintsync.edge.LogLines;
import maintsync.edge.Settings;
import maintsync.vcenter.VcenterSoap;
import maintsync.vcenter.Vcenters;
import maintsync.vrops.VropsClient;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes vROps match each vCenter, whatever events were lost: once at start (with a watch, once it has listed the
 * hosts: {@link VcenterWatch}) and every {@code reconcile.interval-ms},
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
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger("vcenter-maintenance");
    /** Ids per bulk call: a query of about 4 KB, well within what HTTP servers take. */
    private static final int IDS_PER_CALL = 100;
    /**
     * Up to this many hosts to find in vROps, a lookup each; more, and one listing of all vROps's hosts, 1,000 a call:
     * for 10,000 hosts that is 10 calls, however many are to be found.
     */
    private static final int LOOKUPS_RATHER_THAN_A_LISTING = 10;

    /** vROps's view of a host in maintenance. */
    record Maintained(String resourceId, MaintenancePlan.VropsState state) {
    }

    /** Which way a repair changes a host in vROps; {@link #tag()} names it in the metrics and on the host page. */
    enum Direction {
        ENTER,
        EXIT;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What a pass does with one host, as {@link MaintenancePlan} decided: vROps's state as read (unknown when the host
     * was to be marked but vROps does not know it), the step, and the resource id the step acts on.
     */
    record HostStep(VcenterSoap.HostState host, MaintenancePlan.VropsState inVrops, MaintenancePlan.Step step, String resourceId) {

        /** vROps's state once the pass has done the step. */
        MaintenancePlan.VropsState after() {
            return switch (step) {
                case MARK, EXTEND -> MaintenancePlan.VropsState.MAINTAINED;
                case UNMARK -> MaintenancePlan.VropsState.NOT_MAINTAINED;
                case NONE -> inVrops;
            };
        }

        /** Whether the step is a repair: vROps differs from vCenter, and is changed. */
        boolean changes() {
            return step == MaintenancePlan.Step.MARK || step == MaintenancePlan.Step.UNMARK;
        }

        /** Which way a repair changes vROps. */
        Direction direction() {
            return step == MaintenancePlan.Step.UNMARK ? Direction.EXIT : Direction.ENTER;
        }
    }

    /** What one pass over one vCenter did: the hosts vCenter has, and how many of them it repaired. */
    record Pass(List<VcenterSoap.HostState> hosts, int repairs) {
    }

    /** What a pass read of both sides: vCenter's hosts, vROps's hosts in maintenance and the ids of the hosts to mark. */
    private record Observed(List<VcenterSoap.HostState> hosts, Map<String, Maintained> maintained, Map<String, String> idsToMark) {
    }

    /** A pass ran out of its time. */
    private static final class TooLong extends IOException {
        TooLong(long millis) {
            super("the pass took longer than reconcile.pass-timeout-ms (" + millis + " ms); the next one repairs what is left");
        }
    }

    private final Vcenters vcenters;
    private final VropsClient vrops;
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
    /** Each vCenter's pass thread, which also applies what its watch saw ({@link #onPassThread}). */
    private final Map<Vcenters.Vcenter, ScheduledExecutorService> threads = new LinkedHashMap<>();
    /** When each vCenter's last pass that ended well started (of {@link System#nanoTime}); written on its pass thread. */
    private final Map<Vcenters.Vcenter, Long> lastGoodStart = new ConcurrentHashMap<>();
    /** The vCenters whose next pass waits on their thread. */
    private final Set<Vcenters.Vcenter> due = ConcurrentHashMap.newKeySet();
    /** Whether the first {@link #passesDue} is left to the watches' resyncs. */
    private final AtomicBoolean firstPassIsTheWatchs = new AtomicBoolean();
    private volatile boolean stopping;

    private Reconciler(CamelContext context, Vcenters vcenters, VropsClient vrops, HostStatus status) {
        this.vcenters = vcenters;
        this.vrops = vrops;
        this.status = status;
        this.passTimeoutMillis = Settings.number(context, "reconcile.pass-timeout-ms", 120_000, 1, Integer.MAX_VALUE);
        this.repairs = new Hooks.Counts(context, "vcenter.maintenance.repairs");
        this.failures = new Hooks.Counts(context, "vcenter.maintenance.reconcile.failures");
        this.durations = new Hooks.Timings(context, "vcenter.maintenance.reconcile");
        this.drift = new Hooks.Levels(context, "vcenter.maintenance.drift.hosts", null);
        this.hostsByState = new Hooks.Levels(context, "vcenter.maintenance.hosts", null);
        this.lastSuccess = new Hooks.Levels(context, "vcenter.maintenance.reconcile.last.success.timestamp", "seconds");
    }

    /**
     * The passes of each vCenter, each on a thread of its own from the moment the integration has started, when a
     * vCenter is set: a vCenter that answers slowly delays its own passes only. When they are due is Camel's: the route
     * {@code reconcile-passes} calls {@link #passesDue} every {@code reconcile.interval-ms}.
     */
    public static Reconciler schedule(CamelContext context, Vcenters vcenters, VropsClient vrops, HostStatus status) throws Exception {
        // the timer of reconcile-passes and the Kamelets of the timed maintenance read these two as placeholders
        holdOutlastsPasses(Settings.number(context, "reconcile.hold-minutes", 15, 1, Integer.MAX_VALUE),
                Settings.number(context, "reconcile.interval-ms", 300_000, 1, Integer.MAX_VALUE));
        if (vcenters.all().isEmpty()) {
            return null;
        }
        Reconciler reconciler = new Reconciler(context, vcenters, vrops, status);
        Hooks.whenStarted(context, () -> vcenters.all().forEach(vcenter -> {
            for (Direction direction : Direction.values()) {
                reconciler.repairs.zero("vcenter", vcenter.name(), "direction", direction.tag());
            }
            reconciler.failures.zero("vcenter", vcenter.name());
        }));
        for (Vcenters.Vcenter vcenter : vcenters.all()) {
            reconciler.threads.put(vcenter, context.getExecutorServiceManager().newSingleThreadScheduledExecutor(reconciler,
                    "reconcile " + vcenter.name()));
        }
        // with a watch, the pass at start is its resync, run once it has listed the hosts (VcenterWatch)
        reconciler.firstPassIsTheWatchs.set(vcenters.watch());
        Hooks.whenStopping(context, () -> {
            reconciler.stopping = true;
            reconciler.threads.values().forEach(context.getExecutorServiceManager()::shutdownNow);
        });
        return reconciler;
    }

    /**
     * The timed maintenance must outlast the interval of the passes that extend it, or vROps ends it between two of
     * them for a host vCenter still has in maintenance; three passes per hold leave room for two failed ones.
     */
    static void holdOutlastsPasses(long holdMinutes, long intervalMillis) {
        long holdMillis = holdMinutes * 60_000;
        if (holdMillis <= intervalMillis) {
            throw new IllegalStateException("reconcile.hold-minutes=" + holdMinutes + " is refused: the timed maintenance must outlast "
                    + "reconcile.interval-ms (" + intervalMillis + " ms), whose passes extend it; three intervals or more leave room for "
                    + "failed passes");
        }
        if (holdMillis < 3 * intervalMillis) {
            LOG.warn("reconcile.hold-minutes={} is less than three reconcile.interval-ms ({} ms): one failed pass lets vROps end the "
                    + "maintenance of hosts vCenter still has in maintenance", holdMinutes, intervalMillis);
        }
    }

    /**
     * A pass over each vCenter, on its own thread, unless one is still waiting there (a slow pass is not followed by a
     * queue of them); the first time, with a watch, none: the watch's resync is the first pass.
     */
    public void passesDue() {
        if (firstPassIsTheWatchs.getAndSet(false) || stopping) {
            return;
        }
        threads.forEach((vcenter, thread) -> {
            if (due.add(vcenter)) {
                try {
                    thread.execute(() -> {
                        due.remove(vcenter);
                        runPass(vcenter);
                    });
                } catch (RejectedExecutionException stopped) {
                    due.remove(vcenter);
                }
            }
        });
    }

    /** Runs {@code work} on the vCenter's pass thread, after the pass under way, so that the two never meet on a host. */
    public void onPassThread(Vcenters.Vcenter vcenter, Runnable work) {
        threads.get(vcenter).execute(work);
    }

    /** The same, {@code millis} from now. */
    public void onPassThread(Vcenters.Vcenter vcenter, Runnable work, long millis) {
        threads.get(vcenter).schedule(work, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * A pass over the vCenter that starts after {@code since} (of {@link System#nanoTime}), unless one that ended well
     * has started since; returns once it has ended well, and fails when it did not (it is counted and logged).
     */
    public void resync(Vcenters.Vcenter vcenter, long since) throws Exception {
        boolean ok;
        try {
            ok = threads.get(vcenter).submit(() -> {
                Long started = lastGoodStart.get(vcenter);
                return started != null && started - since > 0 || runPass(vcenter);
            }).get();
        } catch (ExecutionException failed) {
            throw failed.getCause() instanceof Exception cause ? cause : failed;
        }
        if (!ok) {
            throw new IOException("the resync pass over vCenter " + vcenter.name() + " did not end well");
        }
    }

    /**
     * One pass over one vCenter, which ends by {@code reconcile.pass-timeout-ms}, or once the vROps call then under way
     * ended: its vCenter calls end by then, and no vROps call starts after it. A pass that did not end well is counted,
     * logged and shown with its reason, its outcome {@code timeout} when it, or one of its calls, ran out of time.
     */
    boolean runPass(Vcenters.Vcenter vcenter) {
        long pass = passes.incrementAndGet();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(passTimeoutMillis);
        try {
            Pass done = reconcile(vcenter.until(deadline, passTimeoutMillis), pass, deadline);
            long nanos = System.nanoTime() - start;
            durations.record(nanos, "vcenter", vcenter.name(), "outcome", "ok");
            lastSuccess.set(Instant.now().getEpochSecond(), "vcenter", vcenter.name());
            lastGoodStart.put(vcenter, start);
            status.passed(vcenter.name(), pass, "ok", TimeUnit.NANOSECONDS.toMillis(nanos), done.hosts().size(), done.repairs(), null);
            LOG.info("Reconciled vCenter {}: {} hosts, {} repairs in {} ms", vcenter.name(), done.hosts().size(), done.repairs(),
                    TimeUnit.NANOSECONDS.toMillis(nanos));
            return true;
        } catch (Exception e) {
            if (stopping || e instanceof VropsClient.Released) {
                return false; // its clients close under it: nothing went wrong
            }
            long nanos = System.nanoTime() - start;
            String outcome = ranOutOfTime(e) ? "timeout" : "failed";
            String reason = e.getMessage() != null ? e.getMessage() : e.toString();
            // both meters together, so that a scrape between them cannot see a pass out of time that is not yet a failure
            durations.record(nanos, "vcenter", vcenter.name(), "outcome", outcome);
            failures.increment("vcenter", vcenter.name());
            status.passed(vcenter.name(), pass, outcome, TimeUnit.NANOSECONDS.toMillis(nanos), 0, 0, reason);
            // the next pass tries again; the events keep being applied meanwhile
            LOG.warn("Could not reconcile vCenter {} ({} after {} ms): {}", vcenter.name(), outcome, TimeUnit.NANOSECONDS.toMillis(nanos), reason);
            return false;
        }
    }

    /**
     * One pass over one vCenter: reads both sides, decides for every host ({@link #decide}, no call), shows what it read
     * (the host page, the drift), then repairs, each repair logged, counted and shown, and last counts the hosts by
     * state. What was read is shown before the repairs, so that a pass whose repairs fail still tells the drift.
     */
    private Pass reconcile(Vcenters.Vcenter vcenter, long pass, long deadline) throws Exception {
        Observed observed = observe(vcenter, deadline);
        List<HostStep> steps = decide(observed.hosts(), observed.maintained(), observed.idsToMark());
        List<HostStep> repairs = steps.stream().filter(HostStep::changes).toList();
        showRead(vcenter, pass, steps, repairs);
        act(vcenter, steps, repairs, deadline);
        // what the watch's memory tells events: vROps as this pass left each host
        steps.forEach(step -> vcenter.watched().confirm(step.host().moref(), step.after()));
        countByState(vcenter, steps);
        return new Pass(observed.hosts(), repairs.size());
    }

    /**
     * Timed maintenance for the hosts to mark and to extend, many per call, then an unmark call per host back in
     * service; each repair logged, counted and shown once done.
     */
    private void act(Vcenters.Vcenter vcenter, List<HostStep> steps, List<HostStep> repairs, long deadline) throws Exception {
        hold(steps.stream().filter(step -> step.step() == MaintenancePlan.Step.MARK || step.step() == MaintenancePlan.Step.EXTEND)
                .map(HostStep::resourceId).toList(), deadline);
        for (HostStep repair : repairs) {
            if (repair.step() == MaintenancePlan.Step.UNMARK) {
                inTime(deadline);
                if (!vrops.unmark(repair.resourceId())) {
                    LOG.debug("vROps no longer knows resource {}", repair.resourceId());
                    continue; // removed from vROps since it was read: nothing to unmark
                }
            }
            repaired(vcenter, repair);
        }
    }

    /**
     * Both sides as they are now: the vCenter's hosts, vROps's hosts of the vCenter in maintenance, and the resource ids
     * of the hosts the plan marks, which only vROps can tell.
     */
    private Observed observe(Vcenters.Vcenter vcenter, long deadline) throws Exception {
        // vCenter first: the act comes right after vROps is read, so that maintenance someone sets by hand in vROps
        // meanwhile has the shortest time to be missed, and then overwritten by the plan's timed maintenance
        List<VcenterSoap.HostState> hosts = vcenter.hosts();
        Map<String, Maintained> maintained = maintainedInVrops(vcenter.instanceUuid());
        List<VcenterSoap.HostState> toMark = hosts.stream()
                .filter(host -> MaintenancePlan.decide(host.state(), inVrops(maintained, host)).step() == MaintenancePlan.Step.MARK).toList();
        boolean listed = learnResourceIdsWhenMany(vcenter, hosts, toMark, deadline);
        Map<String, String> idsToMark = new HashMap<>();
        for (VcenterSoap.HostState host : toMark) {
            String resourceId = listed ? known(vcenter, host) : lookUp(vcenter, host, deadline);
            if (resourceId != null) {
                idsToMark.put(host.moref(), resourceId);
            }
        }
        return new Observed(hosts, maintained, idsToMark);
    }

    /**
     * What a pass does with each host, from what it read and without a call: {@link MaintenancePlan} decides from
     * vCenter's state and vROps's ({@code maintained}, by managed object id; a host not in it is not maintained). A host
     * to mark whose id is not in {@code idsToMark} is one vROps does not know: nothing can be marked, its state is
     * unknown.
     */
    static List<HostStep> decide(List<VcenterSoap.HostState> hosts, Map<String, Maintained> maintained, Map<String, String> idsToMark) {
        List<HostStep> steps = new ArrayList<>(hosts.size());
        for (VcenterSoap.HostState host : hosts) {
            MaintenancePlan.VropsState state = inVrops(maintained, host);
            MaintenancePlan.Step step = MaintenancePlan.decide(host.state(), state).step();
            Maintained vrops = maintained.get(host.moref());
            String resourceId = vrops == null ? null : vrops.resourceId();
            if (step == MaintenancePlan.Step.MARK) {
                resourceId = idsToMark.get(host.moref());
                if (resourceId == null) {
                    state = MaintenancePlan.VropsState.UNKNOWN; // nothing vROps could be told
                    step = MaintenancePlan.Step.NONE;
                }
            }
            steps.add(new HostStep(host, state, step, resourceId));
        }
        return steps;
    }

    private static MaintenancePlan.VropsState inVrops(Map<String, Maintained> maintained, VcenterSoap.HostState host) {
        Maintained vrops = maintained.get(host.moref());
        return vrops == null ? MaintenancePlan.VropsState.NOT_MAINTAINED : vrops.state();
    }

    /** Each host as the pass read it on the host page, the drift by direction, and the hosts whose state vCenter withheld. */
    private void showRead(Vcenters.Vcenter vcenter, long pass, List<HostStep> steps, List<HostStep> repairs) {
        List<String> withheld = new ArrayList<>();
        for (HostStep step : steps) {
            status.read(vcenter.name(), step.host().name(), step.host().moref(), step.host().state(), step.inVrops(), pass);
            if (step.host().state() == MaintenancePlan.VcenterState.UNKNOWN) {
                withheld.add(step.host().moref() + " (" + step.host().withheld() + ")");
            }
        }
        if (!withheld.isEmpty()) {
            // left as they are: a timed maintenance of theirs ends by itself, and monitoring resumes
            LOG.warn("vCenter {} did not give runtime.inMaintenanceMode of {} hosts, left as they are in vROps: {}{}", vcenter.name(),
                    withheld.size(), String.join(", ", withheld.subList(0, Math.min(10, withheld.size()))), withheld.size() > 10 ? ", ..." : "");
        }
        for (Direction direction : Direction.values()) {
            drift.set(repairs.stream().filter(repair -> repair.direction() == direction).count(), "vcenter", vcenter.name(),
                    "direction", direction.tag());
        }
    }

    /** The hosts of the vCenter by their state in vCenter and in vROps, as the pass left them. */
    private void countByState(Vcenters.Vcenter vcenter, List<HostStep> steps) {
        Map<MaintenancePlan.VcenterState, Map<MaintenancePlan.VropsState, Integer>> byState = new EnumMap<>(MaintenancePlan.VcenterState.class);
        for (HostStep step : steps) {
            byState.computeIfAbsent(step.host().state(), key -> new EnumMap<>(MaintenancePlan.VropsState.class)).merge(step.after(), 1, Integer::sum);
        }
        for (MaintenancePlan.VcenterState inVcenter : MaintenancePlan.VcenterState.values()) {
            for (MaintenancePlan.VropsState inVropsNow : MaintenancePlan.VropsState.values()) {
                hostsByState.set(byState.getOrDefault(inVcenter, Map.of()).getOrDefault(inVropsNow, 0), "vcenter", vcenter.name(),
                        "vcenter_state", HostStatus.label(inVcenter), "vrops_state", HostStatus.label(inVropsNow));
            }
        }
    }

    /** Timed maintenance for these resources, marked anew or extended, many per call. */
    private void hold(List<String> resourceIds, long deadline) throws Exception {
        for (int from = 0; from < resourceIds.size(); from += IDS_PER_CALL) {
            inTime(deadline);
            vrops.hold(resourceIds.subList(from, Math.min(resourceIds.size(), from + IDS_PER_CALL)));
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
        for (VropsClient.Listed host : vrops.maintained(vcenterUuid, () -> { })) {
            maintained.put(host.moref(), new Maintained(host.resourceId(), host.state()));
        }
        return maintained;
    }

    /**
     * When more than {@link #LOOKUPS_RATHER_THAN_A_LISTING} hosts to mark have no resource id the client knows, as at a
     * first start with many hosts in maintenance or after many lost events: the ids of all this vCenter's hosts from a
     * listing, 1,000 a call, instead of a lookup each. Whether it listed them; then a host not listed is one vROps does
     * not know.
     */
    private boolean learnResourceIdsWhenMany(Vcenters.Vcenter vcenter, List<VcenterSoap.HostState> hosts, List<VcenterSoap.HostState> toMark,
            long deadline) throws Exception {
        long unknown = toMark.stream().filter(host -> !vrops.remembers(hostOf(vcenter, host))).count();
        if (unknown <= LOOKUPS_RATHER_THAN_A_LISTING) {
            return false;
        }
        Map<String, String> byMoref = new HashMap<>();
        for (VropsClient.Listed listed : vrops.hosts(vcenter.instanceUuid(), () -> inTime(deadline))) {
            byMoref.put(listed.moref(), listed.resourceId());
        }
        for (VcenterSoap.HostState host : hosts) {
            String resourceId = byMoref.get(host.moref());
            if (resourceId != null) {
                vrops.remember(hostOf(vcenter, host), resourceId);
            }
        }
        return true;
    }

    /** A host's resource id as a listing taught the client; null when vROps did not list it. */
    private String known(Vcenters.Vcenter vcenter, VcenterSoap.HostState host) {
        return vrops.remembered(hostOf(vcenter, host));
    }

    private static VropsClient.Host hostOf(Vcenters.Vcenter vcenter, VcenterSoap.HostState host) {
        return new VropsClient.Host(vcenter.host(), host.moref(), host.name());
    }

    /** The host's resource id in vROps, looked up as for an event of it (and remembered by the client). */
    private String lookUp(Vcenters.Vcenter vcenter, VcenterSoap.HostState host, long deadline) throws Exception {
        inTime(deadline);
        return vrops.resource(hostOf(vcenter, host)).id();
    }

    /** One repair done: logged with why, counted and shown. */
    private void repaired(Vcenters.Vcenter vcenter, HostStep repair) {
        boolean enter = repair.direction() == Direction.ENTER;
        String why = !enter ? "vCenter has it out of maintenance mode; its Exit was lost or failed"
                : repair.host().state() == MaintenancePlan.VcenterState.ENTERING ? "vCenter's task is entering it into maintenance mode; its Entering was lost or failed"
                : "vCenter has it in maintenance mode; its Enter was lost or failed";
        LOG.info("Repaired host {} ({}) of vCenter {}: {} in vROps, {} -> {}, because {}", LogLines.escape(repair.host().name()),
                repair.host().moref(), vcenter.name(), enter ? "marked" : "unmarked", enter ? "STARTED" : "MAINTAINED", enter ? "MAINTAINED" : "STARTED", why);
        repairs.increment("vcenter", vcenter.name(), "direction", repair.direction().tag());
        status.repaired(vcenter.name(), repair.host().moref(), repair.after(), repair.direction().tag(), why);
    }
}
