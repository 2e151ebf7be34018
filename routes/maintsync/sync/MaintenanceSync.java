package maintsync.sync;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import maintsync.edge.HostStatus;
import maintsync.vcenter.VcenterSoap;
import maintsync.vcenter.VcenterWatch;
import maintsync.vcenter.Vcenters;
import maintsync.vrops.VropsClient;
import org.apache.camel.Exchange;

/**
 * Applies one maintenance mode event to vROps: reads it, answers it from what the watch of its vCenter has applied
 * when that is enough ({@link VcenterWatch}), else waits for its turn on its host ({@link HostEventOrder}), finds the
 * host's resource and marks or unmarks it ({@link VropsClient}).
 * <p>
 * Which events are trusted: with the event's vCenter configured (its {@code source} has the host of a
 * {@code vcenter.<name>.url}), none; the event only names the host, and {@link MaintenancePlan} decides from what that
 * vCenter and vROps say of it, as a pass does. An event of any other source is trusted as it comes, in vCenter's order,
 * but with vCenters configured it may not change a host that vROps knows as one of theirs ({@code VMEntityVCID}): that
 * is rejected, since only a configured vCenter tells the truth about its hosts.
 * <p>
 * What became of it is left in the exchange variables {@code vropsOutcome} ({@code applied}, {@code unchanged},
 * {@code skipped}, {@code contradicted}, {@code duplicate}, {@code stale}), {@code vropsAction}, {@code vropsResourceId}
 * and {@code vropsSkipReason}, for the log and the metrics, and in {@link HostStatus} for the page of each host.
 * Failures are the exceptions of {@link MaintenanceEvent#of}, {@link Vcenters} and {@link VropsClient}.
 */
public final class MaintenanceSync {

    private final HostEventOrder order;
    private final VropsClient vrops;
    private final Vcenters vcenters;
    private final HostStatus status;
    /** Whether events without a vCenter mark with timed maintenance ({@code vrops.maintenance-minutes} above 0). */
    private final boolean timedMaintenance;

    public MaintenanceSync(HostEventOrder order, VropsClient vrops, Vcenters vcenters, HostStatus status, boolean timedMaintenance) {
        this.status = status;
        this.timedMaintenance = timedMaintenance;
        this.order = order;
        this.vrops = vrops;
        this.vcenters = vcenters;
    }

    public void apply(Exchange exchange) throws Exception {
        MaintenanceEvent event = MaintenanceEvent.of(exchange.getMessage());
        exchange.setVariable("vropsAction", event.action());
        Optional<Vcenters.Vcenter> vcenter = vcenters.of(event.host().vcenter());
        String vcenterName = vcenter.map(Vcenters.Vcenter::name).orElse(event.host().vcenter());
        MaintenanceEvent.Outcome outcome;
        try {
            if (vcenter.isEmpty()) {
                outcome = order.inOrder(event, () -> trusted(event));
            } else {
                // what the watch has applied already is answered without waiting for the host's other events: nothing is written
                Optional<MaintenanceEvent.Outcome> seen = seenByTheWatch(event, vcenter.get());
                outcome = seen.isPresent() ? seen.get() : order.oneAtATime(event, () -> asHint(event, vcenter.get()));
            }
        } catch (Exception failed) {
            // the outcome the route's error handlers count it as
            status.evented(vcenterName, event.host(), event.action(), key(event), failed instanceof IllegalArgumentException ? "rejected"
                    : failed instanceof SecurityException ? "refused" : failed instanceof IOException ? "unavailable" : "failed", null, null);
            throw failed;
        }
        status.evented(vcenterName, event.host(), event.action(), key(event), outcome.name(), outcome.inVcenter(), outcome.inVrops());
        exchange.setVariable("vropsOutcome", outcome.name());
        exchange.setVariable("vropsResourceId", outcome.resourceId());
        exchange.setVariable("vropsSkipReason", outcome.reason());
    }

