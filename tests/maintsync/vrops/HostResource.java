package maintsync.vrops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One ESXi host as vROps models it: a {@code VMWARE/HostSystem} resource with a single status-state,
 * that of the vCenter adapter instance collecting it.
 *
 * <p>The state is kept as a timeline of changes rather than a single value: a timed maintenance
 * window is one change now and one at its end, so it ends by itself under any clock, and reads can
 * be shown an older point of the timeline to emulate the appliance's visibility lag. Not
 * thread-safe; {@link HostRegistry} guards it.
 */
final class HostResource {

    static final String ADAPTER_KIND = "VMWARE";
    static final String RESOURCE_KIND = "HostSystem";
    static final String STARTED = "STARTED";
    static final String MAINTAINED = "MAINTAINED";
    static final String MAINTAINED_MANUAL = "MAINTAINED_MANUAL";
    static final String OBJECT_ID = "VMEntityObjectID";
    static final String VCENTER_ID = "VMEntityVCID";
    static final List<String> UNIQUENESS_IDENTIFIERS = List.of(OBJECT_ID, VCENTER_ID);

    private final String id;
    private final String name;
    private final String moref;
    private final Inventory.VCenter vcenter;
    private final String adapterInstanceId;
    private final long creationTime;
    private final Map<String, String> identifiers = new LinkedHashMap<>();
    private final NavigableMap<Long, String> timeline = new TreeMap<>(Map.of(Long.MIN_VALUE, STARTED));
    private String stateBeforeMaintenance = STARTED;

    HostResource(Inventory.Host host, Inventory.VCenter vcenter, long creationTime) {
        this.id = idFor(vcenter.instanceUuid(), host.moref());
        this.name = host.name();
        this.moref = host.moref();
        this.vcenter = vcenter;
        this.adapterInstanceId = nameUuid("adapter-instance/" + vcenter.instanceUuid().toLowerCase(Locale.ROOT));
        this.creationTime = creationTime;
        identifiers.put("isPingEnabled", "");
        identifiers.put("VMEntityName", name);
        identifiers.put(OBJECT_ID, moref);
        identifiers.put(VCENTER_ID, vcenter.instanceUuid());
    }

    /** Deterministic, so tests and demos can compute the id a host will get. */
    static String idFor(String vcenterInstanceUuid, String moref) {
        return nameUuid(vcenterInstanceUuid.toLowerCase(Locale.ROOT) + "/" + moref);
    }

    String id() {
        return id;
    }

    String name() {
        return name;
    }

    String moref() {
        return moref;
    }

    Inventory.VCenter vcenter() {
        return vcenter;
    }

    String adapterInstanceId() {
        return adapterInstanceId;
    }

    /** Identifier values compare exactly, except UUIDs, which vROps and vCenter spell in either case. */
    boolean hasIdentifier(String identifier, String value) {
        String own = identifiers.get(identifier);
        return own != null && (own.equals(value) || isUuid(own) && own.equalsIgnoreCase(value));
    }

    String stateAt(long epochMilli) {
        return timeline.floorEntry(epochMilli).getValue();
    }

    boolean inMaintenanceAt(long epochMilli) {
        String state = stateAt(epochMilli);
        return state.equals(MAINTAINED) || state.equals(MAINTAINED_MANUAL);
    }

    /**
     * Starts maintenance, or replaces the current window. {@code endMilli} 0 means manual
     * maintenance; an end already past means the window is over before it starts.
     */
    void mark(long now, long endMilli) {
        if (!inMaintenanceAt(now)) {
            stateBeforeMaintenance = stateAt(now);
        }
        timeline.tailMap(now, true).clear();
        if (endMilli <= 0) {
            timeline.put(now, MAINTAINED_MANUAL);
        } else if (endMilli > now) {
            timeline.put(now, MAINTAINED);
            timeline.put(endMilli, stateBeforeMaintenance);
        } else {
            timeline.put(now, stateBeforeMaintenance);
        }
    }

    /** Ends maintenance, restoring the state from before it; false, changing nothing, when not in maintenance. */
    boolean unmark(long now) {
        if (!inMaintenanceAt(now)) {
            return false;
        }
        timeline.tailMap(now, true).clear();
        timeline.put(now, stateBeforeMaintenance);
        return true;
    }

    /** Drops changes no read can see any more: everything before the one in force at {@code horizon}. */
    void forgetBefore(long horizon) {
        timeline.headMap(timeline.floorKey(horizon), false).clear();
    }

    /** The vendor {@code resource} schema, as a live appliance fills it for a host. */
    ObjectNode toJson(String state) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ArrayNode resourceIdentifiers = json.arrayNode();
        identifiers.forEach((identifier, value) -> {
            ObjectNode entry = resourceIdentifiers.addObject();
            entry.putObject("identifierType")
                    .put("name", identifier)
                    .put("dataType", "STRING")
                    .put("isPartOfUniqueness", UNIQUENESS_IDENTIFIERS.contains(identifier));
            entry.put("value", value);
        });
        ObjectNode resource = json.objectNode().put("identifier", id).put("creationTime", creationTime);
        resource.putObject("resourceKey")
                .put("name", name)
                .put("adapterKindKey", ADAPTER_KIND)
                .put("resourceKindKey", RESOURCE_KIND)
                .set("resourceIdentifiers", resourceIdentifiers);
        resource.putArray("resourceStatusStates").addObject()
                .put("adapterInstanceId", adapterInstanceId)
                .put("resourceStatus", "DATA_RECEIVING")
                .put("resourceState", state)
                .put("statusMessage", "");
        resource.put("resourceHealth", "GREEN").put("resourceHealthValue", 100.0).put("dtEnabled", true);
        resource.putArray("badges");
        resource.putArray("relatedResources");
        resource.putArray("links").addObject()
                .put("href", "/suite-api/api/resources/" + id)
                .put("rel", "SELF")
                .put("name", "linkToSelf");
        return resource;
    }

    private static String nameUuid(String text) {
        return UUID.nameUUIDFromBytes(text.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static boolean isUuid(String text) {
        try {
            UUID.fromString(text);
            return text.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
