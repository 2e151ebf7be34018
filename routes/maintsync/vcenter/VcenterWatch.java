package maintsync.vcenter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import maintsync.edge.Hooks;
import maintsync.edge.HostStatus;
import maintsync.edge.LogLines;
import maintsync.edge.Settings;
import maintsync.sync.MaintenanceEvent;
import maintsync.sync.MaintenancePlan;
import maintsync.sync.MaintenanceSync;
import maintsync.sync.Reconciler;
import maintsync.vrops.VropsClient;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;

/**
 * Follows each configured vCenter's hosts as they change, so that vROps follows within seconds, with or without
 * events: on a session of its own, a PropertyCollector of its own ({@code CreatePropertyCollector}, so that it never
 * touches the filters of other clients), a container view of every HostSystem, a filter on each host's
 * {@code runtime.inMaintenanceMode} (and, with {@code events.entering-maintenance}, its enter-maintenance tasks), and
 * one {@code WaitForUpdatesEx} long poll after the other, each from the version of the last answer and bounded by
 * {@code vcenter.watch.max-wait-seconds}. The hosts whose state an answer changed are planned and applied together in
 * one job on the vCenter's pass thread, so never at the same time as a pass: a few as an event of that vCenter is
 * ({@link MaintenanceSync#watched}), many with bulk calls as a pass makes them.
 * <p>
 * Whenever it cannot go on (the session lost, a fault such as NotAuthenticated or InvalidCollectorVersion, a cut
 * connection, an answer it cannot read), it logs in again, takes the full list of hosts, runs one pass over the
 * vCenter ({@link Reconciler#resync}: what changed while it was down), and watches from the new version; between
 * attempts it waits, longer each time, at most {@code MAX_RETRY_MILLIS}. Its state is the gauge
 * {@code vcenter.maintenance.watch.up}: 1 while the long poll works, 0 while it is down or resyncing.
 */
public final class VcenterWatch {

    private static final Logger LOG = LoggerFactory.getLogger("vcenter-maintenance");
    private static final long FIRST_RETRY_MILLIS = 500;
    private static final long MAX_RETRY_MILLIS = 30_000;
    /** Attempts at applying one change, the first included: about 8 s in all, before the next pass is left to it. */
    private static final int APPLY_ATTEMPTS = 5;
    /**
     * Up to this many hosts changed together are applied one by one, a lookup and a call each; more, and together, with
     * one listing of the vCenter's hosts in vROps and calls for many hosts each, so that the calls grow with pages, not
     * hosts. The same bound as a pass's between lookups and a listing.
     */
    private static final int ONE_BY_ONE = 10;
    /** Object updates in one answer at most: a few hundred KB, well below vcenter.max-answer-bytes. */
    private static final int MAX_OBJECT_UPDATES = 1000;

    /** A host as the watch last saw it, and vROps's state as the integration last left or found it (null: not known). */
    public record Seen(VcenterSoap.HostState host, MaintenancePlan.VropsState inVrops) {
    }

    /**
     * What the watch of one vCenter knows, shared with the events of that vCenter: whether it is up, each host's state
     * from its answers, and vROps's state of each host as the integration last applied or read it. An event that only
     * repeats what the watch has already applied costs no call ({@link MaintenanceSync}).
     */
    public static final class Memory {
        private volatile boolean up;
        private final Map<String, VcenterSoap.HostState> hosts = new ConcurrentHashMap<>();
        private final Map<String, MaintenancePlan.VropsState> inVrops = new ConcurrentHashMap<>();

        /** The host while the watch is up and has it: else nothing, and an event is checked as without a watch. */
        public Optional<Seen> seen(String moref) {
            VcenterSoap.HostState host = up && moref != null ? hosts.get(moref) : null;
            return host == null ? Optional.empty() : Optional.of(new Seen(host, inVrops.get(moref)));
        }

        /** vROps's state of the host, as the integration just applied or read it; unknown forgets it. */
        public void confirm(String moref, MaintenancePlan.VropsState state) {
            if (moref == null) {
                return;
            }
            if (state == null || state == MaintenancePlan.VropsState.UNKNOWN) {
                inVrops.remove(moref);
            } else {
                inVrops.put(moref, state);
            }
        }

        boolean up() {
            return up;
        }
    }

