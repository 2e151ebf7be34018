package maintsync.vrops;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.sync.MaintenancePlan;

/**
 * The integration's session with vROps: one token for every call, and the resource id of each host once found.
 * <p>
 * The token is acquired on first use, by one caller while the others wait for it (vROps would open one session per
 * acquisition), and kept only here, never in an exchange variable, header or property that a Camel console could
 * list. A call vROps refuses with 401 gets a new token, once: tokens expire 6 hours after their last use.
 * <p>
 * A host is found by its managed object id and the vCenter's instance UUID when that UUID is known (exact, also when
 * several vCenters use the same ids), else by its exact name: vROps matches names partially, {@code esx1} also
 * finds {@code esx10}.
 */
public final class VropsSession {

    /** What the session needs done over HTTP; {@link VropsCalls} in the integration, a double in unit tests. */
    interface Calls {
        String acquireToken() throws Exception;

        void releaseToken(String token) throws Exception;

        /** The lookup answer for the host of the event, by identifiers when {@code identifiers} is not empty. */
        String lookUpHost(String token, String event, Map<String, Object> identifiers) throws Exception;
    }

    /** Something done with a token, which may be refused with {@link VropsCalls.TokenRejected}. */
    public interface WithToken<T> {
        T call(String token) throws Exception;
    }

    /** The instance UUID of a vCenter, by the host of its URL; null when unknown. */
    interface VcenterUuids {
        String of(String vcenter) throws Exception;
    }

    /** The session was released: the integration is stopping, and acquires no token any more. */
    public static final class Released extends IOException {
        Released() {
            super("the integration is stopping: no new vROps token");
        }
    }

    /** A host as an event names it: its vCenter (host of the CloudEvent source), managed object id and name. */
    public record Host(String vcenter, String moref, String name) {
    }

    /**
     * What a lookup found of a host: its resource id and maintenance state; or no resource id, and the reason.
     * {@code ownedBy}: the instance UUID of the configured vCenter the only match belongs to, when the lookup had to
     * leave out such hosts.
     */
    public record Found(String resourceId, MaintenancePlan.VropsState state, String reason, String ownedBy) {

        public boolean found() {
            return resourceId != null;
        }
    }

    /**
     * A host's resource id, and whether it came from the session's memory, which may be out of date; or no id, and
     * the reason.
     */
    public record Resource(String id, boolean remembered, String reason) {

        public boolean found() {
            return id != null;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Hosts whose resource id is remembered, at most. */
    static final int MAX_RESOURCE_IDS = 50_000;

    private final Calls calls;
    private final VcenterUuids vcenterUuids;
    private final Object acquiring = new Object();
    /**
     * The ids found, of the hosts used last: events may name any host, forged ones too. The bound is far above the
     * hosts of a few vCenters (vSphere allows 2,500 each), so that a pass's listing stays whole; a host dropped is
     * looked up again when it needs its id.
     */
    private final Map<Host, String> resourceIds = Collections.synchronizedMap(new LinkedHashMap<Host, String>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Host, String> eldest) {
            return size() > MAX_RESOURCE_IDS;
        }
    });
    private volatile String token;
    private boolean released;

    /** {@code vcenterUuids}: vCenter host name, lower case, to instance UUID. */
    VropsSession(Calls calls, Map<String, String> vcenterUuids) {
        this(calls, Map.copyOf(vcenterUuids)::get);
    }

    VropsSession(Calls calls, VcenterUuids vcenterUuids) {
        this.calls = calls;
        this.vcenterUuids = vcenterUuids;
    }

    /** Parses {@code vrops.vcenter-uuids}: comma-separated {@code vcenter-host=uuid} pairs. */
    static Map<String, String> parseVcenterUuids(String setting) {
        Map<String, String> uuids = new HashMap<>();
        for (String pair : setting.split(",")) {
            String[] hostAndUuid = pair.split("=", 2);
            if (hostAndUuid.length == 2 && !hostAndUuid[0].isBlank() && !hostAndUuid[1].isBlank()) {
                uuids.put(hostAndUuid[0].strip().toLowerCase(Locale.ROOT), hostAndUuid[1].strip());
            }
        }
        return uuids;
    }

    /** Runs {@code work} with the token, acquiring one first if need be, and once more if vROps refuses it. */
    public <T> T withToken(WithToken<T> work) throws Exception {
        String used = token();
        try {
            return work.call(used);
        } catch (VropsCalls.TokenRejected expired) {
            return work.call(renew(used));
        }
    }

    /**
     * The resource id of the host, from memory or else from a lookup that finds it exactly (then remembered); or none,
     * with the reason. {@code event} gives the event data, as JSON text, for the lookup.
     */
    public Resource resource(Host host, Supplier<String> event) throws Exception {
        String known = resourceIds.get(host);
        if (known != null) {
            return new Resource(known, true, null);
        }
        String uuid = vcenterUuids.of(host.vcenter());
        Map<String, Object> identifiers = uuid != null && host.moref() != null
                ? Map.of("VropsHostMoref", host.moref(), "VropsVcenterUuid", uuid) : Map.of();
        String data = event.get();
        String answer = withToken(token -> calls.lookUpHost(token, data, identifiers));
        List<String> matches = match(JSON.readTree(answer), host, uuid);
        if (matches.size() == 1) {
            resourceIds.put(host, matches.get(0));
            return new Resource(matches.get(0), false, null);
        }
        return new Resource(null, false, notFound(host, matches.size()));
    }