    private static Long key(MaintenanceEvent event) {
        return event.position() == null ? null : event.position().key();
    }

    /**
     * The outcome of an event whose change the watch of its vCenter has seen, while vROps is as the integration last
     * left or read it and the plan would change nothing there: {@code unchanged}, without asking either side. Else
     * nothing, and the event is checked ({@link #asHint}).
     */
    private Optional<MaintenanceEvent.Outcome> seenByTheWatch(MaintenanceEvent event, Vcenters.Vcenter vcenter) {
        String moref = morefOf(event, vcenter);
        Optional<VcenterWatch.Seen> seen = vcenter.watched().seen(moref);
        if (seen.isEmpty() || seen.get().inVrops() == null || seen.get().host().state().silenced() != event.enter()
                || MaintenancePlan.decide(seen.get().host().state(), seen.get().inVrops()).changes()) {
            return Optional.empty();
        }
        return Optional.of(new MaintenanceEvent.Outcome("unchanged", "the watch of vCenter " + vcenter.name() + " has already seen host "
                + event.host().name() + " (" + moref + ") " + (event.enter() ? "in" : "out of") + " maintenance mode, and vROps "
                + HostStatus.label(seen.get().inVrops()) + " as the integration last left or read it", null, seen.get().host().state(),
                seen.get().inVrops()));
    }

    /** The id the event's vCenter knows its host by: an event without one can never be checked. */
    private static String morefOf(MaintenanceEvent event, Vcenters.Vcenter vcenter) {
        String moref = event.host().moref();
        if (moref == null || moref.isBlank()) {
            throw new IllegalArgumentException("event data has no Host.Host.Value, the id vCenter " + vcenter.name() + " knows the host by");
        }
        return moref;
    }

    /**
     * With the event's vCenter configured, the event only says which host to look at: what vCenter and vROps say of it
     * now decide ({@link MaintenancePlan}), as in a pass, so a duplicate, stale, replayed or forged event cannot do harm,
     * and maintenance set by hand is never taken over. One that vCenter contradicts is counted as such; the host is then
     * as the plan leaves it.
     */
    private MaintenanceEvent.Outcome asHint(MaintenanceEvent event, Vcenters.Vcenter vcenter) throws Exception {
        String moref = morefOf(event, vcenter);
        Optional<VcenterSoap.HostState> read = vcenter.host(moref);
        if (read.isEmpty()) {
            return MaintenanceEvent.Outcome.skipped("skipped", "vCenter " + vcenter.name() + " has no host " + moref);
        }
        VcenterSoap.HostState host = read.get();
        String named = "host " + event.host().name() + " (" + moref + ") of vCenter " + vcenter.name();
        if (host.state() == MaintenancePlan.VcenterState.UNKNOWN) {
            if ("NoPermission".equals(host.withheld())) {
                throw new Vcenters.Refused("vCenter " + vcenter.name() + " withholds runtime.inMaintenanceMode of " + named
                        + " (NoPermission): give its user the Read-only role on the host");
            }
            return MaintenanceEvent.Outcome.skipped("skipped", "vCenter did not give runtime.inMaintenanceMode of " + named + " ("
                    + host.withheld() + "): nothing is changed").showing(host.state(), null);
        }
        Planned planned = planAndAct(vcenter, host, event.host());
        if (planned.decision() == null) {
            return planned.notFound(host);
        }
        VropsClient.Found found = planned.found();
        MaintenancePlan.Decision decision = planned.decision();
        MaintenancePlan.VropsState after = planned.after();
        if (host.state().silenced() != event.enter()) {
            return new MaintenanceEvent.Outcome("contradicted", "vCenter has " + named + (host.state().silenced() ? " in" : " out of")
                    + " maintenance mode: the event is stale, replayed or forged; " + said(decision), null, host.state(), after);
        }
        return switch (decision.step()) {
            case MARK, EXTEND, UNMARK -> MaintenanceEvent.Outcome.applied(found.resourceId()).showing(host.state(), after);
            // vROps in service as vCenter has it already, or a state the plan leaves alone (manual, not known)
            case NONE -> new MaintenanceEvent.Outcome(found.state() == MaintenancePlan.VropsState.NOT_MAINTAINED ? "unchanged" : "skipped",
                    decision.why(), found.resourceId(), host.state(), after);
        };
    }