    /** A task the filter reaches through a host's recentTask: its kind, state and host. */
    private record Task(String descriptionId, String state, String entity) {
        boolean entering() {
            return "HostSystem.enterMaintenanceMode".equals(descriptionId) && ("running".equals(state) || "queued".equals(state));
        }
    }

    /** One ObjectUpdate of an answer: the object, its kind, the values assigned, and the properties that now have none. */
    record ObjectUpdate(String type, String moref, String kind, Map<String, String> values, Map<String, String> unset) {
    }

    /** One answer of WaitForUpdatesEx: the version to wait from next, whether more is waiting, and the updates of the filter. */
    record UpdateSet(String version, boolean truncated, List<ObjectUpdate> updates) {
    }

    /**
     * The hosts and tasks a watch knows, as its answers left them; {@link #apply} tells which hosts changed state.
     * Confined to the watch's thread.
     */
    static final class Inventory {
        private final Map<String, Map<String, String>> hosts = new HashMap<>();
        private final Map<String, Map<String, String>> withheld = new HashMap<>();
        private final Map<String, Task> tasks = new HashMap<>();

        /** Applies the answer; the morefs of the hosts whose state (as {@link #state} tells it) it changed. */
        Set<String> apply(UpdateSet set) {
            Set<String> touched = new LinkedHashSet<>();
            Map<String, VcenterSoap.HostState> before = new HashMap<>();
            for (ObjectUpdate update : set.updates()) {
                if ("HostSystem".equals(update.type())) {
                    before.putIfAbsent(update.moref(), state(update.moref()));
                    touched.add(update.moref());
                    if (update.kind().equals("leave")) {
                        hosts.remove(update.moref());
                        withheld.remove(update.moref());
                        continue;
                    }
                    Map<String, String> values = hosts.computeIfAbsent(update.moref(), k -> new HashMap<>());
                    Map<String, String> missing = withheld.computeIfAbsent(update.moref(), k -> new HashMap<>());
                    if (update.kind().equals("enter")) {
                        values.clear();
                        missing.clear();
                    }
                    update.values().forEach((name, value) -> {
                        values.put(name, value);
                        missing.remove(name);
                    });
                    update.unset().forEach((name, why) -> {
                        values.remove(name);
                        missing.put(name, why);
                    });
                } else if ("Task".equals(update.type())) {
                    Task old = tasks.get(update.moref());
                    if (old != null && old.entity() != null) {
                        before.putIfAbsent(old.entity(), state(old.entity()));
                        touched.add(old.entity());
                    }
                    if (update.kind().equals("leave")) {
                        tasks.remove(update.moref());
                        continue;
                    }
                    Map<String, String> values = new HashMap<>();
                    if (old != null && !update.kind().equals("enter")) {
                        values.put("info.descriptionId", old.descriptionId());
                        values.put("info.state", old.state());
                        values.put("info.entity", old.entity());
                    }
                    values.putAll(update.values());
                    update.unset().keySet().forEach(values::remove);
                    Task task = new Task(values.get("info.descriptionId"), values.get("info.state"), values.get("info.entity"));
                    if (task.entity() != null) {
                        before.putIfAbsent(task.entity(), state(task.entity()));
                        touched.add(task.entity());
                    }
                    tasks.put(update.moref(), task);
                }
            }
            Set<String> changed = new LinkedHashSet<>();
            for (String moref : touched) {
                VcenterSoap.HostState now = hosts.containsKey(moref) ? state(moref) : null;
                VcenterSoap.HostState then = before.get(moref);
                if (now != null && (then == null || then.state() != now.state())) {
                    changed.add(moref);
                }
            }
            return changed;
        }

        /**
         * The host's state as a read of it would tell ({@link VcenterSoap}): in maintenance, entering (an
         * enter-maintenance task of it queued or running), in service, or unknown when vCenter withheld the property
         * or gave anything but true or false.
         */
        VcenterSoap.HostState state(String moref) {
            Map<String, String> values = hosts.getOrDefault(moref, Map.of());
            String name = values.getOrDefault("name", moref);
            String why = withheld.getOrDefault(moref, Map.of()).get("runtime.inMaintenanceMode");
            String inMaintenance = values.get("runtime.inMaintenanceMode");
            if (why == null && "true".equals(inMaintenance)) {
                return new VcenterSoap.HostState(moref, name, MaintenancePlan.VcenterState.IN_MAINTENANCE, null);
            }
            if (why == null && "false".equals(inMaintenance)) {
                boolean entering = tasks.values().stream().anyMatch(task -> moref.equals(task.entity()) && task.entering());
                return new VcenterSoap.HostState(moref, name, entering ? MaintenancePlan.VcenterState.ENTERING
                        : MaintenancePlan.VcenterState.IN_SERVICE, null);
            }
            return new VcenterSoap.HostState(moref, name, MaintenancePlan.VcenterState.UNKNOWN, why != null ? why
                    : inMaintenance == null ? "no value" : "the value " + VcenterSoap.abbreviated(inMaintenance));
        }

