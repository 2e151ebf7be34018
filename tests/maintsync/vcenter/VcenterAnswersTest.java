package maintsync.vcenter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import javax.net.ssl.SSLContext;

import maintsync.edge.CallLimits;
import maintsync.sync.MaintenancePlan;
import maintsync.vrops.TlsMaterial;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vCenter's answers read strictly: the object asked for by its id, nothing nested in an element the integration does
 * not know, a withheld property as unknown, never as "not in maintenance", a read of every host without hosts as a
 * failure; and vCenter's refusals (no permission, a certificate not trusted) as configuration errors rather than
 * something to retry. vCenter here is a crafted one of the test's own, on loopback over HTTPS.
 */
class VcenterAnswersTest {

    private static final String HOST = "host-21";

    @TempDir
    Path temp;
    private HttpsServer server;
    private TlsMaterial tls;
    /** The answer's Body content per SOAP method; the method element's name is the key. */
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() throws IOException {
        tls = TlsMaterial.generate("127.0.0.1");
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        server.createContext("/sdk", this::answer);
        server.start();
        answers.put("RetrieveServiceContent", "<RetrieveServiceContentResponse xmlns=\"urn:vim25\"><returnval>"
                + "<rootFolder type=\"Folder\">group-d1</rootFolder><propertyCollector type=\"PropertyCollector\">propertyCollector</propertyCollector>"
                + "<viewManager type=\"ViewManager\">ViewManager</viewManager><about><instanceUuid>0c5a7e2e-0000-4000-8000-000000000021</instanceUuid></about>"
                + "<sessionManager type=\"SessionManager\">SessionManager</sessionManager></returnval></RetrieveServiceContentResponse>");
        answers.put("Login", "<LoginResponse xmlns=\"urn:vim25\"><returnval><key>k</key><userName>reader</userName></returnval></LoginResponse>");
        answers.put("CreateContainerView", "<CreateContainerViewResponse xmlns=\"urn:vim25\"><returnval type=\"ContainerView\">view-1</returnval>"
                + "</CreateContainerViewResponse>");
        answers.put("DestroyView", "<DestroyViewResponse xmlns=\"urn:vim25\"></DestroyViewResponse>");
    }

    @AfterEach
    void stop() {
        server.stop(0);
        timer.shutdownNow();
    }

    @Test
    void onlyTheObjectAskedForCountsNotOneNestedInAnUnknownElement() throws IOException {
        retrieved("<extension><objects>" + host(HOST, "true") + "</objects></extension>"
                + "<objects>" + host("host-99", "true") + "</objects>"
                + "<objects>" + host(HOST, "false") + "</objects>");

        VcenterSoap.HostState read = soap().host(content(), HOST, false);

        assertThat(read.moref()).isEqualTo(HOST);
        assertThat(read.state()).isEqualTo(MaintenancePlan.VcenterState.IN_SERVICE);
    }

    @Test
    void anAnswerWithoutTheHostAskedForLeavesItUnknown() throws IOException {
        retrieved("<objects>" + host("host-99", "true") + "</objects>");

        assertThat(soap().host(content(), HOST, false).state()).isEqualTo(MaintenancePlan.VcenterState.UNKNOWN);
    }

    @Test
    void aWithheldPropertyIsUnknownNeverOutOfMaintenance() throws IOException {
        retrieved("<objects><obj type=\"HostSystem\">" + HOST + "</obj>" + name(HOST) + "<missingSet><path>runtime.inMaintenanceMode</path>"
                + "<fault><fault xmlns:XMLSchema-instance=\"http://www.w3.org/2001/XMLSchema-instance\" XMLSchema-instance:type=\"NoPermission\">"
                + "<privilegeId>System.Read</privilegeId></fault><localizedMessage>Permission denied</localizedMessage></fault></missingSet></objects>");

        VcenterSoap.HostState read = soap().host(content(), HOST, false);

        assertThat(read.state()).isEqualTo(MaintenancePlan.VcenterState.UNKNOWN);
        assertThat(read.withheld()).isEqualTo("NoPermission");
    }

    @Test
    void aValueThatIsNeitherTrueNorFalseIsUnknown() throws IOException {
        retrieved("<objects>" + host(HOST, "maybe") + "</objects>");

        assertThat(soap().host(content(), HOST, false).state()).isEqualTo(MaintenancePlan.VcenterState.UNKNOWN);
    }

    @Test
    void aReadOfEveryHostWithoutHostsIsAFailureNotAnEmptyVcenter() {
        answers.put("RetrievePropertiesEx", "<RetrievePropertiesExResponse xmlns=\"urn:vim25\"></RetrievePropertiesExResponse>");

        assertThatThrownBy(() -> soap().hosts(content(), 500, false)).isInstanceOf(IOException.class)
                .hasMessageContaining("answered no HostSystem");
    }

