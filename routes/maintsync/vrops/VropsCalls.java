package maintsync.vrops;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

import javax.net.ssl.SSLException;

import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.edge.CallLimits;
import maintsync.edge.Hooks;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vROps calls, each one Kamelet behind a route of {@code VropsOperationsRoute}, made with an exchange of their own
 * so that the event's exchange carries no token. Every call is counted in {@code vrops.calls} and timed in
 * {@code vrops.call.duration}, by call and HTTP status, and every failure becomes one of the exceptions the
 * integration answers by: {@link TokenRejected} (401), {@link SecurityException} (403, or a certificate not trusted),
 * {@link UnknownResource} (404), {@link IOException} (unreachable, timed out, 408, 429, 5xx: worth retrying) or
 * {@link IllegalStateException} (any other answer).
 */
final class VropsCalls implements VropsClient.Calls {

    private static final Logger LOG = LoggerFactory.getLogger("vcenter-maintenance");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** vROps no longer accepts the token: acquire another. */
    static final class TokenRejected extends SecurityException {
        TokenRejected(String message) {
            super(message);
        }
    }

    /** Told whether vROps accepted a maintenance call or refused it to the user (403). */
    interface MaintenanceRights {
        void refused(String reason);

        void granted();
    }

    /** vROps refuses the call to this user (403): its role does not allow it. */
    static final class RefusedToUser extends SecurityException {
        RefusedToUser(String message) {
            super(message);
        }
    }

    /** vROps does not know the resource id. */
    static final class UnknownResource extends IllegalStateException {
        UnknownResource(String message) {
            super(message);
        }
    }

    private final CamelContext context;
    private final ProducerTemplate producer;
    private final String username;
    private final String password;
    private final String authSource;
    private final Hooks.Counts counts;
    private final Hooks.Timings durations;
    private volatile MaintenanceRights rights;
    /** Resolved once: resolving an endpoint URI for each call normalises it each time. */
    private final ConcurrentMap<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    VropsCalls(CamelContext context, String username, String password, String authSource) {
        this.context = context;
        this.producer = context.createProducerTemplate();
        this.counts = new Hooks.Counts(context, "vrops.calls");
        // vROps answers in tens of milliseconds when well, in seconds when not: buckets for both
        this.durations = new Hooks.Timings(context, "vrops.call.duration", Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
                .map(Duration::ofMillis).toArray(Duration[]::new));
        this.username = username;
        this.password = password;
        this.authSource = authSource;
    }

    /** With the credentials written here as the token request: Jackson escapes for JSON, and nothing else reads them. */
    @Override
    public String acquireToken() throws Exception {
        byte[] request = JSON.writeValueAsBytes(Map.of("username", username, "password", password, "authSource", authSource));
        String token = call("token", "direct:vrops-acquire-token", Map.of(), Map.of(), request).getMessage().getHeader("VropsToken", String.class);
        LOG.info("Acquired a vROps token for user {} (auth source {})", username, authSource);
        return token;
    }

    @Override
    public void releaseToken(String token) throws Exception {
        call("release", "direct:vrops-release-token", Map.of("VropsToken", token));
        LOG.info("Released the vROps token of user {}", username);
    }

    /** {@code GET /auth/currentuser}. */
    @Override
    public void checkToken(String token) throws Exception {
        call("check", "direct:vrops-current-user", Map.of("VropsToken", token));
    }

    /** The name as the exchange property the lookup Kamelet reads, in place of an event's {@code Host.Name}. */
    @Override
    public String lookUpHost(String token, String hostName, Map<String, Object> identifiers) throws Exception {
        Map<String, Object> headers = new HashMap<>(identifiers);
        headers.put("VropsToken", token);
        return call("lookup", "direct:vrops-lookup-host", headers, Map.of("VropsHostName", hostName), null).getMessage().getBody(String.class);
    }

    /** The answer as vROps gave it (resourceList, pageInfo). */
    @Override
    public String hosts(String token, int page, boolean maintainedOnly) throws Exception {
        return call(maintainedOnly ? "maintained" : "hosts", "direct:vrops-hosts", Map.of("VropsToken", token, "VropsPage", page,
                "VropsResourceStates", maintainedOnly ? List.of("MAINTAINED", "MAINTAINED_MANUAL") : List.of())).getMessage().getBody(String.class);
    }

