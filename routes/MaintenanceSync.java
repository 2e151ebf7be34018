import java.util.Optional;

import org.apache.camel.Exchange;
import org.apache.camel.cloudevents.CloudEvent;

/**
 * Applies one maintenance mode event to vROps: reads it, waits for its turn on its host ({@link HostEventOrder}),
 * finds the host's resource and marks or unmarks it ({@link VropsSession}, {@link VropsCalls}). What became of it is
 * left in the exchange variables {@code vropsOutcome} ({@code applied}, {@code skipped}, {@code duplicate},
 * {@code stale}), {@code vropsAction}, {@code vropsResourceId} and {@code vropsSkipReason}, for the log and the
 * metrics. Failures are the exceptions of {@link MaintenanceEvent#read} and {@link VropsCalls}.
 */
public final class MaintenanceSync {

    private final HostEventOrder order;
    private final VropsSession session;
    private final VropsCalls calls;

    MaintenanceSync(HostEventOrder order, VropsSession session, VropsCalls calls) {
        this.order = order;
        this.session = session;
        this.calls = calls;
    }

    public void apply(Exchange exchange) throws Exception {
        MaintenanceEvent.requireEachAttributeOnce(exchange.getMessage());
        MaintenanceEvent event = MaintenanceEvent.read(exchange.getMessage().getBody(byte[].class),
                exchange.getMessage().getHeader(CloudEvent.CAMEL_CLOUD_EVENT_TYPE, String.class),
                exchange.getMessage().getHeader(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT, String.class),
                exchange.getMessage().getHeader(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE, String.class));
        exchange.setVariable("vropsAction", event.action());
        MaintenanceEvent.Outcome outcome = order.inOrder(event, () -> apply(event, true));
        exchange.setVariable("vropsOutcome", outcome.name());
        exchange.setVariable("vropsResourceId", outcome.resourceId());
        exchange.setVariable("vropsSkipReason", outcome.reason());
    }

    /** Once more, with a fresh lookup, when vROps no longer knows a remembered resource id. */
    private MaintenanceEvent.Outcome apply(MaintenanceEvent event, boolean againIfForgotten) throws Exception {
        boolean remembered = session.remembers(event.host());
        StringBuilder reason = new StringBuilder();
        Optional<String> resourceId = session.resourceId(event.host(), event::json, reason);
        if (resourceId.isEmpty()) {
            return MaintenanceEvent.Outcome.skipped("skipped", reason.toString());
        }
        try {
            session.withToken(token -> {
                calls.setMaintenance(token, resourceId.get(), event.enter());
                return null;
            });
            return MaintenanceEvent.Outcome.applied(resourceId.get());
        } catch (VropsCalls.UnknownResource gone) {
            session.forget(event.host());
            if (remembered && againIfForgotten) {
                return apply(event, false);
            }
            return MaintenanceEvent.Outcome.skipped("skipped",
                    "vROps no longer knows resource " + resourceId.get() + " of host " + event.host().name());
        }
    }
}