    /**
     * The host as vROps has it now, by a lookup: never from memory, since its maintenance state decides what to do. A
     * host of a vCenter whose instance UUID is in {@code notOf} is not taken: an event of another source may not change
     * it. The id found is remembered for the passes.
     */
    public Found find(Host host, Supplier<String> event, Set<String> notOf) throws Exception {
        String uuid = vcenterUuids.of(host.vcenter());
        Map<String, Object> identifiers = uuid != null && host.moref() != null
                ? Map.of("VropsHostMoref", host.moref(), "VropsVcenterUuid", uuid) : Map.of();
        String data = event.get();
        JsonNode answer = JSON.readTree(this.<String>withToken(token -> calls.lookUpHost(token, data, identifiers)));
        List<JsonNode> matches = new ArrayList<>();
        String ownedBy = null;
        for (JsonNode resource : matching(answer, host, uuid)) {
            String vcid = identifier(resource, "VMEntityVCID");
            if (vcid != null && notOf.stream().anyMatch(vcid::equalsIgnoreCase)) {
                ownedBy = vcid;
            } else {
                matches.add(resource);
            }
        }
        if (matches.size() == 1) {
            String resourceId = matches.get(0).path("identifier").asText();
            resourceIds.put(host, resourceId);
            return new Found(resourceId, maintenanceState(matches.get(0)), null, null);
        }
        return new Found(null, MaintenancePlan.VropsState.UNKNOWN, notFound(host, matches.size()), matches.isEmpty() ? ownedBy : null);
    }

    /** Why a lookup with this many matches found no resource id. */
    private static String notFound(Host host, int matches) {
        return matches == 0 ? "vROps has no HostSystem " + host.name() + " (" + host.moref() + ")"
                : "the name " + host.name() + " matches several vROps HostSystems; set the vCenter UUIDs for an exact lookup";
    }

    /**
     * A resource's maintenance as vROps has it: one state per adapter instance that collects it, and a manual one wins,
     * since someone set it by hand. No states at all is not knowing.
     */
    public static MaintenancePlan.VropsState maintenanceState(JsonNode resource) {
        JsonNode states = resource.path("resourceStatusStates");
        if (!states.isArray()) {
            return MaintenancePlan.VropsState.UNKNOWN;
        }
        MaintenancePlan.VropsState state = MaintenancePlan.VropsState.NOT_MAINTAINED;
        for (JsonNode each : states) {
            String name = each.path("resourceState").asText();
            if (name.equals("MAINTAINED_MANUAL")) {
                return MaintenancePlan.VropsState.MAINTAINED_MANUAL;
            }
            if (name.equals("MAINTAINED")) {
                state = MaintenancePlan.VropsState.MAINTAINED;
            }
        }
        return state;
    }

    /** The id of a host found exactly by other means than a lookup, e.g. a listing of all hosts. */
    public void remember(Host host, String resourceId) {
        resourceIds.put(host, resourceId);
    }

    /** The id this session knows the host by, or null. */
    public String remembered(Host host) {
        return resourceIds.get(host);
    }

    /** Whether the id came from this session's memory, which may be out of date. */
    public boolean remembers(Host host) {
        return resourceIds.containsKey(host);
    }

    /** Forgets the id of a host that vROps no longer knows by it. */
    public void forget(Host host) {
        resourceIds.remove(host);
    }

    /**
     * Releases the token, if one is held: every token is a session on the appliance until it expires. For good: the
     * integration is stopping, and no token is acquired after this.
     */
    void release() throws Exception {
        String held;
        synchronized (acquiring) {
            held = token;
            token = null;
            released = true;
        }
        if (held != null) {
            calls.releaseToken(held);
        }
    }

    /** The resource ids of the lookup answer that are the host ({@link #matching}). */
    static List<String> match(JsonNode answer, Host host, String vcenterUuid) {
        return matching(answer, host, vcenterUuid).stream().map(resource -> resource.path("identifier").asText()).toList();
    }

    /**
     * The resources of the lookup answer that are the host: with the vCenter's UUID, by its identifiers; else by exact
     * name, and by managed object id where both sides have one.
     */
    private static List<JsonNode> matching(JsonNode answer, Host host, String vcenterUuid) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode resource : answer.path("resourceList")) {
            String moref = identifier(resource, "VMEntityObjectID");
            boolean same;
            if (vcenterUuid != null && host.moref() != null) {
                same = host.moref().equals(moref) && vcenterUuid.equalsIgnoreCase(identifier(resource, "VMEntityVCID"));
            } else {
                same = host.name().equals(resource.path("resourceKey").path("name").asText(null))
                        && (host.moref() == null || moref == null || host.moref().equals(moref));
            }
            if (same && resource.hasNonNull("identifier")) {
                found.add(resource);
            }
        }
        return found;
    }

    public static String identifier(JsonNode resource, String type) {
        for (JsonNode identifier : resource.path("resourceKey").path("resourceIdentifiers")) {
            if (type.equals(identifier.path("identifierType").path("name").asText())) {
                return identifier.path("value").asText(null);
            }
        }
        return null;
    }

    private String token() throws Exception {
        String current = token;
        return current != null ? current : renew(null);
    }

    /** A new token unless another caller has replaced {@code refused} already; one acquisition at a time. */
    private String renew(String refused) throws Exception {
        synchronized (acquiring) {
            String current = token;
            if (current != null && !current.equals(refused)) {
                return current;
            }
            if (released) {
                // stopping: a check or a pass still running must not open a session nobody would close
                throw new Released();
            }
            String acquired = calls.acquireToken();
            if (acquired == null || acquired.isBlank()) {
                throw new IOException("vROps answered the token request without a token");
            }
            token = acquired;
            return acquired;
        }
    }
}