    void reportMaintenanceRightsTo(MaintenanceRights rights) {
        this.rights = rights;
    }

    @Override
    public void setMaintenance(String token, String resourceId, boolean enter, boolean held) throws Exception {
        changeMaintenance(enter ? "enter" : "exit", !enter ? "direct:vrops-unmark-maintained"
                : held ? "direct:vrops-hold-maintained" : "direct:vrops-mark-maintained",
                Map.of("VropsToken", token, "VropsResourceId", resourceId));
    }

    @Override
    public void holdMaintained(String token, List<String> resourceIds) throws Exception {
        changeMaintenance("hold", "direct:vrops-hold-maintained-many", Map.of("VropsToken", token, "VropsResourceIds", List.copyOf(resourceIds)));
    }

    @Override
    public void unmarkMaintained(String token, List<String> resourceIds) throws Exception {
        changeMaintenance("unmark", "direct:vrops-unmark-maintained-many", Map.of("VropsToken", token, "VropsResourceIds", List.copyOf(resourceIds)));
    }

    private void changeMaintenance(String name, String route, Map<String, Object> headers) throws Exception {
        try {
            call(name, route, headers);
        } catch (RefusedToUser refused) {
            if (rights != null) {
                rights.refused(refused.getMessage());
            }
            throw refused;
        }
        if (rights != null) {
            rights.granted();
        }
    }

    private Exchange call(String name, String route, Map<String, Object> headers) throws Exception {
        return call(name, route, headers, Map.of(), null);
    }

    private Exchange call(String name, String route, Map<String, Object> headers, Map<String, Object> properties, Object body)
            throws Exception {
        long start = System.nanoTime();
        Exchange exchange = producer.send(endpoints.computeIfAbsent(route, context::getEndpoint), request -> {
            request.getMessage().setHeaders(new HashMap<>(headers));
            request.getMessage().setBody(body);
            properties.forEach(request::setProperty);
        });
        Exception failure = exchange.getException();
        if (failure instanceof HttpOperationFailedException answer) {
            count(name, Integer.toString(answer.getStatusCode()), start);
            throw translate(name, answer.getStatusCode());
        }
        if (failure != null) {
            count(name, "none", start);
            if (failure instanceof SSLException tls) {
                throw new SecurityException("vROps is not trusted (" + tls.getMessage() + "): set vrops.tls.ca-file to the CA of its "
                        + "certificate", tls);
            }
            if (failure instanceof CallLimits.Exceeded limit) {
                throw new IOException("vROps unavailable: " + limit.getMessage(), limit); // it names the call and the setting
            }
            throw failure instanceof IOException unreachable
                    ? new IOException("vROps unavailable: the " + describe(name) + " failed: " + unreachable.getMessage(), unreachable) : failure;
        }
        count(name, exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, "200", String.class), start);
        return exchange;
    }

    private Exception translate(String call, int status) {
        String message = "vROps answered HTTP " + status + " to the " + describe(call);
        if (call.equals("token") && (status == 400 || status == 401 || status == 403)) {
            return new SecurityException("vROps refused user " + username + " of auth source " + authSource + " (HTTP " + status + ")");
        }
        if (status == 401) {
            return new TokenRejected("vROps refused the " + describe(call) + " of user " + username + " (HTTP 401)");
        }
        if (status == 403) {
            return new RefusedToUser("vROps refused the " + describe(call) + " of user " + username + " (HTTP 403)");
        }
        if (status == 404) {
            return new UnknownResource(message);
        }
        if (status == 408 || status == 429 || status >= 500) {
            return new IOException("vROps unavailable: it answered HTTP " + status + " to the " + describe(call));
        }
        return new IllegalStateException(message);
    }

    private static String describe(String call) {
        return switch (call) {
            case "token" -> "token request";
            case "release" -> "token release";
            case "check" -> "token check";
            case "lookup" -> "host lookup";
            case "maintained" -> "list of hosts in maintenance";
            case "hosts" -> "list of hosts";
            case "hold" -> "timed maintenance of several hosts";
            case "unmark" -> "end of maintenance of several hosts";
            default -> call + " maintenance";
        };
    }

    private void count(String call, String status, long start) {
        counts.increment("call", call, "status", status);
        durations.record(System.nanoTime() - start, "call", call, "status", status);
    }
}
