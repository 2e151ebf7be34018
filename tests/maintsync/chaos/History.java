package maintsync.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import maintsync.VcenterEvent;
import maintsync.vrops.Inventory;

/**
 * A stretch of vCenter history for the hosts of an inventory, as the event sources turn it into CloudEvents: each host
 * starts in service and then alternates between entering and exiting maintenance mode, so a host ends in maintenance
 * exactly when it had an odd number of events. Within a vCenter the event {@code Key}s increase strictly, with gaps for
 * the vCenter's other events, and so do the creation times. A third of the events come in the VMware Event Router
 * format, the rest in the Tanzu Sources one: the order of a host's events must hold whichever format carried them.
 * The same seed gives the same history.
 */
public final class History {

    /** One vCenter event of a host and the CloudEvent that carries it, which the caller must not change. */
    public record Entry(Inventory.Host host, long key, boolean entered, VcenterEvent cloudEvent) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");
    private static final double EVENT_ROUTER_SHARE = 1 / 3.0;
    /** vCenter logs many other events between two maintenance events, each taking a Key. */
    private static final int MAX_KEY_GAP = 40;
    private static final int MAX_MILLIS_BETWEEN_EVENTS = 5_000;

    private final List<Entry> entries;
    private final Map<Inventory.Host, Boolean> maintainedAtEnd;

    private History(List<Entry> entries, Map<Inventory.Host, Boolean> maintainedAtEnd) {
        this.entries = List.copyOf(entries);
        this.maintainedAtEnd = Map.copyOf(maintainedAtEnd);
    }

    /** {@code events} events over the hosts of {@code inventory}, each host drawn at random. */
    public static History generate(Inventory inventory, int events, long seed) {
        Random random = new Random(seed);
        Map<String, Long> keys = new HashMap<>();
        inventory.vcenters().forEach(vcenter -> keys.put(vcenter.name(), 1_000L + random.nextInt(100_000)));
        Map<Inventory.Host, Boolean> maintained = new HashMap<>();
        inventory.hosts().forEach(host -> maintained.put(host, false));

        List<Entry> entries = new ArrayList<>(events);
        Instant created = START;
        for (int index = 0; index < events; index++) {
            Inventory.Host host = inventory.hosts().get(random.nextInt(inventory.hosts().size()));
            long key = keys.merge(host.vcenter(), 1L + random.nextInt(MAX_KEY_GAP), Long::sum);
            created = created.plusMillis(1 + random.nextInt(MAX_MILLIS_BETWEEN_EVENTS));
            boolean entered = !maintained.get(host);
            maintained.put(host, entered);

            VcenterEvent event = (entered ? VcenterEvent.entered(host.name(), host.moref()) : VcenterEvent.exited(host.name(), host.moref()))
                    .key(key).source(source(host.vcenter()));
            createdAt(event, created);
            if (random.nextDouble() < EVENT_ROUTER_SHARE) {
                // the Event Router gives each event a random id; a seeded one keeps the history reproducible
                event.eventRouterFormat().header("ce-id", UUID.nameUUIDFromBytes((seed + "/" + index).getBytes(StandardCharsets.UTF_8)).toString());
            }
            entries.add(new Entry(host, key, entered, event));
        }
        return new History(entries, maintained);
    }

    /** The CloudEvent {@code source} of a vCenter's events: its SDK URL. */
    public static String source(String vcenterName) {
        return "https://" + vcenterName + "/sdk";
    }

    /** In the order vCenter logged them. */
    public List<Entry> entries() {
        return entries;
    }

    public List<VcenterEvent> cloudEvents() {
        return entries.stream().map(Entry::cloudEvent).toList();
    }

    /** Whether vCenter has the host in maintenance mode after the last event; a host without events is in service. */
    public boolean maintainedAtEnd(Inventory.Host host) {
        return maintainedAtEnd.getOrDefault(host, false);
    }

    private static void createdAt(VcenterEvent event, Instant created) {
        try {
            ObjectNode data = (ObjectNode) JSON.readTree(event.body());
            data.put("CreatedTime", created.toString());
            event.body(data.toString()).header("ce-time", created.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
