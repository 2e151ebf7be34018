package maintsync.vcenter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.xml.parsers.DocumentBuilderFactory;

import maintsync.TestSupport;
import maintsync.k8s.OperatorPod;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * VMware's vCenter simulator (govmomi's, from Debian) in the project's own program {@code tests/vcsim/main.go}, which
 * the build makes at {@code target/vcsim-peer}: a vCenter on a free loopback port, over HTTPS with a certificate of its
 * own, that posts the maintenance mode events a real vCenter posts. The test side speaks to it as an administrator
 * would: SOAP, to put hosts into maintenance mode and take them out.
 */
public final class Vcsim implements SimulatedVcenter {

    public static final String USERNAME = "vcsim-reader";
    private static final Path BINARY = Path.of("target", "vcsim-peer");
    private static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";

    /** A host of the simulated inventory. */
    public record Host(String name, String moref) {
    }

    private volatile Process process;
    private final Path directory;
    private final URI sdk;
    private volatile HttpClient client;
    private final String password;
    /** The flags it was started with, for {@link #restart}. */
    private final List<String> flags;

    private Vcsim(Process process, Path directory, URI sdk, HttpClient client, String password, List<String> flags) {
        this.process = process;
        this.directory = directory;
        this.sdk = sdk;
        this.client = client;
        this.password = password;
        this.flags = flags;
    }

    /** Starts a simulator whose one user is {@link #USERNAME} with this password. */
    public static Vcsim start(String password) {
        return start(password, List.of());
    }

    /** With more flags of tests/vcsim/main.go, e.g. {@code -instance-uuid}, {@code -cluster-hosts}. */
    public static Vcsim start(String password, List<String> flags) {
        return start(password, "127.0.0.1", flags);
    }

    /**
     * On another loopback address, e.g. {@code 127.0.0.3} (Linux routes all of 127.0.0.0/8 to loopback), so that a
     * client tells several simulators apart by host; the certificate is valid for that address too.
     */
    public static Vcsim start(String password, String loopbackAddress, List<String> flags) {
        try {
            if (!InetAddress.getByName(loopbackAddress).isLoopbackAddress()) { // an IP literal is not looked up
                throw new IllegalArgumentException("not a loopback address: " + loopbackAddress);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a loopback address: " + loopbackAddress, e);
        }
        String listen = (loopbackAddress.contains(":") ? "[" + loopbackAddress + "]" : loopbackAddress) + ":0";
        Path missing = Path.of(BINARY + ".missing");
        if (Files.exists(missing)) {
            throw new IllegalStateException(read(missing).strip());
        }
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: the build makes it (tests/vcsim/build)");
        }
        try {
            Path directory = Files.createTempDirectory("vcsim");
            Process process = launch(directory, listen, password, flags);
            Path url = directory.resolve("url");
            Vcsim vcsim = new Vcsim(process, directory, URI.create(read(url).strip()), client(directory.resolve("ca.pem")), password,
                    List.copyOf(flags));
            vcsim.login();
            return vcsim;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the program in {@code directory}; returns once it listens and has written its URL there. */
    private static Process launch(Path directory, String listen, String password, List<String> flags) throws IOException {
        Path url = directory.resolve("url");
        Files.deleteIfExists(url);
        List<String> command = new ArrayList<>(List.of(BINARY.toAbsolutePath().toString(), "-listen", listen,
                "-url-file", url.toString(), "-cert-file", directory.resolve("ca.pem").toString(),
                "-key-file", directory.resolve("key.pem").toString(), "-username", USERNAME, "-password", password, "-stdinexit"));
        command.addAll(flags);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("vcsim.log").toFile())).start();
        // it writes its URL once it listens
        TestSupport.poll(Duration.ofSeconds(30), () -> Files.exists(url) || !process.isAlive(), Boolean::booleanValue);
        if (!Files.exists(url)) {
            process.destroyForcibly();
            throw new IllegalStateException("vcsim did not start: " + read(directory.resolve("vcsim.log")));
        }
        return process;
    }

