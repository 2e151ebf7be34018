package maintsync.vcenter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import maintsync.edge.CallLimits;
import maintsync.sync.MaintenancePlan;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.cookie.BasicCookieStore;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The vSphere API calls the integration makes, read-only, over SOAP at the vCenter's {@code /sdk} (the protocol every
 * vCenter and VMware's simulator speak; no maintained Java SDK can be had): {@code RetrieveServiceContent},
 * {@code Login}, {@code Logout}, {@code RetrievePropertiesEx} of a HostSystem's {@code runtime.inMaintenanceMode},
 * and for every host at once {@code CreateContainerView}, {@code RetrievePropertiesEx} over the view,
 * {@code ContinueRetrievePropertiesEx} while a page token comes back, and {@code DestroyView}. Asked to, the same reads
 * follow each host's {@code recentTask} to its tasks' {@code info.descriptionId}, {@code info.state} and
 * {@code info.entity}: a host whose {@code HostSystem.enterMaintenanceMode} task is queued or running is entering.
 * The session is the {@code vmware_soap_session} cookie, kept in memory only. Answers are read with a namespace-aware
 * parser that looks for the elements it needs at the level where they belong, so the elements each vCenter release
 * adds do no harm and cannot pass for an object of the answer. A SOAP fault
 * is a {@link Fault} named by its vSphere type ({@code NotAuthenticated}, {@code InvalidLogin},
 * {@code ManagedObjectNotFound}, ...); no answer, or one that is no SOAP, an {@link IOException}. No call outlasts its
 * deadline nor reads more than {@code vcenter.max-answer-bytes}, whatever vCenter sends ({@link CallLimits}).
 */
public final class VcenterSoap implements AutoCloseable {

    private static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
    private static final String VIM = "urn:vim25";
    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    /** vSphere 6.5, the oldest release still about: each later vCenter answers it, as the simulator does. */
    private static final String SOAP_ACTION = "\"urn:vim25/6.5\"";

    /** A SOAP fault of the vSphere API: {@code type} is its fault type, e.g. NotAuthenticated. */
    static final class Fault extends IOException {
        final String type;

        Fault(String type, String message) {
            super(type + ": " + message);
            this.type = type;
        }
    }

    /** The parts of the ServiceContent the calls need. */
    record ServiceContent(String sessionManager, String propertyCollector, String viewManager, String rootFolder,
            String instanceUuid) {
    }

    /**
     * A host as vCenter has it. {@code withheld}: when vCenter did not give its {@code runtime.inMaintenanceMode}, the
     * fault it gave instead (e.g. NoPermission), and the state is {@code UNKNOWN}; else null.
     */
    public record HostState(String moref, String name, MaintenancePlan.VcenterState state, String withheld) {
    }

    /** What of a host's recent tasks is read, when asked: its kind, its state and its host. */
    private static final String TASK_PROPERTIES = "<propSet><type>Task</type><pathSet>info.descriptionId</pathSet>"
            + "<pathSet>info.state</pathSet><pathSet>info.entity</pathSet></propSet>";
    /** From a host to the tasks in its ManagedEntity.recentTask, which vCenter keeps a while after they end. */
    private static final String TO_RECENT_TASKS = "<selectSet xsi:type=\"TraversalSpec\"><name>recentTasks</name><type>HostSystem</type>"
            + "<path>recentTask</path><skip>false</skip></selectSet>";

    private final URI sdk;
    private final CloseableHttpClient http;
    private final BasicCookieStore cookies;
    private final BiConsumer<String, String> counter;
    private final CallLimits limits;
    private final long timeoutMillis;
    /** The calls under way, for {@link #abort}. */
    private final Set<HttpPost> inFlight = ConcurrentHashMap.newKeySet();
    /** The end of the reconcile pass these calls belong to (of {@link System#nanoTime}), and how it is told; none for an event's. */
    private final Long passEnd;
    private final String byPassEnd;

