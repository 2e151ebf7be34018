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

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.edge.LogLines;
import maintsync.sync.MaintenancePlan;

/**
 * The integration's one vROps client: what events and passes ask of vROps (find a host, mark, hold, unmark, list the
 * hosts of a vCenter), each answer as a record of this class. The token, its renewal and vROps's JSON stay in here; the
 * HTTP calls are the Kamelets, behind {@link VropsCalls}.
 * <p>
 * The token is acquired on first use, by one caller while the others wait for it (vROps would open one session per
 * acquisition), and kept only here, never in an exchange variable, header or property that a Camel console could
 * list. A call vROps refuses with 401 gets a new token, once: tokens expire 6 hours after their last use.
 * <p>
 * A host is found by its managed object id and the vCenter's instance UUID when that UUID is known (exact, also when
 * several vCenters use the same ids), else by its exact name: vROps matches names partially, {@code esx1} also
 * finds {@code esx10}.
 */
public final class VropsClient {

    /**
     * The HTTP calls, each with the token it is given; {@link VropsCalls} in the integration, a double in unit tests. A
     * maintenance call on a resource vROps does not know throws {@link VropsCalls.UnknownResource}.
     */
    interface Calls {
        String acquireToken() throws Exception;

        void releaseToken(String token) throws Exception;

        /** Whether vROps answers and accepts the token. */
        void checkToken(String token) throws Exception;

        /** The lookup answer for the host of this name, by identifiers when {@code identifiers} is not empty. */
        String lookUpHost(String token, String hostName, Map<String, Object> identifiers) throws Exception;

        /** One page, from 0, of vROps's hosts, or of those in maintenance only: the answer as vROps gave it. */
        String hosts(String token, int page, boolean maintainedOnly) throws Exception;

        /** Marks or unmarks; {@code held} marks with the timed maintenance of {@code reconcile.hold-minutes}. */
        void setMaintenance(String token, String resourceId, boolean enter, boolean held) throws Exception;

        /** Timed maintenance of {@code reconcile.hold-minutes} for several resources, in one call. */
        void holdMaintained(String token, List<String> resourceIds) throws Exception;

        /** Ends the maintenance of several resources, in one call. */
        void unmarkMaintained(String token, List<String> resourceIds) throws Exception;
    }

    /** Something done with a token, which may be refused with {@link VropsCalls.TokenRejected}. */
    private interface WithToken<T> {
        T call(String token) throws Exception;
    }

    /** Checked before each call of a listing: a pass that ran out of time stops there. */
    public interface BeforeEachCall {
        void check() throws IOException;
    }

    /** A host of a vCenter as a listing gives it: its resource id, managed object id and maintenance state. */
    public record Listed(String resourceId, String moref, MaintenancePlan.VropsState state) {
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

