package maintsync.sync;

import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import maintsync.edge.HostStatus;
import maintsync.vcenter.VcenterSoap;
import maintsync.vcenter.VcenterWatch;
import maintsync.vcenter.Vcenters;
import maintsync.vrops.VropsCalls;
import maintsync.vrops.VropsSession;
import org.apache.camel.Exchange;

/**
 * Applies one maintenance mode event to vROps: reads it, waits for its turn on its host ({@link HostEventOrder}),
 * finds the host's resource and marks or unmarks it ({@link VropsSession}, {@link VropsCalls}).
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
 * Failures are the exceptions of {@link MaintenanceEvent#of}, {@link Vcenters} and {@link VropsCalls}.
 */
public final class MaintenanceSync {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HostEventOrder order;
    private final VropsSession session;
    private final VropsCalls calls;
    private final Vcenters vcenters;
    private final HostStatus status;
    /** Whether events without a vCenter mark with timed maintenance ({@code vrops.maintenance-minutes} above 0). */
    private final boolean timedMaintenance;

    public MaintenanceSync(HostEventOrder order, VropsSession session, VropsCalls calls, Vcenters vcenters, HostStatus status, boolean timedMaintenance) {
        this.status = status;
        this.timedMaintenance = timedMaintenance;
        this.order = order;
        this.session = session;
        this.calls = calls;
        this.vcenters = vcenters;
    }

    public void apply(Exchange exchange) throws Exception {
        MaintenanceEvent event = MaintenanceEvent.of(exchange.getMessage());
        exchange.setVariable("vropsAction", event.action());
        Optional<Vcenters.Vcenter> vcenter = vcenters.of(event.host().vcenter());
        String vcenterName = vcenter.map(Vcenters.Vcenter::name).orElse(event.host().vcenter());
        MaintenanceEvent.Outcome outcome;
        try {
            outcome = vcenter.isPresent()
                    ? order.oneAtATime(event, () -> asHint(event, vcenter.get()))
                    : order.inOrder(event, () -> trusted(event));
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
     * With the event's vCenter configured, the event only says which host to look at: what vCenter and vROps say of it
     * now decide ({@link MaintenancePlan}), as in a pass, so a duplicate, stale, replayed or forged event cannot do harm,
     * and maintenance set by hand is never taken over. One that vCenter contradicts is counted as such; the host is then
     * as the plan leaves it.
     */
    private MaintenanceEvent.Outcome asHint(MaintenanceEvent event, Vcenters.Vcenter vcenter) throws Exception {
        String moref = event.host().moref();
        if (moref == null || moref.isBlank()) {
            throw new IllegalArgumentException("event data has no Host.Host.Value, the id vCenter " + vcenter.name() + " knows the host by");
        }
        Optional<VcenterWatch.Seen> seen = vcenter.watched().seen(moref);
        if (seen.isPresent() && seen.get().inVrops() != null && seen.get().host().state().silenced() == event.enter()
                && !MaintenancePlan.decide(seen.get().host().state(), seen.get().inVrops()).changes()) {
            // the watch has already seen this change, and vROps is as it left or found the host: nothing to ask either side
            return new MaintenanceEvent.Outcome("unchanged", "the watch of vCenter " + vcenter.name() + " has already seen host "
                    + event.host().name() + " (" + moref + ") " + (event.enter() ? "in" : "out of") + " maintenance mode, and vROps "
                    + HostStatus.label(seen.get().inVrops()) + " as the integration last left or read it", null, seen.get().host().state(),
                    seen.get().inVrops());
        }
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
        VropsSession.Found found = session.find(event.host(), event::json, Set.of());
        if (!found.found()) {
            return MaintenanceEvent.Outcome.skipped("skipped", found.reason()).showing(host.state(), found.state());
        }
        MaintenancePlan.Decision decision = MaintenancePlan.decide(host.state(), found.state());
        MaintenancePlan.VropsState after = act(decision, found);
        vcenter.watched().confirm(moref, after);
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
        VropsSession.Host named = new VropsSession.Host(vcenter.host(), host.moref(), host.name());
        MaintenanceEvent.Outcome outcome = order.oneAtATime(vcenter.host() + "|" + host.moref(), () -> {
            if (host.state() == MaintenancePlan.VcenterState.UNKNOWN) {
                return MaintenanceEvent.Outcome.skipped("skipped", "vCenter did not give runtime.inMaintenanceMode of host " + host.name()
                        + " (" + host.withheld() + "): nothing is changed").showing(host.state(), null);
            }
            ObjectNode lookup = JSON.createObjectNode();
            lookup.putObject("Host").put("Name", host.name()).putObject("Host").put("Type", "HostSystem").put("Value", host.moref());
            VropsSession.Found found = session.find(named, lookup::toString, Set.of());
            if (!found.found()) {
                return MaintenanceEvent.Outcome.skipped("skipped", found.reason()).showing(host.state(), found.state());
            }
            MaintenancePlan.Decision decision = MaintenancePlan.decide(host.state(), found.state());
            MaintenancePlan.VropsState after = act(decision, found);
            vcenter.watched().confirm(host.moref(), after);
            return decision.changes() ? MaintenanceEvent.Outcome.applied(found.resourceId()).showing(host.state(), after)
                    : new MaintenanceEvent.Outcome(found.state() == MaintenancePlan.VropsState.NOT_MAINTAINED
                            || decision.step() == MaintenancePlan.Step.EXTEND ? "unchanged" : "skipped", decision.why(), found.resourceId(),
                            host.state(), after);
        });
        status.watched(vcenter.name(), host.name(), host.moref(), host.state(), outcome.inVrops());
        return outcome;
    }

    /** Does in vROps what the plan decided; vROps's state afterwards. */
    private MaintenancePlan.VropsState act(MaintenancePlan.Decision decision, VropsSession.Found found) throws Exception {
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
        VropsSession.Found found = session.find(event.host(), event::json, configured.keySet());
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
        VropsSession.Resource resource = session.resource(event.host(), event::json);
        if (resource.remembered()) {
            if (setMaintenance(resource.id(), event.enter(), false)) {
                return MaintenanceEvent.Outcome.applied(resource.id()).showing(null, inVrops(event));
            }
            session.forget(event.host());
            resource = session.resource(event.host(), event::json);
        }
        if (!resource.found()) {
            return MaintenanceEvent.Outcome.skipped("skipped", resource.reason());
        }
        if (setMaintenance(resource.id(), event.enter(), false)) {
            return MaintenanceEvent.Outcome.applied(resource.id()).showing(null, inVrops(event));
        }
        session.forget(event.host());
        return MaintenanceEvent.Outcome.skipped("skipped", "vROps no longer knows resource " + resource.id() + " of host " + event.host().name());
    }

    /** Marks or unmarks the resource ({@code held}: with timed maintenance); false when vROps no longer knows it. */
    private boolean setMaintenance(String resourceId, boolean enter, boolean held) throws Exception {
        try {
            session.withToken(token -> {
                calls.setMaintenance(token, resourceId, enter, held);
                return null;
            });
            return true;
        } catch (VropsCalls.UnknownResource gone) {
            return false;
        }
    }
}
