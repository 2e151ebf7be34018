package maintsync.edge;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import maintsync.sync.MaintenancePlan;
import maintsync.vrops.VropsSession;
import org.apache.camel.CamelContext;

/**
 * Each host as this replica last saw it, served at {@code GET /observe/hosts}: vCenter's and vROps's state from the
 * last reconcile pass, whether the vROps maintenance is the integration's own (timed), the last event and the last
 * repair. It is a view for people, never read by the sync itself, which asks vCenter and vROps each time: a replica
 * shows the events it received and the passes it ran.
 */
public final class HostStatus {

    static final String PATH = "/observe/hosts";
    private static final int DEFAULT_PAGE_SIZE = 1000;
    private static final int MAX_PAGE_SIZE = 10000;
    /** Events may name any host, forged ones too: hosts no pass has read are kept up to this many in all. */
    private static final int MAX_ROWS = 50000;
    private static final ObjectMapper JSON = new ObjectMapper();

    record Event(String action, Long key, String outcome, Instant at) {
    }

    record Repair(String direction, String why, Instant at) {
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** What a pass read of one host, or what an event said of it. */
    private record Row(String vcenter, String name, String moref, MaintenancePlan.VcenterState vcenterState, MaintenancePlan.VropsState vropsState,
            Event lastEvent, Repair lastRepair, long pass) {
    }

    /** {@code reason}: why a pass did not end well; null when it did. */
    private record Pass(Instant at, String outcome, long millis, int hosts, int repairs, String reason) {
    }

    /** Whether a vCenter's watch is up, since when. */
    private record Watch(boolean up, Instant since) {
    }

    private final ConcurrentMap<String, Row> rows = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Pass> passes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Watch> watches = new ConcurrentHashMap<>();

    private HostStatus() {
    }

    /** Served once the events' router runs; without one (no Knative HTTP consumer) there is no page. */
    public static HostStatus served(CamelContext context) throws Exception {
        HostStatus status = new HostStatus();
        Hooks.whenStarted(context, () -> Hooks.eventsRouter(context).ifPresent(status::route));
        return status;
    }

    private void route(Router router) {
        // on a worker thread: a page of 10,000 hosts takes a few milliseconds to write
        router.get(PATH).blockingHandler(this::answer, false);
    }

    /** What one pass read of a host, before its repairs (then {@link #repaired}). */
    public void read(String vcenter, String name, String moref, MaintenancePlan.VcenterState vcenterState, MaintenancePlan.VropsState vropsState, long pass) {
        rows.compute(key(vcenter, moref), (key, row) -> new Row(vcenter, name, moref, vcenterState, vropsState,
                row == null ? null : row.lastEvent(), row == null ? null : row.lastRepair(), pass));
    }

    public void repaired(String vcenter, String moref, MaintenancePlan.VropsState now, String direction, String why) {
        rows.computeIfPresent(key(vcenter, moref), (key, row) -> new Row(row.vcenter(), row.name(), row.moref(), row.vcenterState(),
                now, row.lastEvent(), new Repair(direction, why, now()), row.pass()));
    }

    /** The end of a pass, with why it did not end well (null when it did): hosts an ok pass did not see are gone from that vCenter. */
    public void passed(String vcenter, long pass, String outcome, long millis, int hosts, int repairs, String reason) {
        passes.put(vcenter, new Pass(now(), outcome, millis, hosts, repairs, reason));
        if ("ok".equals(outcome)) {
            rows.values().removeIf(row -> row.vcenter().equals(vcenter) && row.pass() >= 0 && row.pass() != pass);
        }
    }

    /** The watch of the vCenter is up (its long poll works) or down, from now unless it already was. */
    public void watching(String vcenter, boolean up) {
        watches.compute(vcenter, (key, watch) -> watch != null && watch.up() == up ? watch : new Watch(up, now()));
    }

    /** A change the watch saw of a host, applied: both sides as it left them ({@code inVrops} null: not known). */
    public void watched(String vcenter, String name, String moref, MaintenancePlan.VcenterState inVcenter, MaintenancePlan.VropsState inVrops) {
        rows.computeIfPresent(key(vcenter, moref), (key, row) -> new Row(row.vcenter(), name, moref, inVcenter,
                inVrops != null ? inVrops : row.vropsState(), row.lastEvent(), row.lastRepair(), row.pass()));
    }

    /**
     * An event answered; {@code vcenter}: its configured name, or the host of its source when none is configured.
     * {@code inVcenter}, {@code inVrops}: what the event showed of each side, or null where it showed nothing.
     */
    public void evented(String vcenter, VropsSession.Host host, String action, Long key, String outcome, MaintenancePlan.VcenterState inVcenter, MaintenancePlan.VropsState inVrops) {
        String moref = host.moref() != null && !host.moref().isBlank() ? host.moref() : null;
        Event event = new Event(action, key, outcome, now());
        rows.compute(key(vcenter, moref != null ? moref : "name:" + host.name()), (k, row) -> row == null
                ? rows.size() >= MAX_ROWS ? null : new Row(vcenter, host.name(), moref, inVcenter != null ? inVcenter : MaintenancePlan.VcenterState.UNKNOWN,
                        inVrops != null ? inVrops : MaintenancePlan.VropsState.UNKNOWN, event, null, -1)
                : new Row(row.vcenter(), row.name(), row.moref(), inVcenter != null ? inVcenter : row.vcenterState(),
                        inVrops != null ? inVrops : row.vropsState(), event, row.lastRepair(), row.pass()));
    }

    private static String key(String vcenter, String moref) {
        return vcenter + "\n" + moref;
    }