        List<String> hosts() {
            return List.copyOf(hosts.keySet());
        }
    }

    /**
     * Reads an answer of WaitForUpdatesEx strictly: null ({@code returnval} absent) when nothing changed within the
     * wait; else its version, which must be there, whether it was truncated, and the object updates of the filter
     * {@code filter} only, each object by the type and id of its {@code obj}, its kind one of enter, modify or leave. A
     * property assigned without a value, removed, or in {@code missingSet} is unset, with why. Elements vCenter adds
     * are skipped where they appear; an object nested in one is no object of the answer.
     */
    static UpdateSet read(Element returnval, String filter) throws IOException {
        if (returnval == null || !"returnval".equals(returnval.getLocalName())) {
            return null;
        }
        String version = VcenterSoap.text(returnval, "version");
        if (version == null) {
            throw new IOException("vCenter answered WaitForUpdatesEx without a version");
        }
        boolean truncated = "true".equals(VcenterSoap.text(returnval, "truncated"));
        List<ObjectUpdate> updates = new ArrayList<>();
        for (Element filterUpdate : VcenterSoap.children(returnval, "filterSet")) {
            if (!filter.equals(VcenterSoap.text(filterUpdate, "filter"))) {
                continue; // another filter's: not what this watch asked for
            }
            for (Element object : VcenterSoap.children(filterUpdate, "objectSet")) {
                Element obj = VcenterSoap.child(object, "obj");
                String kind = VcenterSoap.text(object, "kind");
                String id = obj == null ? "" : obj.getTextContent().strip();
                if (id.isEmpty() || !Set.of("enter", "modify", "leave").contains(String.valueOf(kind))) {
                    throw new IOException("vCenter answered WaitForUpdatesEx with an object update without an object or a known kind ("
                            + kind + ")");
                }
                Map<String, String> values = new HashMap<>();
                Map<String, String> unset = new HashMap<>();
                for (Element change : VcenterSoap.children(object, "changeSet")) {
                    String name = VcenterSoap.text(change, "name");
                    String op = VcenterSoap.text(change, "op");
                    Element val = VcenterSoap.child(change, "val");
                    if (name == null) {
                        continue;
                    }
                    if (("assign".equals(op) || "add".equals(op)) && val != null) {
                        values.put(name, val.getTextContent().strip());
                    } else {
                        unset.put(name, "assign".equals(op) ? "no value" : "the property was " + op);
                    }
                }
                for (Element missing : VcenterSoap.children(object, "missingSet")) {
                    String path = VcenterSoap.text(missing, "path");
                    if (path != null) {
                        values.remove(path);
                        unset.put(path, faultType(missing));
                    }
                }
                updates.add(new ObjectUpdate(obj.getAttribute("type"), id, kind, values, unset));
            }
            for (Element missing : VcenterSoap.children(filterUpdate, "missingSet")) {
                // an object the filter could not reach: its state is not known, whatever came before
                Element obj = VcenterSoap.child(missing, "obj");
                if (obj != null && "HostSystem".equals(obj.getAttribute("type")) && !obj.getTextContent().isBlank()) {
                    updates.add(new ObjectUpdate("HostSystem", obj.getTextContent().strip(), "modify", Map.of(),
                            Map.of("runtime.inMaintenanceMode", faultType(missing))));
                }
            }
        }
        return new UpdateSet(version, truncated, updates);
    }

    /** The type of a missingSet's fault, e.g. NoPermission. */
    private static String faultType(Element missing) {
        Element outer = VcenterSoap.child(missing, "fault");
        Element fault = outer == null ? null : VcenterSoap.child(outer, "fault");
        String type = fault == null ? "" : fault.getAttributeNS("http://www.w3.org/2001/XMLSchema-instance", "type");
        return type.isEmpty() ? "a fault" : type.substring(type.indexOf(':') + 1);
    }