    /**
     * A change of one host that the watch of its vCenter saw: planned and applied as an event of that vCenter is, from
     * the state the watch has, one at a time with the events of the host. Nothing is read from vCenter: the watch has
     * just told.
     */
    public MaintenanceEvent.Outcome watched(Vcenters.Vcenter vcenter, VcenterSoap.HostState host) throws Exception {
        VropsClient.Host named = new VropsClient.Host(vcenter.host(), host.moref(), host.name());
        MaintenanceEvent.Outcome outcome = order.oneAtATime(vcenter.host() + "|" + host.moref(), () -> {
            if (host.state() == MaintenancePlan.VcenterState.UNKNOWN) {
                return MaintenanceEvent.Outcome.skipped("skipped", "vCenter did not give runtime.inMaintenanceMode of host " + host.name()
                        + " (" + host.withheld() + "): nothing is changed").showing(host.state(), null);
            }
            Planned planned = planAndAct(vcenter, host, named);
            if (planned.decision() == null) {
                return planned.notFound(host);
            }
            MaintenancePlan.Decision decision = planned.decision();
            return decision.changes() ? MaintenanceEvent.Outcome.applied(planned.found().resourceId()).showing(host.state(), planned.after())
                    : new MaintenanceEvent.Outcome(planned.found().state() == MaintenancePlan.VropsState.NOT_MAINTAINED
                            || decision.step() == MaintenancePlan.Step.EXTEND ? "unchanged" : "skipped", decision.why(),
                            planned.found().resourceId(), host.state(), planned.after());
        });
        status.watched(vcenter.name(), host.name(), host.moref(), host.state(), outcome.inVrops());
        return outcome;
    }

    /**
     * Changes of many hosts that the watch of their vCenter saw in one answer, applied together: one listing of the
     * vCenter's hosts in vROps, the pass's decision for each ({@link #planWatched}), the timed maintenance of the hosts
     * to mark or extend and the end of it for the hosts to unmark, many per call. Nothing is read from vCenter. Unlike
     * {@link #watched(Vcenters.Vcenter, VcenterSoap.HostState)} it does not wait for the events of each host: both
     * decide from what vCenter has now, so they end alike, and a change the watch sees later is applied after. What
     * became of each host, by managed object id.
     */
    public Map<String, MaintenanceEvent.Outcome> watched(Vcenters.Vcenter vcenter, List<VcenterSoap.HostState> hosts) throws Exception {
        Map<String, VropsClient.Listed> listed = new HashMap<>();
        for (VropsClient.Listed host : vrops.hosts(vcenter.instanceUuid(), () -> { })) {
            listed.put(host.moref(), host);
        }
        List<Reconciler.HostStep> steps = planWatched(hosts, listed);
        vrops.hold(steps.stream().filter(step -> step.step() == MaintenancePlan.Step.MARK || step.step() == MaintenancePlan.Step.EXTEND)
                .map(Reconciler.HostStep::resourceId).toList());
        vrops.unmark(steps.stream().filter(step -> step.step() == MaintenancePlan.Step.UNMARK).map(Reconciler.HostStep::resourceId).toList());
        Map<String, MaintenanceEvent.Outcome> outcomes = new LinkedHashMap<>();
        for (Reconciler.HostStep step : steps) {
            VcenterSoap.HostState host = step.host();
            MaintenanceEvent.Outcome outcome;
            if (host.state() == MaintenancePlan.VcenterState.UNKNOWN) {
                outcome = MaintenanceEvent.Outcome.skipped("skipped", "vCenter did not give runtime.inMaintenanceMode of host " + host.name()
                        + " (" + host.withheld() + "): nothing is changed").showing(host.state(), null);
            } else if (!listed.containsKey(host.moref())) {
                outcome = MaintenanceEvent.Outcome.skipped("skipped", "vROps has no HostSystem " + host.name() + " (" + host.moref() + ")")
                        .showing(host.state(), MaintenancePlan.VropsState.UNKNOWN);
            } else {
                vcenter.watched().confirm(host.moref(), step.after());
                MaintenancePlan.Decision decision = MaintenancePlan.decide(host.state(), step.inVrops());
                outcome = decision.changes() ? MaintenanceEvent.Outcome.applied(step.resourceId()).showing(host.state(), step.after())
                        : new MaintenanceEvent.Outcome(step.inVrops() == MaintenancePlan.VropsState.NOT_MAINTAINED
                                || step.step() == MaintenancePlan.Step.EXTEND ? "unchanged" : "skipped", decision.why(), step.resourceId(),
                                host.state(), step.after());
            }
            status.watched(vcenter.name(), host.name(), host.moref(), host.state(), outcome.inVrops());
            outcomes.put(host.moref(), outcome);
        }
        return outcomes;
    }

