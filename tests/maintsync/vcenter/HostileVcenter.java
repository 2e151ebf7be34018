package maintsync.vcenter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import maintsync.vrops.TlsMaterial;

/**
 * A vCenter of the tests' own on a loopback address, over HTTPS with a CA of its own: it answers the SOAP calls the
 * integration makes as vCenter does ({@code tests/vcsim/soap-transcript.md}), and on command answers a method badly:
 * endlessly, a byte a second, or once with a NotAuthenticated fault, after which it has forgotten every session. It
 * also answers a watch: CreatePropertyCollector, CreateFilter and WaitForUpdatesEx long polls of every host. Like
 * vCenter, it refuses with InvalidLogin a Login that carries a session cookie, and every call but
 * RetrieveServiceContent and Login without the cookie of a session it knows. It records each call and its cookie.
 */
public final class HostileVcenter implements SimulatedVcenter {

    /** How a method is answered. */
    public enum Answer {
        NORMAL,
        /** Bytes as fast as the client takes them, up to {@link #MOST_BYTES}: far past any limit a client should have. */
        ENDLESS,
        /** A byte a second. */
        TRICKLE,
        /** Once a NotAuthenticated fault, forgetting every session; then normally again. */
        NOT_AUTHENTICATED,
        /** A NoPermission fault: the user may not read what it asks for. */
        NO_PERMISSION,
        /** Each host with runtime.inMaintenanceMode withheld in missingSet, for NoPermission. */
        WITHHELD,
        /**
         * Each host preceded by another host, and by an element vCenter does not define that nests the host again, in
         * maintenance mode: only the object asked for, read where objects belong, tells the truth.
         */
        DISGUISED,
        /** A result without any object. */
        NO_OBJECTS
    }

    /** A call as it arrived: its SOAP method and its Cookie header (null without one). */
    public record Call(String method, String cookie) {
    }

    public static final long MOST_BYTES = 256L << 20;
    private static final String COOKIE = "vmware_soap_session";
    private static final Pattern METHOD = Pattern.compile("<(?:\\w+:)?Body>\\s*<(?:\\w+:)?(\\w+)");
    private static final Pattern HOST_MOREF = Pattern.compile("<obj type=\"HostSystem\">([^<]+)</obj>");
    private static final Pattern SESSION = Pattern.compile(COOKIE + "=\"?([^\";]+)");
    private static final Pattern VERSION = Pattern.compile("<version>([^<]*)</version>");
    private static final Pattern MAX_WAIT = Pattern.compile("<maxWaitSeconds>(\\d+)</maxWaitSeconds>");

