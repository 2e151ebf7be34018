import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.Exchange;
import org.apache.camel.cloudevents.CloudEvent;

/**
 * Applies one maintenance mode event to vROps: reads it, waits for its turn on its host ({@link HostEventOrder}),
 * finds the host's resource and marks or unmarks it ({@link VropsSession}, {@link VropsCalls}). What became of it is
 * left in the exchange variables {@code vropsOutcome} ({@code applied}, {@code skipped}, {@code duplicate},
 * {@code stale}), {@code vropsAction}, {@code vropsResourceId} and {@code vropsSkipReason}, for the log and the
 * metrics, and in {@link HostStatus} for the page of each host. Failures are the exceptions of
 * {@link MaintenanceEvent#read} and {@link VropsCalls}.
 */
public final class MaintenanceSync {

    private final HostEventOrder order;
    private final VropsSession session;
    private final VropsCalls calls;
    private final Vcenters vcenters;
    private final HostStatus status;
    /** Whether events without a vCenter mark with timed maintenance ({@code vrops.maintenance-minutes} above 0). */
    private final boolean timedMaintenance;

    MaintenanceSync(HostEventOrder order, VropsSession session, VropsCalls calls, Vcenters vcenters, HostStatus status, boolean timedMaintenance) {
        this.status = status;
        this.timedMaintenance = timedMaintenance;
        this.order = order;
        this.session = session;
        this.calls = calls;
        this.vcenters = vcenters;
    }

    public void apply(Exchange exchange) throws Exception {
        MaintenanceEvent.requireEachAttributeOnce(exchange.getMessage());
        MaintenanceEvent event = MaintenanceEvent.read(exchange.getMessage().getBody(byte[].class),
                exchange.getMessage().getHeader(CloudEvent.CAMEL_CLOUD_EVENT_TYPE, String.class),
                exchange.getMessage().getHeader(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT, String.class),
                exchange.getMessage().getHeader(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE, String.class));
        exchange.setVariable("vropsAction", event.action());
        Optional<Vcenters.Vcenter> vcenter = vcenters.of(event.host().vcenter());
        String vcenterName = vcenter.map(Vcenters.Vcenter::name).orElse(event.host().vcenter());
        AtomicReference<HostStatus.VcenterState> inVcenter = new AtomicReference<>();
        MaintenanceEvent.Outcome outcome;
        try {
            outcome = vcenter.isPresent()
                    ? order.oneAtATime(event, () -> asHint(event, vcenter.get(), inVcenter))
                    : order.inOrder(event, () -> apply(event, false, true));
        } catch (Exception failed) {
            // the outcome the route's error handlers count it as
            status.evented(vcenterName, event.host(), event.action(), key(event), failed instanceof IllegalArgumentException ? "rejected"
                    : failed instanceof SecurityException ? "refused" : failed instanceof IOException ? "unavailable" : "failed",
                    inVcenter.get(), null);
            throw failed;
        }
        status.evented(vcenterName, event.host(), event.action(), key(event), outcome.name(), inVcenter.get(), inVrops(outcome, event, vcenter.isPresent()));
        exchange.setVariable("vropsOutcome", outcome.name());
        exchange.setVariable("vropsResourceId", outcome.resourceId());
        exchange.setVariable("vropsSkipReason", outcome.reason());
    }

    /** vROps's state after an applied event; null, unchanged, after any other. */
    private HostStatus.VropsState inVrops(MaintenanceEvent.Outcome outcome, MaintenanceEvent event, boolean held) {
        if (!outcome.applied()) {
            return null;
        }
        return !event.enter() ? HostStatus.VropsState.NOT_MAINTAINED
                : held || timedMaintenance ? HostStatus.VropsState.MAINTAINED : HostStatus.VropsState.MAINTAINED_MANUAL;
    }

    private static Long key(MaintenanceEvent event) {
        return event.position() == null ? null : event.position().key();
    }

    /**
     * With the event's vCenter configured, the event only says which host to look at: vROps is made to match what
     * vCenter says now, so a duplicate, stale, replayed or forged event cannot do harm. One that vCenter contradicts
     * changes nothing; the host is then as an earlier event or the next one leaves it.
     */
    private MaintenanceEvent.Outcome asHint(MaintenanceEvent event, Vcenters.Vcenter vcenter, AtomicReference<HostStatus.VcenterState> seen)
            throws Exception {
        String moref = event.host().moref();
        if (moref == null || moref.isBlank()) {
            throw new IllegalArgumentException("event data has no Host.Host.Value, the id vCenter " + vcenter.name() + " knows the host by");
        }
        Optional<VcenterSoap.HostState> host = vcenter.host(moref);
        if (host.isEmpty()) {
            return MaintenanceEvent.Outcome.skipped("skipped", "vCenter " + vcenter.name() + " has no host " + moref);
        }
        // entering counts as in maintenance: only events.entering-maintenance has the tasks read
        boolean silenced = host.get().inMaintenanceMode() || host.get().entering();
        seen.set(HostStatus.VcenterState.of(host.get()));
        if (silenced != event.enter()) {
            return MaintenanceEvent.Outcome.skipped("contradicted", "vCenter " + vcenter.name() + " has host " + event.host().name()
                    + " (" + moref + ") " + (silenced ? "in" : "out of") + " maintenance mode: the event is stale, replayed or forged");
        }
        return apply(event, true, true);
    }

    /**
     * Once more, with a fresh lookup, when vROps no longer knows a remembered resource id. {@code held}: with a vCenter,
     * the maintenance is timed, and the reconciliation extends it ({@link Reconciler}).
     */
    private MaintenanceEvent.Outcome apply(MaintenanceEvent event, boolean held, boolean againIfForgotten) throws Exception {
        boolean remembered = session.remembers(event.host());
        StringBuilder reason = new StringBuilder();
        Optional<String> resourceId = session.resourceId(event.host(), event::json, reason);
        if (resourceId.isEmpty()) {
            return MaintenanceEvent.Outcome.skipped("skipped", reason.toString());
        }
        try {
            session.withToken(token -> {
                calls.setMaintenance(token, resourceId.get(), event.enter(), held);
                return null;
            });
            return MaintenanceEvent.Outcome.applied(resourceId.get());
        } catch (VropsCalls.UnknownResource gone) {
            session.forget(event.host());
            if (remembered && againIfForgotten) {
                return apply(event, held, false);
            }
            return MaintenanceEvent.Outcome.skipped("skipped",
                    "vROps no longer knows resource " + resourceId.get() + " of host " + event.host().name());
        }
    }
}
