import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Applies the events of one host one at a time and in vCenter order. A Broker neither orders nor deduplicates, Enter
 * and Exit arrive through different Triggers and retries reorder them: an event that is not newer than the last one
 * applied to its host (by vCenter event {@code Key}, else {@code CreatedTime}) is a duplicate or stale, and is
 * acknowledged without being applied, so that it cannot undo a later change. The memory is this process's.
 */
public final class HostEventOrder {

    /** The work of one event; runs while its host is held. */
    interface Work {
        MaintenanceEvent.Outcome apply() throws Exception;
    }

    private static final class Host {
        final ReentrantLock lock = new ReentrantLock();
        MaintenanceEvent.Position last;
    }

    private final ConcurrentMap<String, Host> hosts = new ConcurrentHashMap<>();

    /** Public and without side effects: Camel's Java source loader instantiates every class it compiles that has one. */
    public HostEventOrder() {
    }

    /**
     * Runs {@code work} while the event's host is held, whatever came before: for an event that only names the host,
     * whose state is read from vCenter, two at once could write what each read in the wrong order.
     */
    MaintenanceEvent.Outcome oneAtATime(MaintenanceEvent event, Work work) throws Exception {
        Host host = hosts.computeIfAbsent(event.hostKey(), key -> new Host());
        host.lock.lock();
        try {
            return work.apply();
        } finally {
            host.lock.unlock();
        }
    }

    /**
     * Runs {@code work} unless the event is not newer than the last one applied to its host; an event that can be
     * placed in no order (no Key, no CreatedTime) is applied as it comes. The event counts as applied only when
     * {@code work} returns {@code applied}.
     */
    MaintenanceEvent.Outcome inOrder(MaintenanceEvent event, Work work) throws Exception {
        MaintenanceEvent.Position position = event.position();
        if (position == null) {
            return work.apply();
        }
        Host host = hosts.computeIfAbsent(event.hostKey(), key -> new Host());
        host.lock.lock();
        try {
            int order = host.last == null ? 1 : position.compareTo(host.last);
            if (order <= 0) {
                return MaintenanceEvent.Outcome.skipped(order == 0 ? "duplicate" : "stale",
                        "event " + position + " is not newer than " + host.last + ", already applied");
            }
            MaintenanceEvent.Outcome outcome = work.apply();
            if (outcome.applied()) {
                host.last = position;
            }
            return outcome;
        } finally {
            host.lock.unlock();
        }
    }
}