    private void answer(RoutingContext request) {
        int pageSize;
        int page;
        try {
            pageSize = Integer.parseInt(parameter(request, "pageSize", Integer.toString(DEFAULT_PAGE_SIZE)));
            page = Integer.parseInt(parameter(request, "page", "0"));
        } catch (NumberFormatException notANumber) {
            request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("page and pageSize are numbers");
            return;
        }
        if (page < 0 || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("page is 0 or more, pageSize 1 to " + MAX_PAGE_SIZE);
            return;
        }
        String accept = String.valueOf(request.request().getHeader(HttpHeaders.ACCEPT));
        boolean text = "text".equals(request.queryParams().get("format")) || accept.startsWith("text/plain");
        request.response().putHeader(HttpHeaders.CONTENT_TYPE, text ? "text/plain; charset=utf-8" : "application/json")
                .end(page(page, pageSize, text));
    }

    /** One page of the hosts, counted from 0, as the text table or as JSON; a page beyond the last has no hosts. */
    String page(int page, int pageSize, boolean text) {
        List<Row> all = new ArrayList<>(rows.values());
        all.sort(Comparator.comparing(Row::vcenter).thenComparing(row -> String.valueOf(row.name())).thenComparing(row -> String.valueOf(row.moref())));
        // in long: page 2147483647 of 10000 hosts starts beyond any int
        long from = (long) page * pageSize;
        List<Row> shown = all.subList((int) Math.min(all.size(), from), (int) Math.min(all.size(), from + pageSize));
        return text ? table(shown, page, pageSize, all.size()) : json(shown, page, pageSize, all.size());
    }

    private static String parameter(RoutingContext request, String name, String otherwise) {
        String value = request.queryParams().get(name);
        return value != null ? value : otherwise;
    }

    private String json(List<Row> shown, int page, int pageSize, int total) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode hosts = answer.putArray("hosts");
        for (Row row : shown) {
            ObjectNode host = hosts.addObject().put("vcenter", row.vcenter()).put("name", row.name()).put("moref", row.moref())
                    .put("vcenterState", label(row.vcenterState())).put("vropsState", label(row.vropsState()))
                    .put("owned", row.vropsState() == MaintenancePlan.VropsState.MAINTAINED);
            if (row.lastEvent() != null) {
                host.putObject("lastEvent").put("action", row.lastEvent().action()).put("key", row.lastEvent().key())
                        .put("outcome", row.lastEvent().outcome()).put("at", row.lastEvent().at().toString());
            }
            if (row.lastRepair() != null) {
                host.putObject("lastRepair").put("direction", row.lastRepair().direction()).put("why", row.lastRepair().why())
                        .put("at", row.lastRepair().at().toString());
            }
        }
        answer.putObject("pageInfo").put("page", page).put("pageSize", pageSize).put("totalCount", total);
        ArrayNode vcenters = answer.putArray("passes");
        passes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            ObjectNode pass = vcenters.addObject().put("vcenter", entry.getKey()).put("at", entry.getValue().at().toString())
                    .put("outcome", entry.getValue().outcome()).put("millis", entry.getValue().millis()).put("hosts", entry.getValue().hosts())
                    .put("repairs", entry.getValue().repairs());
            if (entry.getValue().reason() != null) {
                pass.put("reason", entry.getValue().reason());
            }
        });
        ArrayNode watching = answer.putArray("watches");
        watches.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> watching.addObject().put("vcenter", entry.getKey())
                .put("up", entry.getValue().up()).put("since", entry.getValue().since().toString()));
        try {
            return JSON.writeValueAsString(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One line per host; every column is escaped, so that nothing a host was named by can break the table into lines of its own. */
    private String table(List<Row> shown, int page, int pageSize, int total) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"VCENTER", "HOST", "MOREF", "VCENTER STATE", "VROPS STATE", "OWNED", "LAST EVENT", "LAST REPAIR"});
        for (Row row : shown) {
            Event event = row.lastEvent();
            Repair repair = row.lastRepair();
            lines.add(Stream.of(row.vcenter(), String.valueOf(row.name()), String.valueOf(row.moref()),
                label(row.vcenterState()), label(row.vropsState()), row.vropsState() == MaintenancePlan.VropsState.MAINTAINED ? "yes" : "no",
                event == null ? "-" : event.action() + " " + (event.key() == null ? "-" : event.key()) + " " + event.outcome() + " " + seconds(event.at()),
                repair == null ? "-" : repair.direction() + " " + seconds(repair.at())).map(LogLines::escape).toArray(String[]::new));
        }
        int[] widths = new int[lines.get(0).length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder table = new StringBuilder();
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                table.append(i == line.length - 1 ? line[i] : String.format("%-" + (widths[i] + 2) + "s", line[i]));
            }
            table.append('\n');
        }
        table.append(shown.size()).append(" of ").append(total).append(" hosts, page ").append(page).append(" of size ").append(pageSize).append('\n');
        passes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> table.append("vCenter ").append(LogLines.escape(entry.getKey()))
                .append(": last pass ").append(entry.getValue().outcome()).append(" at ").append(seconds(entry.getValue().at())).append(", ")
                .append(entry.getValue().hosts()).append(" hosts, ").append(entry.getValue().repairs()).append(" repairs in ")
                .append(entry.getValue().millis()).append(" ms")
                .append(entry.getValue().reason() == null ? "" : ": " + LogLines.escape(entry.getValue().reason())).append('\n'));
        watches.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> table.append("vCenter ").append(LogLines.escape(entry.getKey()))
                .append(": watch ").append(entry.getValue().up() ? "up" : "down").append(" since ").append(seconds(entry.getValue().since())).append('\n'));
        return table.toString();
    }

    private static Instant seconds(Instant at) {
        return at.truncatedTo(ChronoUnit.SECONDS);
    }

    public static String label(Enum<?> state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