    @Test
    void noPermissionIsAConfigurationErrorNamingTheVcenterAndTheRole() throws Exception {
        fault("RetrievePropertiesEx", "NoPermission", "Permission to perform this operation was denied.");

        assertThatThrownBy(() -> vcenter(true).host(HOST)).isInstanceOf(Vcenters.Refused.class)
                .hasMessageContaining("vCenter lab refused user reader").hasMessageContaining("NoPermission")
                .hasMessageContaining("Read-only role");
    }

    @Test
    void anUntrustedCertificateIsAConfigurationErrorNamingTheSetting() throws Exception {
        retrieved("<objects>" + host(HOST, "true") + "</objects>");

        assertThatThrownBy(() -> vcenter(false).host(HOST)).isInstanceOf(Vcenters.Refused.class)
                .hasMessageContaining("vCenter lab").hasMessageContaining("set vcenter.lab.tls.ca-file");
    }

    @Test
    void aWithheldStateOfTheHostOfAnEventIsAConfigurationError() throws Exception {
        retrieved("<objects><obj type=\"HostSystem\">" + HOST + "</obj><missingSet><path>runtime.inMaintenanceMode</path>"
                + "<fault><fault xmlns:XMLSchema-instance=\"http://www.w3.org/2001/XMLSchema-instance\" XMLSchema-instance:type=\"NoPermission\">"
                + "</fault></fault></missingSet></objects>");

        assertThat(vcenter(true).host(HOST)).get().extracting(VcenterSoap.HostState::withheld).isEqualTo("NoPermission");
    }

    private Vcenters.Vcenter vcenter(boolean trusted) throws Exception {
        Path password = Files.writeString(temp.resolve("password"), "secret");
        Path ca = temp.resolve("ca.pem");
        tls.writeCaPem(ca);
        DefaultCamelContext context = new DefaultCamelContext();
        java.util.Properties settings = new java.util.Properties();
        settings.put("vcenter.names", "lab");
        settings.put("vcenter.lab.url", "https://127.0.0.1:" + server.getAddress().getPort() + "/sdk");
        settings.put("vcenter.lab.username", "reader");
        settings.put("vcenter.lab.password-file", password.toString());
        if (trusted) {
            settings.put("vcenter.lab.tls.ca-file", ca.toString());
        }
        context.getPropertiesComponent().setOverrideProperties(settings);
        return Vcenters.configure(context).of("127.0.0.1").orElseThrow();
    }

    private VcenterSoap soap() {
        try {
            SSLContext trust = SSLContext.getInstance("TLS");
            Path ca = temp.resolve("soap-ca.pem");
            tls.writeCaPem(ca);
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            try (InputStream pem = Files.newInputStream(ca)) {
                store.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(pem));
            }
            javax.net.ssl.TrustManagerFactory managers = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            managers.init(store);
            trust.init(null, managers.getTrustManagers(), null);
            return new VcenterSoap(URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/sdk"), trust, new DefaultHostnameVerifier(),
                    5000, new CallLimits("vCenter test", 1 << 20, "vcenter.max-answer-bytes", timer), (method, status) -> { });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static VcenterSoap.ServiceContent content() {
        return new VcenterSoap.ServiceContent("SessionManager", "propertyCollector", "ViewManager", "group-d1", "uuid");
    }

    private void retrieved(String objects) {
        answers.put("RetrievePropertiesEx", "<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval>" + objects
                + "</returnval></RetrievePropertiesExResponse>");
    }

    private void fault(String method, String type, String message) {
        statuses.put(method, 500);
        answers.put(method, "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>" + message + "</faultstring><detail>"
                + "<" + type + "Fault xmlns=\"urn:vim25\" xsi:type=\"" + type + "\"></" + type + "Fault></detail></soapenv:Fault>");
    }

    private static String host(String moref, String inMaintenance) {
        return "<obj type=\"HostSystem\">" + moref + "</obj>" + name(moref) + "<propSet><name>runtime.inMaintenanceMode</name>"
                + "<val xmlns:XMLSchema-instance=\"http://www.w3.org/2001/XMLSchema-instance\" XMLSchema-instance:type=\"xsd:boolean\">"
                + inMaintenance + "</val></propSet>";
    }

    private static String name(String moref) {
        return "<propSet><name>name</name><val>esx-" + moref + "</val></propSet>";
    }

    private void answer(HttpExchange exchange) throws IOException {
        String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher method = Pattern.compile("<soapenv:Body><(\\w+)").matcher(request);
        String name = method.find() ? method.group(1) : "";
        String body = answers.getOrDefault(name, "");
        byte[] envelope = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                + "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>" + body
                + "</soapenv:Body></soapenv:Envelope>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml; charset=utf-8");
        exchange.sendResponseHeaders(statuses.getOrDefault(name, 200), envelope.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(envelope);
        }
    }
}