    /**
     * What the watch does with each of many changed hosts, from one listing of the vCenter's hosts in vROps and without
     * a call: the pass's decision ({@link Reconciler#decide}) from vCenter's state and the state and id vROps listed. A
     * host vROps did not list is one it does not know: nothing is done, its state there is unknown.
     */
    static List<Reconciler.HostStep> planWatched(List<VcenterSoap.HostState> hosts, Map<String, VropsClient.Listed> listed) {
        return hosts.stream().map(host -> {
            VropsClient.Listed vrops = listed.get(host.moref());
            if (vrops == null) {
                return new Reconciler.HostStep(host, MaintenancePlan.VropsState.UNKNOWN, MaintenancePlan.Step.NONE, null);
            }
            return Reconciler.decide(List.of(host), Map.of(host.moref(), new Reconciler.Maintained(vrops.resourceId(), vrops.state())),
                    Map.of(host.moref(), vrops.resourceId())).get(0);
        }).toList();
    }

    /** vROps's side of a host: as looked up, what the plan decided (none when vROps does not know the host), and after. */
    private record Planned(VropsClient.Found found, MaintenancePlan.Decision decision, MaintenancePlan.VropsState after) {

        MaintenanceEvent.Outcome notFound(VcenterSoap.HostState host) {
            return MaintenanceEvent.Outcome.skipped("skipped", found.reason()).showing(host.state(), found.state());
        }
    }

    /**
     * Looks the host up in vROps, plans from vCenter's state of it and vROps's, and does what the plan says; what the
     * integration then knows of vROps's state is left for the events the watch has already seen.
     */
    private Planned planAndAct(Vcenters.Vcenter vcenter, VcenterSoap.HostState host, VropsClient.Host named) throws Exception {
        VropsClient.Found found = vrops.find(named, Set.of());
        if (!found.found()) {
            return new Planned(found, null, found.state());
        }
        MaintenancePlan.Decision decision = MaintenancePlan.decide(host.state(), found.state());
        MaintenancePlan.VropsState after = act(decision, found);
        vcenter.watched().confirm(host.moref(), after);
        return new Planned(found, decision, after);
    }

    /** Does in vROps what the plan decided; vROps's state afterwards. */
    private MaintenancePlan.VropsState act(MaintenancePlan.Decision decision, VropsClient.Found found) throws Exception {
        boolean enter = decision.step() != MaintenancePlan.Step.UNMARK;
        if (decision.step() == MaintenancePlan.Step.NONE) {
            return found.state();
        }
        if (!setMaintenance(found.resourceId(), enter, true)) {
            return MaintenancePlan.VropsState.UNKNOWN; // removed from vROps since the lookup: nothing to silence
        }
        return enter ? MaintenancePlan.VropsState.MAINTAINED : MaintenancePlan.VropsState.NOT_MAINTAINED;
    }