    private final Vcenters.Vcenter vcenter;
    private final Reconciler reconciler;
    private final MaintenanceSync sync;
    private final HostStatus status;
    private final Hooks.Levels up;
    private final Hooks.Counts changes;
    private final boolean withTasks;
    private final int maxWaitSeconds;
    private final long timeoutMillis;
    /** Hosts whose change waits for the pass thread: applied together, with the state the watch has then. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** Whether a job that applies the pending hosts is queued on the pass thread and has not started. */
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile boolean stopping;
    /** Whether a resync pass was asked for since start; confined to the watch's thread. */
    private boolean resynced;
    private volatile String collector;
    private volatile VcenterSoap.ServiceContent session;

    private VcenterWatch(Vcenters.Vcenter vcenter, Reconciler reconciler, MaintenanceSync sync, HostStatus status, Hooks.Levels up,
            Hooks.Counts changes, boolean withTasks, int maxWaitSeconds, long timeoutMillis) {
        this.vcenter = vcenter;
        this.reconciler = reconciler;
        this.sync = sync;
        this.status = status;
        this.up = up;
        this.changes = changes;
        this.withTasks = withTasks;
        this.maxWaitSeconds = maxWaitSeconds;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * A watch per configured vCenter, on a thread of its own from the moment the integration has started, unless
     * {@code vcenter.watch} is false; each stops, cancels its long poll and destroys its collector when the integration
     * stops.
     */
    public static void start(CamelContext context, Vcenters vcenters, Reconciler reconciler, MaintenanceSync sync, HostStatus status) throws Exception {
        if (reconciler == null || !vcenters.watch()) {
            return;
        }
        // 0 would answer at once: a poll in a loop, not a wait; beyond an hour a cut connection goes unnoticed that long
        int maxWaitSeconds = (int) Settings.number(context, "vcenter.watch.max-wait-seconds", 60, 1, 3600);
        Hooks.Levels up = new Hooks.Levels(context, "vcenter.maintenance.watch.up", null);
        Hooks.Counts changes = new Hooks.Counts(context, "vcenter.maintenance.watch.changes");
        Map<VcenterWatch, ExecutorService> threads = new HashMap<>();
        for (Vcenters.Vcenter vcenter : vcenters.all()) {
            VcenterWatch watch = new VcenterWatch(vcenter, reconciler, sync, status, up, changes, vcenters.enteringMaintenance(),
                    maxWaitSeconds, vcenters.timeoutMillis());
            threads.put(watch, context.getExecutorServiceManager().newSingleThreadExecutor(watch, "watch " + vcenter.name()));
        }
        Hooks.whenStarted(context, () -> threads.forEach((watch, thread) -> {
            watch.up(false);
            thread.execute(watch::run);
        }));
        Hooks.whenStopping(context, () -> threads.forEach((watch, thread) -> {
            watch.stop();
            context.getExecutorServiceManager().shutdownNow(thread);
        }));
    }

    private void up(boolean working) {
        vcenter.watched().up = working;
        up.set(working ? 1 : 0, "vcenter", vcenter.name());
        status.watching(vcenter.name(), working);
    }

    /** Watches until the integration stops, starting again after each failure, after a wait that grows up to a bound. */
    private void run() {
        long retry = FIRST_RETRY_MILLIS;
        boolean first = true;
        while (!stopping) {
            try {
                watch();
            } catch (Exception failed) {
                if (stopping) {
                    return;
                }
                if (first && !resynced) {
                    // the pass at start is the watch's resync: run it even though the watch could not start
                    try {
                        reconciler.resync(vcenter, System.nanoTime());
                    } catch (Exception passFailed) {
                        LOG.debug("The pass at start over vCenter {} failed too: {}", vcenter.name(), passFailed.getMessage());
                    }
                }
                if (vcenter.watched().up) {
                    retry = FIRST_RETRY_MILLIS; // it worked until now: a new start soon, then longer waits again
                }
                up(false);
                String reason = failed.getMessage() != null ? failed.getMessage() : failed.toString();
                LOG.warn("The watch of vCenter {} stopped: {}; it logs in again, resyncs and watches again in {} ms", vcenter.name(),
                        reason, retry);
                if (failed instanceof VcenterSoap.Fault) {
                    // vCenter answers: end the session, and with it the collector, its filter and the view
                    logOut();
                }
            }
            first = false;
            try {
                Thread.sleep(retry);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
            retry = Math.min(MAX_RETRY_MILLIS, retry * 2);
        }
    }

    /**
     * One watch: a session, the collector, view and filter, the full list, the resync pass, then long polls until
     * something fails or the integration stops.
     */
    private void watch() throws Exception {
        VcenterSoap soap = vcenter.watchSoap();
        session = vcenter.watchSession();
        collector = soap.call("<CreatePropertyCollector xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                + VcenterSoap.xml(session.propertyCollector()) + "</_this></CreatePropertyCollector>", timeoutMillis, within()).getTextContent().strip();
        String view = soap.hostView(session);
        String filter = soap.call("<CreateFilter xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">" + VcenterSoap.xml(collector)
                + "</_this><spec>" + VcenterSoap.everyHost(view, withTasks) + "</spec><partialUpdates>false</partialUpdates></CreateFilter>",
                timeoutMillis, within()).getTextContent().strip();

        // the full list: every host enters, in as many answers as it takes
        long listed = System.nanoTime();
        Inventory inventory = new Inventory();
        String version = "";
        UpdateSet set;
        do {
            set = read(waitForUpdates(soap, version, 0), filter);
            if (set == null) {
                throw new IOException("vCenter answered the first WaitForUpdatesEx of the watch with nothing");
            }
            inventory.apply(set);
            version = set.version();
        } while (set.truncated());
        if (inventory.hosts().isEmpty()) {
            // a view of the whole inventory without hosts: a vCenter that withholds them, not one without
            throw new IOException("vCenter answered no HostSystem to the watch's full list");
        }
        Memory memory = vcenter.watched();
        memory.hosts.keySet().retainAll(inventory.hosts());
        inventory.hosts().forEach(moref -> memory.hosts.put(moref, inventory.state(moref)));
        // what changed while there was no watch: one pass that starts after the list was taken
        resynced = true; // tried: the pass's own failure is counted as a pass's
        reconciler.resync(vcenter, listed);
        if (stopping) {
            return;
        }
        up(true);
        LOG.info("Watching the {} hosts of vCenter {}", inventory.hosts().size(), vcenter.name());
        while (!stopping) {
            set = read(waitForUpdates(soap, version, maxWaitSeconds), filter);
            if (set == null) {
                continue; // nothing changed within the wait: the same version again
            }
            Set<String> changed = inventory.apply(set);
            version = set.version();
            for (String moref : inventory.hosts()) {
                memory.hosts.put(moref, inventory.state(moref));
            }
            memory.hosts.keySet().retainAll(inventory.hosts());
            applyLater(changed);
            // truncated: more is waiting, and the next call, made at once, returns it
        }
    }

    private Element waitForUpdates(VcenterSoap soap, String version, int waitSeconds) throws IOException {
        return soap.call("<WaitForUpdatesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">" + VcenterSoap.xml(collector)
                + "</_this><version>" + VcenterSoap.xml(version) + "</version><options><maxWaitSeconds>" + waitSeconds
                + "</maxWaitSeconds><maxObjectUpdates>" + MAX_OBJECT_UPDATES + "</maxObjectUpdates></options></WaitForUpdatesEx>",
                waitSeconds * 1000L + timeoutMillis, "within vcenter.watch.max-wait-seconds (" + waitSeconds + " s) and vcenter.timeout-ms ("
                        + timeoutMillis + " ms)");
    }

    private String within() {
        return "within vcenter.timeout-ms (" + timeoutMillis + " ms)";
    }

    /**
     * Applies the hosts' changes on the vCenter's pass thread, after the pass under way: all that wait then in one job,
     * each with the state the watch has when it runs, so that several changes of a host waiting meanwhile make one
     * application, and many hosts changing at once make bulk calls.
     */
    private void applyLater(Set<String> morefs) {
        pending.addAll(morefs);
        if (!morefs.isEmpty() && queued.compareAndSet(false, true)) {
            apply(null, 0, 0);
        }
    }

    /**
     * Applies the changes of {@code retried}, or of all hosts pending when null, on the pass thread after {@code delay}
     * ms: up to {@link #ONE_BY_ONE} hosts one by one, as an event of each would be; more, together
     * ({@link MaintenanceSync#watched(Vcenters.Vcenter, List)}). What failed (vROps unavailable, say) is tried again,
     * after a wait that doubles, up to {@link #APPLY_ATTEMPTS} times, and then left to the next pass.
     */
    private void apply(Set<String> retried, int attempt, long delay) {
        try {
            reconciler.onPassThread(vcenter, () -> {
                Set<String> morefs = retried;
                if (morefs == null) {
                    queued.set(false); // a change from now on needs a job of its own
                    morefs = new LinkedHashSet<>(pending);
                    pending.removeAll(morefs);
                }
                List<VcenterSoap.HostState> hosts = new ArrayList<>();
                for (String moref : morefs) {
                    VcenterSoap.HostState host = vcenter.watched().hosts.get(moref);
                    if (host != null) {
                        hosts.add(host); // else gone from vCenter's inventory since
                    }
                }
                if (hosts.isEmpty() || stopping) {
                    return;
                }
                Map<VcenterSoap.HostState, Exception> failed = new LinkedHashMap<>();
                if (hosts.size() <= ONE_BY_ONE) {
                    for (VcenterSoap.HostState host : hosts) {
                        try {
                            applied(host, sync.watched(vcenter, host));
                        } catch (Exception failure) {
                            failed.put(host, failure);
                        }
                    }
                } else {
                    try {
                        Map<String, MaintenanceEvent.Outcome> outcomes = sync.watched(vcenter, hosts);
                        hosts.forEach(host -> applied(host, outcomes.get(host.moref())));
                    } catch (Exception failure) {
                        hosts.forEach(host -> failed.put(host, failure));
                    }
                }
                if (!failed.isEmpty()) {
                    failed(failed, attempt);
                }
            }, delay);
        } catch (RejectedExecutionException stopped) {
            pending.clear();
            queued.set(false);
        }
    }

    /** One host's change applied: counted and logged. */
    private void applied(VcenterSoap.HostState host, MaintenanceEvent.Outcome outcome) {
        changes.increment("vcenter", vcenter.name(), "outcome", outcome.name());
        if (outcome.name().equals("applied")) {
            LOG.info("Watch of vCenter {}: host {} ({}) {}, vROps resource {} {}", vcenter.name(), LogLines.escape(host.name()),
                    host.moref(), HostStatus.label(host.state()), outcome.resourceId(), HostStatus.label(outcome.inVrops()));
        } else {
            LOG.info("Watch of vCenter {}: host {} ({}) {}, {}: {}", vcenter.name(), LogLines.escape(host.name()), host.moref(),
                    HostStatus.label(host.state()), outcome.name(), outcome.reason());
        }
    }

    /** Changes that could not be applied: counted and logged, and tried again unless that cannot help. */
    private void failed(Map<VcenterSoap.HostState, Exception> failed, int attempt) {
        Set<String> again = new LinkedHashSet<>();
        failed.forEach((host, failure) -> {
            if (stopping || failure instanceof VropsClient.Released) {
                return;
            }
            changes.increment("vcenter", vcenter.name(), "outcome", "failed");
            boolean retry = attempt + 1 < APPLY_ATTEMPTS && !(failure instanceof SecurityException);
            LOG.warn("Watch of vCenter {}: could not apply the change of host {} ({}): {}; {}", vcenter.name(), LogLines.escape(host.name()),
                    host.moref(), failure.getMessage() != null ? failure.getMessage() : failure.toString(),
                    retry ? "tried again in " + FIRST_RETRY_MILLIS * (1L << attempt) + " ms" : "the next pass repairs it");
            if (retry) {
                again.add(host.moref());
            }
        });
        if (!again.isEmpty()) {
            apply(again, attempt + 1, FIRST_RETRY_MILLIS * (1L << attempt));
        }
    }

    /** Ends the long poll, destroys the collector and ends the session; each step bounded, none retried. */
    private void stop() {
        stopping = true;
        vcenter.watchSoap().abort();
        String current = collector;
        if (session != null && current != null) {
            try {
                vcenter.watchSoap().call("<DestroyPropertyCollector xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                        + VcenterSoap.xml(current) + "</_this></DestroyPropertyCollector>", timeoutMillis, within());
            } catch (IOException gone) {
                LOG.debug("Could not destroy the watch's collector on vCenter {}: {}", vcenter.name(), gone.getMessage());
            }
        }
        logOut();
        up(false);
    }

    private void logOut() {
        VcenterSoap.ServiceContent current = session;
        session = null;
        collector = null;
        if (current != null) {
            try {
                vcenter.watchSoap().logout(current);
            } catch (IOException gone) {
                LOG.debug("Could not log the watch out of vCenter {}: {}", vcenter.name(), gone.getMessage());
            }
        }
    }
}