    /**
     * Tokens of one answer at most. A page of 500 hosts has about 50,000; the tree of an answer read whole takes up to
     * about 60 bytes a token (measured: a list of one-letter strings), so this keeps any answer's tree near 12 MiB,
     * within the shipped 64 MiB heap, however vROps or a proxy before it shapes the answer.
     */
    static final long MAX_TOKENS = 200_000;
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxTokenCount(MAX_TOKENS).build()).build());
    /** Ids per call of {@link #hold(List)} and {@link #unmark(List)}: a query of about 4 KB, well within what HTTP servers take. */
    static final int IDS_PER_CALL = 100;
    /** Hosts whose resource id is remembered, at most. */
    static final int MAX_RESOURCE_IDS = 50_000;

    private final Calls calls;
    private final VcenterUuids configuredUuids;
    private final Map<String, String> settingUuids;
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
    VropsClient(Calls calls, Map<String, String> vcenterUuids) {
        this(calls, vcenter -> null, vcenterUuids);
    }

    /**
     * {@code configured}: the instance UUIDs of the configured vCenters, as each told its own, which win over
     * {@code fromSetting} ({@code vrops.vcenter-uuids}): vROps keeps what vCenter tells.
     */
    VropsClient(Calls calls, VcenterUuids configured, Map<String, String> fromSetting) {
        this.calls = calls;
        this.configuredUuids = configured;
        this.settingUuids = Map.copyOf(fromSetting);
    }

    /**
     * Parses {@code vrops.vcenter-uuids}: comma-separated {@code vcenter-host=uuid} pairs. Any other pair stops the
     * start: ignored, it would leave that vCenter's hosts to the lookup by name without a word.
     */
    static Map<String, String> parseVcenterUuids(String setting) {
        Map<String, String> uuids = new HashMap<>();
        for (String pair : setting.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] hostAndUuid = pair.split("=", 2);
            if (hostAndUuid.length != 2 || hostAndUuid[0].isBlank() || hostAndUuid[1].isBlank()) {
                throw new IllegalStateException("vrops.vcenter-uuids: \"" + LogLines.escape(pair.strip()) + "\" is refused: "
                        + "<vcenter-host>=<instance-uuid> pairs, separated by commas, are expected");
            }
            uuids.put(hostAndUuid[0].strip().toLowerCase(Locale.ROOT), hostAndUuid[1].strip());
        }
        return uuids;
    }

    private String vcenterUuid(String vcenter) throws Exception {
        String configured = configuredUuids.of(vcenter);
        return configured != null ? configured : settingUuids.get(vcenter);
    }

    /** Runs {@code work} with the token, acquiring one first if need be, and once more if vROps refuses it. */
    private <T> T withToken(WithToken<T> work) throws Exception {
        String used = token();
        try {
            return work.call(used);
        } catch (VropsCalls.TokenRejected expired) {
            return work.call(renew(used));
        }
    }

    /**
     * The resource id of the host, from memory or else from a lookup that finds it exactly (then remembered); or none,
     * with the reason.
     */
    public Resource resource(Host host) throws Exception {
        String known = resourceIds.get(host);
        if (known != null) {
            return new Resource(known, true, null);
        }
        String uuid = vcenterUuid(host.vcenter());
        List<String> matches = match(lookUp(host, uuid), host, uuid);
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
    public Found find(Host host, Set<String> notOf) throws Exception {
        String uuid = vcenterUuid(host.vcenter());
        List<JsonNode> matches = new ArrayList<>();
        String ownedBy = null;
        for (JsonNode resource : matching(lookUp(host, uuid), host, uuid)) {
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

    /** vROps's answer to a lookup of the host: by its vCenter's UUID and its managed object id when both are known, else by name. */
    private JsonNode lookUp(Host host, String uuid) throws Exception {
        Map<String, Object> identifiers = uuid != null && host.moref() != null
                ? Map.of("VropsHostMoref", host.moref(), "VropsVcenterUuid", uuid) : Map.of();
        return read(this.<String>withToken(token -> calls.lookUpHost(token, host.name(), identifiers)), "the lookup of host " + host.name());
    }

    /**
     * Maintenance as events without a vCenter set it ({@code vrops.maintenance-minutes}); false when vROps no longer
     * knows the resource.
     */
    public boolean mark(String resourceId) throws Exception {
        return changed(token -> calls.setMaintenance(token, resourceId, true, false));
    }

    /** Timed maintenance ({@code reconcile.hold-minutes}), marked anew or extended; false when vROps no longer knows it. */
    public boolean hold(String resourceId) throws Exception {
        return changed(token -> calls.setMaintenance(token, resourceId, true, true));
    }

    /** Ends the resource's maintenance; false when vROps no longer knows it. */
    public boolean unmark(String resourceId) throws Exception {
        return changed(token -> calls.setMaintenance(token, resourceId, false, false));
    }

    /**
     * Timed maintenance for several resources, {@link #IDS_PER_CALL} per call. vROps refuses the whole call when it no
     * longer knows one of them, and may have changed none: then each is held on its own, and the ones it no longer knows
     * are left out.
     */
    public void hold(List<String> resourceIds) throws Exception {
        inBatches(resourceIds, (token, some) -> calls.holdMaintained(token, some), this::hold);
    }

    /**
     * Ends the maintenance of several resources, {@link #IDS_PER_CALL} per call. As with {@link #hold(List)}, a call
     * vROps refuses because it no longer knows one of them is made again one resource at a time, and the ones it no
     * longer knows are left out.
     */
    public void unmark(List<String> resourceIds) throws Exception {
        inBatches(resourceIds, (token, some) -> calls.unmarkMaintained(token, some), this::unmark);
    }

    private interface BatchChange {
        void make(String token, List<String> resourceIds) throws Exception;
    }

    private interface SingleChange {
        boolean make(String resourceId) throws Exception;
    }

    /** {@code batch} for {@link #IDS_PER_CALL} resources a call; {@code single} for each of a batch vROps refused whole. */
    private void inBatches(List<String> resourceIds, BatchChange batch, SingleChange single) throws Exception {
        for (int from = 0; from < resourceIds.size(); from += IDS_PER_CALL) {
            List<String> some = resourceIds.subList(from, Math.min(resourceIds.size(), from + IDS_PER_CALL));
            if (!changed(token -> batch.make(token, some))) {
                for (String resourceId : some) {
                    single.make(resourceId);
                }
            }
        }
    }

    /** The hosts of the vCenter with this instance UUID that vROps has in maintenance, a page at a time. */
    public List<Listed> maintained(String vcenterUuid, BeforeEachCall check) throws Exception {
        return listed(vcenterUuid, true, check);
    }

    /** All hosts vROps knows of the vCenter with this instance UUID, a page at a time. */
    public List<Listed> hosts(String vcenterUuid, BeforeEachCall check) throws Exception {
        return listed(vcenterUuid, false, check);
    }

    /** Whether vROps answers and accepts the token, acquiring one when none is held. */
    void checkToken() throws Exception {
        withToken(token -> {
            calls.checkToken(token);
            return null;
        });
    }

    private interface Change {
        void make(String token) throws Exception;
    }

    /** Makes the change; false when vROps does not know a resource it names. */
    private boolean changed(Change change) throws Exception {
        try {
            withToken(token -> {
                change.make(token);
                return null;
            });
            return true;
        } catch (VropsCalls.UnknownResource gone) {
            return false;
        }
    }

    /**
     * An answer of vROps as JSON; one that is none, or has more than {@link #MAX_TOKENS} tokens, fails as vROps
     * unavailable does (a proxy's error page, an appliance in trouble), naming the call.
     */
    static JsonNode read(String answer, String call) throws IOException {
        try {
            return JSON.readTree(answer);
        } catch (JsonProcessingException unreadable) {
            throw new IOException("vROps's answer to " + call + " cannot be read as JSON: " + unreadable.getOriginalMessage(), unreadable);
        }
    }

    /** A listing of vROps's hosts, the pages one after the other, of the vCenter with this instance UUID only. */
    private List<Listed> listed(String vcenterUuid, boolean maintainedOnly, BeforeEachCall check) throws Exception {
        List<Listed> found = new ArrayList<>();
        int seen = 0;
        for (int page = 0; ; page++) {
            check.check();
            int current = page;
            JsonNode answer = read(this.<String>withToken(token -> calls.hosts(token, current, maintainedOnly)), "page " + current + " of the hosts");
            JsonNode resources = answer.path("resourceList");
            for (JsonNode resource : resources) {
                if (vcenterUuid.equalsIgnoreCase(identifier(resource, "VMEntityVCID"))) {
                    found.add(new Listed(resource.path("identifier").asText(), identifier(resource, "VMEntityObjectID"),
                            maintenanceState(resource)));
                }
            }
            seen += resources.size();
            if (resources.isEmpty() || seen >= answer.path("pageInfo").path("totalCount").asInt()) {
                return found;
            }
        }
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
    static MaintenancePlan.VropsState maintenanceState(JsonNode resource) {
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

    static String identifier(JsonNode resource, String type) {
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