    private final HttpsServer server;
    private final ExecutorService workers = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "hostile-vcenter");
        thread.setDaemon(true);
        return thread;
    });
    private final Path directory;
    private final URI sdk;
    private final String password;
    private final String instanceUuid = UUID.randomUUID().toString();
    private final List<Vcsim.Host> hosts = new ArrayList<>();
    private final Set<String> inMaintenance = ConcurrentHashMap.newKeySet();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicLong badBytes = new AtomicLong();
    /** Counts the changes of hosts' state: the version a watch's long poll is answered. */
    private final AtomicLong changes = new AtomicLong();

    private HostileVcenter(String loopbackAddress, String password, int hostCount) throws IOException {
        this.password = password;
        for (int i = 1; i <= hostCount; i++) {
            hosts.add(new Vcsim.Host("esx" + i + "." + loopbackAddress + ".test", "host-" + (100 + i)));
        }
        directory = Files.createTempDirectory("hostile-vcenter-");
        TlsMaterial tls = TlsMaterial.generate(loopbackAddress);
        tls.writeCaPem(caCertificatePem());
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName(loopbackAddress), 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        server.setExecutor(workers);
        server.createContext("/sdk", this::handle);
        server.start();
        sdk = URI.create("https://" + loopbackAddress + ":" + server.getAddress().getPort() + "/sdk");
    }

    /** On this loopback address (e.g. 127.0.0.2: one vCenter host each), with {@code hostCount} hosts, out of maintenance. */
    public static HostileVcenter start(String loopbackAddress, String password, int hostCount) {
        try {
            return new HostileVcenter(loopbackAddress, password, hostCount);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** From now on, calls of {@code method} (e.g. RetrievePropertiesEx) are answered so. */
    public void answer(String method, Answer answer) {
        answers.put(method, answer);
    }

    public void inMaintenanceMode(Vcsim.Host host, boolean in) {
        if (in) {
            inMaintenance.add(host.moref());
        } else {
            inMaintenance.remove(host.moref());
        }
        changes.incrementAndGet();
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The bytes of endless and trickling answers sent so far. */
    public long badBytesSent() {
        return badBytes.get();
    }

    @Override
    public URI sdk() {
        return sdk;
    }

    @Override
    public Path caCertificatePem() {
        return directory.resolve("ca.pem");
    }

    @Override
    public String instanceUuid() {
        return instanceUuid;
    }

    @Override
    public List<Vcsim.Host> hosts() {
        return List.copyOf(hosts);
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        caCertificatePem().toFile().delete();
        directory.toFile().delete();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher method = METHOD.matcher(request);
            String name = method.find() ? method.group(1) : "";
            String cookie = exchange.getRequestHeaders().getFirst("Cookie");
            calls.add(new Call(name, cookie));
            Answer answer = answers.getOrDefault(name, Answer.NORMAL);
            if (answer == Answer.ENDLESS || answer == Answer.TRICKLE) {
                sendBadly(exchange, answer);
            } else if (answer == Answer.NOT_AUTHENTICATED) {
                answers.remove(name);
                sessions.clear();
                fault(exchange, "NotAuthenticated", "The session is not authenticated.");
            } else if (answer == Answer.NO_PERMISSION) {
                fault(exchange, "NoPermission", "Permission to perform this operation was denied.");
            } else {
                answer(exchange, name, request, cookie, answer);
            }
        }
    }

    private void answer(HttpExchange exchange, String method, String request, String cookie, Answer crafted) throws IOException {
        Matcher session = SESSION.matcher(String.valueOf(cookie));
        boolean known = session.find() && sessions.contains(session.group(1));
        switch (method) {
            case "RetrieveServiceContent" -> send(exchange, "<RetrieveServiceContentResponse xmlns=\"urn:vim25\"><returnval>"
                    + "<rootFolder type=\"Folder\">group-d1</rootFolder><propertyCollector type=\"PropertyCollector\">propertyCollector"
                    + "</propertyCollector><viewManager type=\"ViewManager\">ViewManager</viewManager><about><name>VMware vCenter Server</name>"
                    + "<instanceUuid>" + instanceUuid + "</instanceUuid></about><sessionManager type=\"SessionManager\">SessionManager"
                    + "</sessionManager></returnval></RetrieveServiceContentResponse>");
            case "Login" -> {
                if (cookie != null && cookie.contains(COOKIE) || !request.contains("<password>" + password + "</password>")) {
                    fault(exchange, "InvalidLogin", "Cannot complete login due to an incorrect user name or password.");
                    return;
                }
                String key = UUID.randomUUID().toString();
                sessions.add(key);
                exchange.getResponseHeaders().add("Set-Cookie", COOKIE + "=\"" + key + "\"; Path=/; HttpOnly; Secure");
                send(exchange, "<LoginResponse xmlns=\"urn:vim25\"><returnval><key>" + key + "</key><userName>" + Vcsim.USERNAME
                        + "</userName></returnval></LoginResponse>");
            }
            default -> {
                if (!known) {
                    fault(exchange, "NotAuthenticated", "The session is not authenticated.");
                } else if (method.equals("Logout")) {
                    sessions.remove(session.group(1));
                    send(exchange, "<LogoutResponse xmlns=\"urn:vim25\"></LogoutResponse>");
                } else if (method.equals("CreateContainerView")) {
                    send(exchange, "<CreateContainerViewResponse xmlns=\"urn:vim25\"><returnval type=\"ContainerView\">session["
                            + session.group(1) + "]view</returnval></CreateContainerViewResponse>");
                } else if (method.equals("DestroyView")) {
                    send(exchange, "<DestroyViewResponse xmlns=\"urn:vim25\"></DestroyViewResponse>");
                } else if (method.equals("RetrievePropertiesEx")) {
                    retrieveProperties(exchange, request, crafted);
                } else if (method.equals("CreatePropertyCollector") || method.equals("CreateFilter")) {
                    String type = method.equals("CreateFilter") ? "PropertyFilter" : "PropertyCollector";
                    send(exchange, "<" + method + "Response xmlns=\"urn:vim25\"><returnval type=\"" + type + "\">session[" + session.group(1)
                            + "]" + type + "</returnval></" + method + "Response>");
                } else if (method.equals("DestroyPropertyCollector")) {
                    send(exchange, "<DestroyPropertyCollectorResponse xmlns=\"urn:vim25\"></DestroyPropertyCollectorResponse>");
                } else if (method.equals("WaitForUpdatesEx")) {
                    waitForUpdates(exchange, request, session.group(1), crafted);
                } else {
                    fault(exchange, "NotImplemented", method + " is not implemented here");
                }
            }
        }
    }

    /**
     * A watch's long poll: every host at the first call (empty version), then, once a host's state has changed since
     * the version given or after {@code maxWaitSeconds}, every host again or nothing; crafted as {@code crafted} says.
     */
    private void waitForUpdates(HttpExchange exchange, String request, String session, Answer crafted) throws IOException {
        Matcher given = VERSION.matcher(request);
        String version = given.find() ? given.group(1) : "";
        Matcher wait = MAX_WAIT.matcher(request);
        long until = System.nanoTime() + (wait.find() ? Long.parseLong(wait.group(1)) : 0) * 1_000_000_000L;
        if (!version.isEmpty()) {
            while (changes.get() <= Long.parseLong(version) && System.nanoTime() - until < 0) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (changes.get() <= Long.parseLong(version)) {
                send(exchange, "<WaitForUpdatesExResponse xmlns=\"urn:vim25\"></WaitForUpdatesExResponse>");
                return;
            }
        }
        StringBuilder objects = new StringBuilder();
        for (Vcsim.Host host : hosts) {
            objects.append("<objectSet><kind>").append(version.isEmpty() ? "enter" : "modify").append("</kind><obj type=\"HostSystem\">")
                    .append(host.moref()).append("</obj><changeSet><name>name</name><op>assign</op><val xsi:type=\"xsd:string\">")
                    .append(host.name()).append("</val></changeSet>").append(crafted == Answer.WITHHELD
                            ? "<missingSet><path>runtime.inMaintenanceMode</path><fault><fault xsi:type=\"NoPermission\"><privilegeId>System.Read"
                                    + "</privilegeId></fault></fault></missingSet>"
                            : "<changeSet><name>runtime.inMaintenanceMode</name><op>assign</op><val xsi:type=\"xsd:boolean\">"
                                    + inMaintenance.contains(host.moref()) + "</val></changeSet>").append("</objectSet>");
        }
        send(exchange, "<WaitForUpdatesExResponse xmlns=\"urn:vim25\"><returnval><version>" + changes.get() + "</version><filterSet>"
                + "<filter type=\"PropertyFilter\">session[" + session + "]PropertyFilter</filter>" + objects
                + "</filterSet></returnval></WaitForUpdatesExResponse>");
    }

    /** Every host over a container view, or the one host asked for; crafted as {@code crafted} says. */
    private void retrieveProperties(HttpExchange exchange, String request, Answer crafted) throws IOException {
        Matcher moref = HOST_MOREF.matcher(request);
        List<Vcsim.Host> asked = hosts;
        if (moref.find()) {
            String wanted = moref.group(1);
            asked = hosts.stream().filter(host -> host.moref().equals(wanted)).toList();
            if (asked.isEmpty()) {
                fault(exchange, "ManagedObjectNotFound", "The object 'vim.HostSystem:" + wanted + "' has already been deleted or has not been completely created");
                return;
            }
        }
        StringBuilder objects = new StringBuilder();
        for (Vcsim.Host host : crafted == Answer.NO_OBJECTS ? List.<Vcsim.Host>of() : asked) {
            if (crafted == Answer.DISGUISED) {
                objects.append("<objects>").append(host(new Vcsim.Host("decoy", "host-1"), "true")).append("</objects>")
                        .append("<extension><objects>").append(host(host, "true")).append("</objects></extension>");
            }
            objects.append("<objects>").append(crafted == Answer.WITHHELD
                    ? "<obj type=\"HostSystem\">" + host.moref() + "</obj><propSet><name>name</name><val xsi:type=\"xsd:string\">" + host.name()
                            + "</val></propSet><missingSet><path>runtime.inMaintenanceMode</path><fault><fault xsi:type=\"NoPermission\">"
                            + "<privilegeId>System.Read</privilegeId></fault><localizedMessage>Permission denied</localizedMessage></fault></missingSet>"
                    : host(host, Boolean.toString(inMaintenance.contains(host.moref())))).append("</objects>");
        }
        send(exchange, "<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval>" + objects + "</returnval></RetrievePropertiesExResponse>");
    }

    private static String host(Vcsim.Host host, String inMaintenanceMode) {
        return "<obj type=\"HostSystem\">" + host.moref() + "</obj><propSet><name>name</name><val xsi:type=\"xsd:string\">" + host.name()
                + "</val></propSet><propSet><name>runtime.inMaintenanceMode</name><val xsi:type=\"xsd:boolean\">" + inMaintenanceMode
                + "</val></propSet>";
    }

    private static void send(HttpExchange exchange, String body) throws IOException {
        send(exchange, 200, body);
    }

    private static void fault(HttpExchange exchange, String type, String message) throws IOException {
        send(exchange, 500, "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>" + message + "</faultstring><detail><" + type
                + "Fault xmlns=\"urn:vim25\" xsi:type=\"" + type + "\"></" + type + "Fault></detail></soapenv:Fault>");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] answer = envelope(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml; charset=utf-8");
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
    }

    private static String envelope(String body) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" "
                + "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
                + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>" + body + "</soapenv:Body></soapenv:Envelope>";
    }

    /** A 200 whose answer never ends: hosts as fast as the client reads them, or a byte a second; until the client gives up. */
    private void sendBadly(HttpExchange exchange, Answer answer) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/xml; charset=utf-8");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        String start = envelope("<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval>");
        byte[] head = start.substring(0, start.indexOf("</soapenv:Body>")).getBytes(StandardCharsets.UTF_8);
        byte[] more = answer == Answer.ENDLESS
                ? "<objects><obj type=\"HostSystem\">host-0</obj></objects>".repeat(1024).getBytes(StandardCharsets.UTF_8)
                : new byte[] {' '};
        try {
            out.write(head);
            badBytes.addAndGet(head.length);
            while (badBytes.get() < MOST_BYTES) {
                out.write(more);
                badBytes.addAndGet(more.length);
                if (answer == Answer.TRICKLE) {
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
}
