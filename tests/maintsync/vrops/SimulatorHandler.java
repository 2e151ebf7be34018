package maintsync.vrops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The HTTP side of the simulator: routes each exchange, applies injected faults to the suite-api
 * routes, renders the reply in the negotiated media type and records the exchange before answering,
 * so a client that has its response can already see it in {@link RequestLog}.
 */
final class SimulatorHandler implements HttpHandler {

    static final String ADMIN_RESOURCES = "/_simulator/resources";

    private final SuiteApi api;
    private final HostRegistry hosts;
    private final Faults faults;
    private final RequestLog log;

    SimulatorHandler(SuiteApi api, HostRegistry hosts, Faults faults, RequestLog log) {
        this.api = api;
        this.hosts = hosts;
        this.faults = faults;
        this.log = log;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals(ADMIN_RESOURCES)) {
                sendAdmin(exchange);
                return;
            }
            Incoming incoming = Incoming.read(exchange);
            Routes.Match match = Routes.match(incoming.method(), path);
            Representation representation = Representation.negotiate(incoming.headers().get("accept")).orElse(null);

            Reply reply = null;
            if (path.startsWith(Routes.SUITE_API + "/")) {
                pause(faults.latency());
                if (faults.nodeOffline()) {
                    reply = Reply.error(503, "Node is offline");
                } else {
                    Optional<Faults.Injected> fault = faults.next(match.operation());
                    if (fault.isPresent() && fault.get().drop()) {
                        log.add(incoming.recorded(match.operation(), 0, null, ""));
                        return; // closing an exchange before sending headers closes the connection
                    }
                    if (fault.isPresent() && fault.get().body() != null) {
                        log.add(incoming.recorded(match.operation(), 200, Representation.JSON.contentType(), ""));
                        sendHostile(exchange, fault.get().body());
                        return;
                    }
                    reply = fault.map(injected -> Reply.standard(injected.status())).orElse(null);
                }
            }
            if (reply == null) {
                reply = reply(match, incoming, representation);
            }
            send(exchange, incoming, match.operation(), reply,
                    representation == null ? Representation.JSON : representation);
        }
    }

    private Reply reply(Routes.Match match, Incoming incoming, Representation representation) {
        if (!match.pathKnown()) {
            return Reply.error(404, "The requested resource could not be found.");
        }
        if (match.operation() == Operation.UNKNOWN) {
            return Reply.standard(405).withHeader("Allow", String.join(", ", match.allowed()));
        }
        if (representation == null) {
            return Reply.error(406, "The server can answer with application/json or application/xml only.");
        }
        QueryParameters query;
        try {
            query = QueryParameters.parse(incoming.rawQuery());
        } catch (IllegalArgumentException e) {
            return Reply.error(400, "Malformed query string.");
        }
        try {
            return api.handle(match.operation(), new SuiteApi.ApiRequest(
                    incoming.path(), match.variables(), query, incoming.headers(), incoming.body()));
        } catch (RuntimeException e) {
            // The JDK server would just close the connection, which a test would mistake for a drop fault.
            return Reply.error(500, "Simulator failure: " + e);
        }
    }

    private void send(HttpExchange exchange, Incoming incoming, Operation operation, Reply reply,
            Representation representation) throws IOException {
        byte[] body = reply.body() == null ? new byte[0] : representation.render(reply.body(), reply.rootName());
        String contentType = reply.body() == null ? null : representation.contentType();
        log.add(incoming.recorded(operation, reply.status(), contentType, new String(body, StandardCharsets.UTF_8)));
        reply.headers().forEach(exchange.getResponseHeaders()::set);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
        exchange.getResponseHeaders().set("X-Request-ID", UUID.randomUUID().toString());
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
    }

    /**
     * A JSON answer that never ends well: as fast as the client reads, or a byte a second, until the client gives up
     * or {@link Faults.Body#MOST} bytes went out.
     */
    private static void sendHostile(HttpExchange exchange, Faults.Body body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", Representation.JSON.contentType());
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        byte[] blanks = " ".repeat(body == Faults.Body.ENDLESS ? 65536 : 1).getBytes(StandardCharsets.UTF_8);
        try {
            out.write("{\"resourceList\":[".getBytes(StandardCharsets.UTF_8));
            for (long sent = 0; sent < Faults.Body.MOST; sent += blanks.length) {
                out.write(blanks);
                if (body == Faults.Body.TRICKLE) {
                    out.flush();
                    Thread.sleep(1000);
                }
            }
        } catch (IOException clientGone) {
            // the client gave up: what it should do
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    /** The simulator's own view of its hosts, for demos and scripts; not part of the vROps API, not recorded. */
    private void sendAdmin(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            exchange.sendResponseHeaders(405, -1);
            return;
        }
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (HostResource resource : hosts.all()) {
            list.addObject()
                    .put("name", resource.name())
                    .put("moref", resource.moref())
                    .put("vcenter", resource.vcenter().name())
                    .put("vcenterUuid", resource.vcenter().instanceUuid())
                    .put("id", resource.id())
                    .put("state", hosts.actualState(resource));
        }
        byte[] body = Representation.json(list).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", Representation.JSON.contentType());
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void pause(Duration latency) {
        if (latency.isZero()) {
            return;
        }
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Incoming(String method, String path, String rawQuery, Map<String, List<String>> headers,
            String body) {

        static Incoming read(HttpExchange exchange) throws IOException {
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
            return new Incoming(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        }

        RecordedRequest recorded(Operation operation, int status, String contentType, String responseBody) {
            return new RecordedRequest(method, path, rawQuery, headers, body, operation, status, contentType,
                    responseBody);
        }
    }
}
