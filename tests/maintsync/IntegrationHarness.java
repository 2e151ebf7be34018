package maintsync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import maintsync.vrops.VropsSimulator;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.apache.camel.main.Main;

/**
 * The integration as a user runs it: {@code routes/VCenterMaintenanceRoute.java} loaded from source the way Camel K
 * and Camel JBang load it, the Kamelets from {@code kamelets/}, the settings from {@code application.properties} and
 * those of local runs ({@code jbang/application.properties}), a
 * real Knative HTTP consumer on a free loopback port, and vROps played by the {@link VropsSimulator} over HTTPS.
 */
public final class IntegrationHarness implements AutoCloseable {

    private final Main main = new Main();
    private final URI eventsUri;
    private final URI managementUri;
    private Path passwordFile;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private IntegrationHarness(Map<String, String> properties) throws Exception {
        int port = TestSupport.freePort();
        eventsUri = URI.create("http://127.0.0.1:" + port + "/");
        managementUri = eventsUri;
        main.setPropertyPlaceholderLocations("file:application.properties,file:jbang/application.properties");
        main.configure().withRoutesIncludePattern("file:routes/**/*.java");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("camel.component.kamelet.location", "file:kamelets");
        all.put("camel.server.port", Integer.toString(port));
        all.put("vrops.retry-delay-ms", "20");
        all.putAll(properties);
        // The password goes where the integration reads it: a file (mode 600), as a Secret mounted on Camel K.
        String password = all.remove("vrops.password");
        if (password != null) {
            passwordFile = passwordFile(password);
            all.put("vrops.password-file", passwordFile.toString());
        }
        all.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** A file readable by its owner only that holds the password and nothing else, deleted when the JVM exits. */
    public static Path passwordFile(String password) {
        try {
            Path file = Files.createTempFile("vrops-password", "",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            file.toFile().deleteOnExit();
            return Files.writeString(file, password, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the integration against the simulator with the simulator's administrator, trusting its CA. */
    public static IntegrationHarness against(VropsSimulator vrops, Map<String, String> properties) throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("vrops.url", vrops.baseUri().toString());
        all.put("vrops.username", "admin");
        all.put("vrops.password", "sim-admin-password");
        if (vrops.baseUri().getScheme().equals("https")) {
            all.put("vrops.tls.ca-file", vrops.caCertificatePem().toString());
        }
        all.putAll(properties);
        return new IntegrationHarness(all);
    }

    public static IntegrationHarness against(VropsSimulator vrops) throws Exception {
        return against(vrops, Map.of());
    }

    /** POSTs the event as a Broker would ({@link #request}). */
    public HttpResponse<String> send(VcenterEvent event) {
        return send(request(eventsUri, event));
    }

    public HttpResponse<String> send(HttpRequest request) {
        return send(client, request);
    }

    /**
     * The event in binary mode, as a Knative Broker delivers it, to the path its Trigger would use under {@code base}:
     * {@code /events/<type>} for the typed consumers, {@code /} for the Event Router endpoint (k8s/*-triggers.yaml).
     */
    public static HttpRequest request(URI base, VcenterEvent event) {
        String type = event.headers().getOrDefault("ce-type", "");
        URI target = type.startsWith("com.vmware.vsphere.") ? base.resolve("/events/" + type) : base;
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(event.body()));
        event.headers().forEach(request::header);
        return request.build();
    }

    public static HttpResponse<String> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until readiness answers 200, as a readiness probe would; the last answer if it never does. */
    public HttpResponse<String> awaitReady(Duration patience) {
        return TestSupport.poll(patience, () -> send(HttpRequest.newBuilder(managementUri.resolve("observe/health/ready")).GET().build()),
                ready -> ready.statusCode() == 200);
    }

    public URI eventsUri() {
        return eventsUri;
    }

    /** Where metrics and health are served. */
    public URI managementUri() {
        return managementUri;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /** The registry the integration's meters are in, as the metrics page shows them. */
    public MeterRegistry meters() {
        return context().getComponent("micrometer", MicrometerComponent.class).getMetricsRegistry();
    }

    @Override
    public void close() {
        if (!main.isStopped()) {
            main.stop();
        }
        if (passwordFile != null) {
            passwordFile.toFile().delete();
        }
    }
}