    private static String said(MaintenancePlan.Decision decision) {
        return switch (decision.step()) {
            case MARK -> "vROps marked, because " + decision.why();
            case EXTEND -> "vROps's maintenance extended, because " + decision.why();
            case UNMARK -> "vROps unmarked, because " + decision.why();
            case NONE -> "nothing changed: " + decision.why();
        };
    }

    /**
     * An event of a source that is no configured vCenter, trusted as it comes: Enter marks, Exit unmarks. With vCenters
     * configured, the host is looked up apart from theirs, and one vROps knows only as theirs is refused.
     */
    private MaintenanceEvent.Outcome trusted(MaintenanceEvent event) throws Exception {
        if (vcenters.all().isEmpty()) {
            return applyTrusted(event);
        }
        // instance UUID, lower case (vROps and vCenter may differ in case), to the configured vCenter's name
        Map<String, String> configured = new HashMap<>();
        for (Vcenters.Vcenter vcenter : vcenters.all()) {
            configured.put(vcenter.instanceUuid().toLowerCase(Locale.ROOT), vcenter.name());
        }
        VropsClient.Found found = vrops.find(event.host(), configured.keySet());
        if (found.ownedBy() != null) {
            String owner = configured.get(found.ownedBy().toLowerCase(Locale.ROOT));
            throw new IllegalArgumentException("source " + event.host().vcenter() + " is no configured vCenter, and vROps knows host "
                    + event.host().name() + " only as one of vCenter " + owner + ": only that vCenter's events change it "
                    + "(if they are its events, give vcenter." + owner + ".url the host name of their source)");
        }
        if (!found.found()) {
            return MaintenanceEvent.Outcome.skipped("skipped", found.reason());
        }
        if (!setMaintenance(found.resourceId(), event.enter(), false)) {
            return MaintenanceEvent.Outcome.skipped("skipped", "vROps no longer knows resource " + found.resourceId() + " of host "
                    + event.host().name());
        }
        return MaintenanceEvent.Outcome.applied(found.resourceId()).showing(null, inVrops(event));
    }

    /** vROps's state after a trusted event was applied. */
    private MaintenancePlan.VropsState inVrops(MaintenanceEvent event) {
        return !event.enter() ? MaintenancePlan.VropsState.NOT_MAINTAINED
                : timedMaintenance ? MaintenancePlan.VropsState.MAINTAINED : MaintenancePlan.VropsState.MAINTAINED_MANUAL;
    }

    /**
     * Without vCenters: the host's resource id, marked or unmarked. A remembered id that vROps no longer knows is
     * forgotten, and the host looked up once more.
     */
    private MaintenanceEvent.Outcome applyTrusted(MaintenanceEvent event) throws Exception {
        VropsClient.Resource resource = vrops.resource(event.host());
        if (resource.remembered()) {
            if (setMaintenance(resource.id(), event.enter(), false)) {
                return MaintenanceEvent.Outcome.applied(resource.id()).showing(null, inVrops(event));
            }
            vrops.forget(event.host());
            resource = vrops.resource(event.host());
        }
        if (!resource.found()) {
            return MaintenanceEvent.Outcome.skipped("skipped", resource.reason());
        }
        if (setMaintenance(resource.id(), event.enter(), false)) {
            return MaintenanceEvent.Outcome.applied(resource.id()).showing(null, inVrops(event));
        }
        vrops.forget(event.host());
        return MaintenanceEvent.Outcome.skipped("skipped", "vROps no longer knows resource " + resource.id() + " of host " + event.host().name());
    }

    /** Marks or unmarks the resource ({@code held}: with timed maintenance); false when vROps no longer knows it. */
    private boolean setMaintenance(String resourceId, boolean enter, boolean held) throws Exception {
        return !enter ? vrops.unmark(resourceId) : held ? vrops.hold(resourceId) : vrops.mark(resourceId);
    }
}
