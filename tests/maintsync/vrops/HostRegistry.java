package maintsync.vrops;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All host resources and the one lock over their maintenance state, so that a bulk call changes
 * every resource it names or none, even under concurrent requests.
 */
final class HostRegistry {

    private final Map<String, HostResource> byId = new LinkedHashMap<>();
    private final List<HostResource> ordered;
    private final Set<String> hidden = ConcurrentHashMap.newKeySet();
    private final Clock clock;
    private final Knobs knobs;

    HostRegistry(Inventory inventory, Clock clock, Knobs knobs) {
        this.clock = clock;
        this.knobs = knobs;
        long creationTime = clock.millis();
        for (Inventory.Host host : inventory.hosts()) {
            HostResource resource = new HostResource(host, inventory.vcenter(host.vcenter()), creationTime);
            byId.put(resource.id(), resource);
        }
        ordered = List.copyOf(byId.values());
    }

    /** In inventory order, which is also the order of every listing; hidden hosts left out. */
    List<HostResource> all() {
        return hidden.isEmpty() ? ordered : ordered.stream().filter(resource -> !hidden.contains(resource.id())).toList();
    }

    Optional<HostResource> find(String id) {
        String key = id.toLowerCase(Locale.ROOT);
        return hidden.contains(key) ? Optional.empty() : Optional.ofNullable(byId.get(key));
    }

    /** Whether vROps knows the host yet: a hidden one is in no answer, as before vROps first collected it. */
    void known(String id, boolean known) {
        if (known) {
            hidden.remove(id.toLowerCase(Locale.ROOT));
        } else {
            hidden.add(id.toLowerCase(Locale.ROOT));
        }
    }

    /** The state right now, as tests check it. */
    synchronized String actualState(HostResource resource) {
        return resource.stateAt(clock.millis());
    }

    /** The state a read shows, which lags behind by the configured visibility delay. */
    synchronized String visibleState(HostResource resource) {
        return resource.stateAt(clock.millis() - knobs.stateVisibilityDelay().toMillis());
    }

    /**
     * Starts or replaces maintenance. A positive {@code end} (epoch ms) wins over a positive
     * {@code durationMinutes}; with neither, maintenance is manual.
     */
    synchronized void mark(List<HostResource> resources, long end, int durationMinutes) {
        long now = clock.millis();
        long endMilli = end > 0 ? end : durationMinutes > 0 ? now + Duration.ofMinutes(durationMinutes).toMillis() : 0;
        for (HostResource resource : resources) {
            resource.mark(now, endMilli);
            resource.forgetBefore(horizon(now));
        }
    }

    /**
     * Ends maintenance of those resources that are in it. With {@code requireMaintained}, changes
     * nothing and returns false if any of them is not.
     */
    synchronized boolean unmark(List<HostResource> resources, boolean requireMaintained) {
        long now = clock.millis();
        if (requireMaintained && !resources.stream().allMatch(resource -> resource.inMaintenanceAt(now))) {
            return false;
        }
        for (HostResource resource : resources) {
            resource.unmark(now);
            resource.forgetBefore(horizon(now));
        }
        return true;
    }

    private long horizon(long now) {
        return now - knobs.stateVisibilityDelay().toMillis();
    }
}
