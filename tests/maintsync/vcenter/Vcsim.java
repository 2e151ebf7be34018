package maintsync.vcenter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import maintsync.TestSupport;
import maintsync.edge.CallLimits;
import maintsync.k8s.OperatorPod;
import maintsync.sync.MaintenancePlan;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * VMware's vCenter simulator (govmomi's, from Debian) in the project's own program {@code tests/vcsim/main.go}, which
 * the build makes at {@code target/vcsim-peer}: a vCenter on a free loopback port, over HTTPS with a certificate of its
 * own, that posts the maintenance mode events a real vCenter posts. The test side reads it with the integration's own
 * vCenter client ({@link VcenterSoap}: login, instance UUID, hosts, a host's state) and drives it as an administrator
 * would with that client's SOAP calls: putting hosts into maintenance mode and taking them out, ending held tasks and
 * listing the other sessions, which the integration never does.
 */
public final class Vcsim implements SimulatedVcenter {

    public static final String USERNAME = "vcsim-reader";
    private static final Path BINARY = Path.of("target", "vcsim-peer");
    /** What one answer may hold, at most: far above any the tests read. */
    private static final long MAX_ANSWER_BYTES = 32L << 20;

    /** A host of the simulated inventory. */
    public record Host(String name, String moref) {
    }

    private volatile Process process;
    private final Path directory;
    private final URI sdk;
    private final String password;
    /** The flags it was started with, for {@link #restart}. */
    private final List<String> flags;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor();
    private volatile VcenterSoap soap;
    private volatile VcenterSoap.ServiceContent content;

    /** Logs in as {@link #USERNAME}, trusting the simulator's own CA ({@code caPem}) only. */
    private Vcsim(Process process, Path directory, URI sdk, Path caPem, String password, List<String> flags) throws IOException {
        this.process = process;
        this.directory = directory;
        this.sdk = sdk;
        this.password = password;
        this.flags = flags;
        login(caPem);
    }

    private void login(Path caPem) throws IOException {
        soap = new VcenterSoap(sdk, trusting(caPem), new DefaultHostnameVerifier(), 30_000,
                new CallLimits("vcsim", MAX_ANSWER_BYTES, "the tests' limit", deadlines), (method, status) -> { });
        content = soap.serviceContent();
        soap.login(content, USERNAME, password);
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
            return new Vcsim(process, directory, URI.create(read(directory.resolve("url")).strip()), directory.resolve("ca.pem"),
                    password, List.copyOf(flags));
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
            soap.close();
            // URI.getHost keeps an IPv6 address in brackets, as -listen wants it
            process = launch(directory, sdk.getHost() + ":" + sdk.getPort(), password, flags);
            login(caCertificatePem());
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
            return new Vcsim(null, caCertificatePem.getParent(), sdk, caCertificatePem, password, List.of());
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
        return content.instanceUuid();
    }

    /** Every host, as the integration reads them. */
    public List<Host> hosts() {
        try {
            return soap.hosts(content, 1000, false).stream().map(host -> new Host(host.name(), host.moref())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
                + content.propertyCollector() + "</_this><specSet><propSet><type>Task</type>"
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
                + content.propertyCollector() + "</_this><specSet><propSet><type>SessionManager</type>"
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

    /** The host's {@code runtime.inMaintenanceMode}, as the integration reads it. */
    public boolean inMaintenanceMode(Host host) {
        try {
            return soap.host(content, host.moref(), false).state() == MaintenancePlan.VcenterState.IN_MAINTENANCE;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        try {
            soap.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** A call of the integration's client that the integration itself never makes; a SOAP fault fails the test. */
    private Element call(String request) {
        try {
            return soap.call(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(Element parent, String localName) {
        NodeList found = parent.getElementsByTagNameNS("*", localName);
        return found.getLength() == 0 ? null : found.item(0).getTextContent().strip();
    }

    private static String escape(String text) {
        return VcenterSoap.xml(text);
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