    /**
     * Each call, from the wait for a connection to the answer's last byte, ends within {@code timeoutMillis}
     * ({@code vcenter.timeout-ms}) and reads no more than the {@code limits} allow. {@code counter} is told the vSphere
     * method of every call, e.g. RetrievePropertiesEx, and the HTTP status of its answer, or {@code none} when there was none.
     */
    VcenterSoap(URI sdk, SSLContext tls, HostnameVerifier hostnames, long timeoutMillis, CallLimits limits, BiConsumer<String, String> counter) {
        this.sdk = sdk;
        this.counter = counter;
        this.limits = limits;
        this.timeoutMillis = timeoutMillis;
        this.passEnd = null;
        this.byPassEnd = null;
        this.cookies = new BasicCookieStore();
        Timeout timeout = Timeout.ofMilliseconds(timeoutMillis);
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setTlsSocketStrategy(new DefaultClientTlsStrategy(tls, hostnames))
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).build())
                .setDefaultCookieStore(cookies)
                .disableAutomaticRetries()
                .build();
    }

    private VcenterSoap(VcenterSoap client, long passEnd, String byPassEnd) {
        this.sdk = client.sdk;
        this.http = client.http;
        this.cookies = client.cookies;
        this.counter = client.counter;
        this.limits = client.limits;
        this.timeoutMillis = client.timeoutMillis;
        this.passEnd = passEnd;
        this.byPassEnd = byPassEnd;
    }

    /**
     * The same client, in the same session, for calls that also end by {@code passEnd} (of {@link System#nanoTime}),
     * the end of a reconcile pass, which {@code byPassEnd} tells in failures: a pass then ends by its deadline.
     */
    VcenterSoap until(long passEnd, String byPassEnd) {
        return new VcenterSoap(this, passEnd, byPassEnd);
    }

    /** Drops the session cookie, so that the next Login starts a clean session: vCenter refuses a Login with a cookie it no longer knows. */
    void forgetSession() {
        cookies.clear();
    }

    ServiceContent serviceContent() throws IOException {
        Element content = call("<RetrieveServiceContent xmlns=\"urn:vim25\"><_this type=\"ServiceInstance\">ServiceInstance</_this>"
                + "</RetrieveServiceContent>");
        return new ServiceContent(text(content, "sessionManager"), text(content, "propertyCollector"),
                text(content, "viewManager"), text(content, "rootFolder"), text(child(content, "about"), "instanceUuid"));
    }

    /** Starts a session, kept as this client's cookie. */
    void login(ServiceContent content, String username, String password) throws IOException {
        call("<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">" + xml(content.sessionManager()) + "</_this><userName>"
                + xml(username) + "</userName><password>" + xml(password) + "</password></Login>");
    }

    void logout(ServiceContent content) throws IOException {
        call("<Logout xmlns=\"urn:vim25\"><_this type=\"SessionManager\">" + xml(content.sessionManager()) + "</_this></Logout>");
    }

    /**
     * The host's {@code runtime.inMaintenanceMode}, and with {@code withTasks} whether its enter-maintenance task runs;
     * a host vCenter does not have is a ManagedObjectNotFound fault. Only the object asked for counts, found by its id:
     * an answer without it is a host whose state is {@code UNKNOWN}.
     */
    HostState host(ServiceContent content, String hostMoref, boolean withTasks) throws IOException {
        Element answer = call("<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                + xml(content.propertyCollector()) + "</_this>" + hostSpec("<objectSet><obj type=\"HostSystem\">" + xml(hostMoref)
                + "</obj><skip>false</skip>" + (withTasks ? TO_RECENT_TASKS : "") + "</objectSet>", withTasks)
                + "<options></options></RetrievePropertiesEx>");
        return hostStates(List.of(answer)).stream().filter(host -> host.moref().equals(hostMoref)).findFirst()
                .orElse(new HostState(hostMoref, null, MaintenancePlan.VcenterState.UNKNOWN, "the answer did not hold the host"));
    }

    /** Every host of the vCenter, read a page of {@code pageSize} at a time through one container view. */
    List<HostState> hosts(ServiceContent content, int pageSize, boolean withTasks) throws IOException {
        String view = hostView(content);
        List<Element> pages = new ArrayList<>();
        try {
            Element page = call("<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                    + xml(content.propertyCollector()) + "</_this><specSet>" + everyHost(view, withTasks) + "</specSet>"
                    + "<options><maxObjects>" + pageSize + "</maxObjects></options></RetrievePropertiesEx>");
            while (true) {
                pages.add(page);
                String token = text(page, "token");
                if (token == null) {
                    List<HostState> hosts = hostStates(pages);
                    if (hosts.isEmpty()) {
                        // a view of the whole inventory without hosts: a vCenter that withholds them, not one without
                        throw new IOException("vCenter at " + sdk + " answered no HostSystem to the read of every host");
                    }
                    return hosts;
                }
                page = call("<ContinueRetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                        + xml(content.propertyCollector()) + "</_this><token>" + xml(token) + "</token></ContinueRetrievePropertiesEx>");
            }
        } finally {
            call("<DestroyView xmlns=\"urn:vim25\"><_this type=\"ContainerView\">" + xml(view) + "</_this></DestroyView>");
        }
    }

    /** A container view of every HostSystem of the inventory, for this session; its moref. */
    String hostView(ServiceContent content) throws IOException {
        return call("<CreateContainerView xmlns=\"urn:vim25\"><_this type=\"ViewManager\">" + xml(content.viewManager())
                + "</_this><container type=\"Folder\">" + xml(content.rootFolder()) + "</container><type>HostSystem</type>"
                + "<recursive>true</recursive></CreateContainerView>").getTextContent().strip();
    }

    /**
     * What a read of every host asks for, and a watch of them: the properties and the objects of a PropertyFilterSpec,
     * the hosts through the container view {@code view}, and with {@code withTasks} the tasks of each host.
     */
    static String everyHost(String view, boolean withTasks) {
        return "<propSet><type>HostSystem</type><pathSet>name</pathSet><pathSet>runtime.inMaintenanceMode</pathSet></propSet>"
                + (withTasks ? TASK_PROPERTIES : "") + "<objectSet><obj type=\"ContainerView\">" + xml(view)
                + "</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>hostsInView</name><type>ContainerView</type>"
                + "<path>view</path><skip>false</skip>" + (withTasks ? "<selectSet><name>recentTasks</name></selectSet>" : "")
                + "</selectSet>" + (withTasks ? TO_RECENT_TASKS : "") + "</objectSet>";
    }

    private static String hostSpec(String objectSet, boolean withTasks) {
        return "<specSet><propSet><type>HostSystem</type><pathSet>name</pathSet><pathSet>runtime.inMaintenanceMode</pathSet></propSet>"
                + (withTasks ? TASK_PROPERTIES : "") + objectSet + "</specSet>";
    }

    /**
     * The hosts of these answers, read strictly: only the {@code objects} of each answer's result, each object by the
     * type and id of its {@code obj}; a property vCenter withheld ({@code missingSet}) or gave as anything but
     * {@code true} or {@code false} leaves the host {@code UNKNOWN}. A host is entering when a task among them enters it
     * into maintenance and is queued or running.
     */
    private static List<HostState> hostStates(List<Element> answers) {
        Map<String, Element> hosts = new LinkedHashMap<>();
        Set<String> entering = new HashSet<>();
        for (Element answer : answers) {
            for (Element object : children(answer, "objects")) {
                Element obj = child(object, "obj");
                String id = obj == null ? "" : obj.getTextContent().strip();
                if (obj == null || id.isEmpty()) {
                    continue;
                }
                if ("Task".equals(obj.getAttribute("type"))) {
                    Map<String, String> task = properties(object);
                    if ("HostSystem.enterMaintenanceMode".equals(task.get("info.descriptionId"))
                            && ("running".equals(task.get("info.state")) || "queued".equals(task.get("info.state")))) {
                        entering.add(task.get("info.entity"));
                    }
                } else if ("HostSystem".equals(obj.getAttribute("type"))) {
                    hosts.putIfAbsent(id, object);
                }
            }
        }
        List<HostState> states = new ArrayList<>();
        hosts.forEach((moref, object) -> {
            Map<String, String> host = properties(object);
            String name = host.get("name") != null ? host.get("name") : moref;
            String withheld = withheld(object, "runtime.inMaintenanceMode");
            String inMaintenance = host.get("runtime.inMaintenanceMode");
            MaintenancePlan.VcenterState state;
            if (withheld == null && "true".equals(inMaintenance)) {
                state = MaintenancePlan.VcenterState.IN_MAINTENANCE;
            } else if (withheld == null && "false".equals(inMaintenance)) {
                state = entering.contains(moref) ? MaintenancePlan.VcenterState.ENTERING : MaintenancePlan.VcenterState.IN_SERVICE;
            } else {
                state = MaintenancePlan.VcenterState.UNKNOWN;
                if (withheld == null) {
                    withheld = inMaintenance == null ? "no value" : "the value " + abbreviated(inMaintenance);
                }
            }
            states.add(new HostState(moref, name, state, withheld));
        });
        return states;
    }

    /** An object's properties by name, from its own {@code propSet}s. */
    private static Map<String, String> properties(Element object) {
        Map<String, String> properties = new HashMap<>();
        for (Element property : children(object, "propSet")) {
            String name = text(property, "name");
            if (name != null) {
                properties.putIfAbsent(name, text(property, "val"));
            }
        }
        return properties;
    }

    /** The fault type for which vCenter did not give this property of the object, or null when it did not say so. */
    static String withheld(Element object, String path) {
        for (Element missing : children(object, "missingSet")) {
            if (path.equals(text(missing, "path"))) {
                Element outer = child(missing, "fault");
                Element fault = outer == null ? null : child(outer, "fault");
                String type = fault == null ? "" : fault.getAttributeNS(XSI, "type");
                return type.isEmpty() ? "a fault" : type.substring(type.indexOf(':') + 1);
            }
        }
        return null;
    }

    static String abbreviated(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    /** Ends every call under way now, e.g. a long poll when the integration stops; each fails as unreachable. */
    void abort() {
        inFlight.forEach(HttpPost::cancel);
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    /** Posts the request in an envelope; the first element of the answer's Body, or its fault. */
    private Element call(String request) throws IOException {
        return call(request, timeoutMillis, "within vcenter.timeout-ms (" + timeoutMillis + " ms)");
    }

    /**
     * The same, for a call that may last longer than {@code vcenter.timeout-ms}, such as a long poll: it ends within
     * {@code millis}, which {@code within} tells in its failure. {@link #abort} ends it at once.
     */
    Element call(String request, long millis, String within) throws IOException {
        String method = request.substring(1, request.indexOf(' '));
        HttpPost post = new HttpPost(sdk);
        post.setHeader("SOAPAction", SOAP_ACTION);
        if (millis != timeoutMillis) {
            // the client's response timeout is vcenter.timeout-ms: a long poll waits longer for its first byte
            post.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(millis)).build());
        }
        post.setEntity(new ByteArrayEntity(("<soapenv:Envelope xmlns:soapenv=\"" + SOAP + "\" xmlns:xsi=\"" + XSI + "\"><soapenv:Body>" + request
                + "</soapenv:Body></soapenv:Envelope>").getBytes(StandardCharsets.UTF_8), ContentType.TEXT_XML.withCharset(StandardCharsets.UTF_8)));
        long now = System.nanoTime();
        long deadline = now + TimeUnit.MILLISECONDS.toNanos(millis);
        // a view is destroyed even once the pass has ended, in a call's time more: else it stays on vCenter until the session ends
        boolean passEndsFirst = passEnd != null && !method.equals("DestroyView") && passEnd - deadline < 0;
        byte[] answer;
        try (CallLimits.Call bounded = limits.start(post, method, passEndsFirst ? passEnd : deadline,
                passEndsFirst ? byPassEnd : within)) {
            inFlight.add(post);
            try {
                answer = http.execute(post, response -> {
                    // a fault comes with 500: the status tells the calls that failed from those that did not
                    counter.accept(method, Integer.toString(response.getCode()));
                    return response.getEntity() == null ? new byte[0] : bounded.answer(response.getEntity().getContent()).readAllBytes();
                });
            } catch (IOException unreachable) {
                counter.accept(method, "none");
                throw bounded.failure(unreachable);
            } finally {
                inFlight.remove(post);
            }
        }
        Element body = child(parse(answer).getDocumentElement(), "Body");
        Element first = body == null ? null : firstElement(body);
        if (first == null) {
            throw new IOException("vCenter at " + sdk + " answered no SOAP body");
        }
        if (SOAP.equals(first.getNamespaceURI()) && "Fault".equals(first.getLocalName())) {
            throw fault(first);
        }
        Element returnval = child(first, "returnval");
        return returnval != null ? returnval : first;
    }

    /** The fault's vSphere type: the xsi:type of its detail, else the detail element's name less "Fault". */
    private static Fault fault(Element fault) {
        String message = String.valueOf(text(fault, "faultstring"));
        Element detail = child(fault, "detail");
        Element type = detail == null ? null : firstElement(detail);
        if (type == null) {
            return new Fault("SoapFault", message);
        }
        String xsiType = type.getAttributeNS(XSI, "type");
        String name = !xsiType.isEmpty() ? xsiType.substring(xsiType.indexOf(':') + 1) : type.getLocalName().replaceFirst("Fault$", "");
        return new Fault(name, message);
    }

    private static Document parse(byte[] answer) throws IOException {
        try {
            return builder().parse(new ByteArrayInputStream(answer));
        } catch (SAXException notXml) {
            throw new IOException("vCenter answered no SOAP: " + notXml.getMessage());
        }
    }

    /** Namespace-aware, and closed to external entities and DTDs: the answer is a server's, not to be trusted. */
    private static DocumentBuilder builder() throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IOException(e);
        }
    }

    static Element child(Element parent, String localName) {
        if (parent == null) {
            return null;
        }
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && localName.equals(element.getLocalName())) {
                return element;
            }
        }
        return null;
    }

    static Element firstElement(Element parent) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element) {
                return element;
            }
        }
        return null;
    }

    static List<Element> children(Element parent, String localName) {
        List<Element> found = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && localName.equals(element.getLocalName())) {
                found.add(element);
            }
        }
        return found;
    }

    static String text(Element parent, String localName) {
        Element element = child(parent, localName);
        return element == null ? null : element.getTextContent().strip();
    }

    /** Escapes text for an XML element; characters XML 1.0 cannot carry at all are refused. */
    static String xml(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '\r' -> escaped.append("&#13;"); // a parser would read a bare one as a line feed
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
                        throw new IllegalArgumentException("a character XML cannot carry: U+" + Integer.toHexString(c));
                    }
                    escaped.appendCodePoint(c);
                }
            }
        });
        return escaped.toString();
    }
}