    private static HttpClient client(Path ca) throws IOException {
        return HttpClient.newBuilder().sslContext(trusting(ca)).cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private void login() {
        call("<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>" + USERNAME
                + "</userName><password>" + escape(password) + "</password></Login>");
    }

    /**
     * Kills the simulator ({@code kill -9}: every connection cut, no answer finished) and starts it again on the same
     * address and port, with the same certificate and flags: a vCenter restarted, every session gone, and its inventory
     * as at start (every host out of maintenance mode).
     */
    public void restart() {
        if (process == null) {
            throw new IllegalStateException("not started by the tests");
        }
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            // URI.getHost keeps an IPv6 address in brackets, as -listen wants it
            process = launch(directory, sdk.getHost() + ":" + sdk.getPort(), password, flags);
            client = client(caCertificatePem());
            login();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A client of a simulator another process started, e.g. jbang/demo; {@link #close} leaves it running. */
    public static Vcsim connect(URI sdk, Path caCertificatePem, String password) {
        try {
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(caCertificatePem)).cookieHandler(new CookieManager())
                    .connectTimeout(Duration.ofSeconds(5)).build();
            Vcsim vcsim = new Vcsim(null, caCertificatePem.getParent(), sdk, client, password, List.of());
            vcsim.login();
            return vcsim;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SDK URL, {@code https://<loopback address>:<port>/sdk}, by default {@code https://127.0.0.1:<port>/sdk}. */
    public URI sdk() {
        return sdk;
    }

    /** The SDK URL with another name of the loopback host ({@code localhost}): two simulators, two vCenter hosts. */
    public URI sdk(String host) {
        return URI.create(sdk.getScheme() + "://" + host + ":" + sdk.getPort() + sdk.getPath());
    }

    /** The PEM of the simulator's certificate, its own CA. */
    public Path caCertificatePem() {
        return directory.resolve("ca.pem");
    }

    public String instanceUuid() {
        return text(serviceContent(), "instanceUuid");
    }

    private Element serviceContent() {
        return call("<RetrieveServiceContent xmlns=\"urn:vim25\"><_this type=\"ServiceInstance\">ServiceInstance</_this>"
                + "</RetrieveServiceContent>");
    }

    /** Every host, by one container view over the inventory. */
    public List<Host> hosts() {
        Element content = serviceContent();
        Element view = call("<CreateContainerView xmlns=\"urn:vim25\"><_this type=\"ViewManager\">" + text(content, "viewManager")
                + "</_this><container type=\"Folder\">" + text(content, "rootFolder") + "</container><type>HostSystem</type>"
                + "<recursive>true</recursive></CreateContainerView>");
        Element answer = call("<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                + text(content, "propertyCollector") + "</_this>"
                + "<specSet><propSet><type>HostSystem</type><pathSet>name</pathSet></propSet><objectSet><obj type=\"ContainerView\">"
                + view.getTextContent() + "</obj><skip>true</skip><selectSet xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xsi:type=\"TraversalSpec\"><name>view</name><type>ContainerView</type><path>view</path><skip>false</skip>"
                + "</selectSet></objectSet></specSet><options></options></RetrievePropertiesEx>");
        List<Host> hosts = new ArrayList<>();
        NodeList objects = answer.getElementsByTagNameNS("*", "objects");
        for (int i = 0; i < objects.getLength(); i++) {
            Element object = (Element) objects.item(i);
            hosts.add(new Host(text(object, "val"), text(object, "obj")));
        }
        return hosts;
    }

    /** Runs vCenter's EnterMaintenanceMode_Task on the host, which posts Entering and Entered events. */
    public void enterMaintenanceMode(Host host) {
        call("<EnterMaintenanceMode_Task xmlns=\"urn:vim25\"><_this type=\"HostSystem\">" + host.moref() + "</_this>"
                + "<timeout>0</timeout></EnterMaintenanceMode_Task>");
    }

    public void exitMaintenanceMode(Host host) {
        call("<ExitMaintenanceMode_Task xmlns=\"urn:vim25\"><_this type=\"HostSystem\">" + host.moref() + "</_this>"
                + "<timeout>0</timeout></ExitMaintenanceMode_Task>");
    }

    /**
     * With {@code -hold-enter-tasks}: starts vCenter's EnterMaintenanceMode_Task and returns its moref while it runs.
     * EnteringMaintenanceModeEvent is posted, the task is in the host's {@code recentTask}, and the host is not yet in
     * maintenance mode until {@link #finishTask} or {@link #cancelTask} ends the task. Without the flag the task has
     * already ended (as {@link #enterMaintenanceMode}).
     */
    public String enterMaintenanceModeHeld(Host host) {
        return call("<EnterMaintenanceMode_Task xmlns=\"urn:vim25\"><_this type=\"HostSystem\">" + host.moref() + "</_this>"
                + "<timeout>0</timeout></EnterMaintenanceMode_Task>").getTextContent().strip();
    }

    /**
     * Ends a held task by vSphere's SetTaskState: success puts the host into maintenance mode and posts
     * EnteredMaintenanceModeEvent; failure ends it in state error and leaves the host out.
     */
    public void finishTask(String task, boolean success) {
        call("<SetTaskState xmlns=\"urn:vim25\"><_this type=\"Task\">" + escape(task) + "</_this><state>"
                + (success ? "success" : "error") + "</state></SetTaskState>");
    }

    /** Cancels a held task: state error with RequestCanceled, the host stays out of maintenance mode. */
    public void cancelTask(String task) {
        call("<CancelTask xmlns=\"urn:vim25\"><_this type=\"Task\">" + escape(task) + "</_this></CancelTask>");
    }

    /** The task's {@code info.state}: queued, running, success or error. */
    public String taskState(String task) {
        Element answer = call("<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                + text(serviceContent(), "propertyCollector") + "</_this><specSet><propSet><type>Task</type>"
                + "<pathSet>info.state</pathSet></propSet><objectSet><obj type=\"Task\">" + escape(task)
                + "</obj></objectSet></specSet><options></options></RetrievePropertiesEx>");
        return text(answer, "val");
    }

    /**
     * The keys of the sessions other clients hold now, from the SessionManager's {@code sessionList}: the simulator
     * sends each key as the value of the client's {@code vmware_soap_session} cookie.
     */
    public List<String> otherSessionKeys() {
        Element answer = call("<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                + text(serviceContent(), "propertyCollector") + "</_this><specSet><propSet><type>SessionManager</type>"
                + "<pathSet>sessionList</pathSet><pathSet>currentSession</pathSet></propSet><objectSet>"
                + "<obj type=\"SessionManager\">SessionManager</obj></objectSet></specSet><options></options></RetrievePropertiesEx>");
        String own = null;
        List<String> keys = new ArrayList<>();
        NodeList properties = answer.getElementsByTagNameNS("*", "propSet");
        for (int i = 0; i < properties.getLength(); i++) {
            Element property = (Element) properties.item(i);
            NodeList values = property.getElementsByTagNameNS("*", "key");
            for (int j = 0; j < values.getLength(); j++) {
                String key = values.item(j).getTextContent().strip();
                if ("currentSession".equals(text(property, "name"))) {
                    own = key;
                } else {
                    keys.add(key);
                }
            }
        }
        keys.remove(own);
        return keys;
    }

    /** The host's {@code runtime.inMaintenanceMode}. */
    public boolean inMaintenanceMode(Host host) {
        Element answer = call("<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">"
                + text(serviceContent(), "propertyCollector") + "</_this><specSet><propSet><type>HostSystem</type>"
                + "<pathSet>runtime.inMaintenanceMode</pathSet></propSet><objectSet><obj type=\"HostSystem\">" + escape(host.moref())
                + "</obj></objectSet></specSet><options></options></RetrievePropertiesEx>");
        return Boolean.parseBoolean(text(answer, "val"));
    }

    @Override
    public void close() {
        if (process == null) {
            return; // not ours
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            OperatorPod.deleteRecursively(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The first element in the answer's body; a SOAP fault fails the test with its text. */
    private Element call(String request) {
        String envelope = "<soapenv:Envelope xmlns:soapenv=\"" + SOAP + "\"><soapenv:Body>" + request + "</soapenv:Body></soapenv:Envelope>";
        try {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(sdk).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "text/xml; charset=utf-8").header("SOAPAction", "\"urn:vim25/6.5\"")
                    .POST(HttpRequest.BodyPublishers.ofString(envelope, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofByteArray());
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            Document answer = factory.newDocumentBuilder().parse(new ByteArrayInputStream(response.body()));
            Element body = (Element) answer.getElementsByTagNameNS(SOAP, "Body").item(0);
            Element first = (Element) body.getElementsByTagNameNS("*", "*").item(0);
            if ("Fault".equals(first.getLocalName())) {
                throw new IllegalStateException("vcsim answered a fault: " + first.getTextContent());
            }
            NodeList returnval = first.getElementsByTagNameNS("*", "returnval");
            return returnval.getLength() > 0 ? (Element) returnval.item(0) : first;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(Element parent, String localName) {
        NodeList found = parent.getElementsByTagNameNS("*", localName);
        return found.getLength() == 0 ? null : found.item(0).getTextContent().strip();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** A TLS context that trusts only the certificates of this PEM file. */
    static SSLContext trusting(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("vcsim-" + index++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
