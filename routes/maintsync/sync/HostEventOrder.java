package maintsync.sync;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Applies the events of one host one at a time and in vCenter order. A Broker neither orders nor deduplicates, Enter
 * and Exit arrive through different Triggers and retries reorder them: an event that is not newer than the last one
 * applied to its host (by vCenter event {@code Key}, else {@code CreatedTime}) is a duplicate or stale, and is
 * acknowledged without being applied, so that it cannot undo a later change. The memory is this process's.
 * <p>
 * Events may name any host, forged ones too, so the memory is bounded: a host is kept while an event of it is handled
 * or waits, and afterwards only if an event of it was applied in order; of those, the {@value #MAX_REMEMBERED} whose
 * events came last. A host dropped from the memory is as after a restart: its next event is applied whatever its Key,
 * so a stale or duplicate event of it that the Broker still retries could be applied once more (the next event of the
 * host corrects it). Only hosts without an event while {@value #MAX_REMEMBERED} others had one are dropped: more hosts
 * than a few vCenters have (vSphere allows 2,500 each), so in practice only by a flood of forged hosts, and whoever can
 * forge events can send a stale one just as well. With a vCenter configured nothing is remembered: vCenter says.
 */
public final class HostEventOrder {

    /** Hosts remembered with the last event applied to them, at most. */
    static final int MAX_REMEMBERED = 50_000;

    /** The work of one event; runs while its host is held. */
    interface Work {
        MaintenanceEvent.Outcome apply() throws Exception;
    }

    public static final class Host {
        final ReentrantLock lock = new ReentrantLock();
        /** Events of the host handled or waiting now; guarded by {@link #hosts}. */
        int users;
        /** Written while {@link #lock} is held, read under {@link #hosts} once nobody holds it. */
        MaintenanceEvent.Position last;
    }

    /** In the order of their last event, oldest first; guarded by itself. */
    private final Map<String, Host> hosts = new LinkedHashMap<>(16, 0.75f, true);

    /** Public and without side effects: Camel's Java source loader instantiates every class it compiles that has one. */
    public HostEventOrder() {
    }

    /**
     * Runs {@code work} while the event's host is held, whatever came before: for an event that only names the host,
     * whose state is read from vCenter, two at once could write what each read in the wrong order.
     */
    MaintenanceEvent.Outcome oneAtATime(MaintenanceEvent event, Work work) throws Exception {
        return oneAtATime(event.hostKey(), work);
    }

    /** The same for a host by its key ({@link MaintenanceEvent#hostKey}), e.g. for a change vCenter's watch saw. */
    MaintenanceEvent.Outcome oneAtATime(String hostKey, Work work) throws Exception {
        Host host = hold(hostKey);
        try {
            return work.apply();
        } finally {
            release(hostKey, host);
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
        Host host = hold(event.hostKey());
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
            release(event.hostKey(), host);
        }
    }

    /** Takes the host's lock, once counted as a user, so that it is not dropped while it waits. */
    private Host hold(String key) {
        Host host;
        synchronized (hosts) {
            host = hosts.computeIfAbsent(key, k -> new Host());
            host.users++;
        }
        host.lock.lock();
        return host;
    }

    /** Drops the host once nobody uses it unless it remembers an event, then the oldest beyond the bound. */
    private void release(String key, Host host) {
        host.lock.unlock();
        synchronized (hosts) {
            host.users--;
            if (host.users == 0 && host.last == null) {
                hosts.remove(key);
            }
            Iterator<Host> oldest = hosts.values().iterator();
            while (hosts.size() > MAX_REMEMBERED && oldest.hasNext()) {
                if (oldest.next().users == 0) {
                    oldest.remove();
                }
            }
        }
    }
}
