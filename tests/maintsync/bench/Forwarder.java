package maintsync.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import maintsync.VcenterEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The benchmark's baseline: the least a program can do to mirror a maintenance CloudEvent into vROps. It receives
 * binary-mode CloudEvents on {@code /events/<type>} (JDK HTTP server), acquires one token, looks each host up once by
 * its exact name and caches the id, then answers each event with one {@code PUT} or {@code DELETE} of
 * {@code /resources/{id}/maintained}. No ordering, retries, validation, metrics or logging: what the integration does
 * on top of this is what the benchmark's ratios price.
 * <p>
 * Settings from the environment, as the integration takes them: {@code VROPS_URL}, {@code VROPS_USERNAME},
 * {@code VROPS_PASSWORD}, {@code VROPS_TLS_CA_FILE}, and {@code FORWARDER_PORT}, {@code FORWARDER_THREADS} (default 64: like the integration's
 * pools, at least the Broker's delivery concurrency).
 */
public final class Forwarder {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final URI api;
    private final String username;
    private final String password;
    private final Map<String, String> ids = new ConcurrentHashMap<>();
    private volatile String token;

    private Forwarder(URI vrops, String username, String password, SSLContext tls) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(3)).build();
        this.api = URI.create(vrops + "/suite-api/api/");
        this.username = username;
        this.password = password;
    }

    public static void main(String[] args) throws Exception {
        Forwarder forwarder = new Forwarder(URI.create(System.getenv("VROPS_URL")),
                System.getenv("VROPS_USERNAME"), System.getenv("VROPS_PASSWORD"), trusting(Path.of(System.getenv("VROPS_TLS_CA_FILE"))));
        int port = Integer.parseInt(System.getenv("FORWARDER_PORT"));
        int threads = Integer.parseInt(System.getenv().getOrDefault("FORWARDER_THREADS", "64"));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.createContext("/events/", forwarder::handle);
        server.start();
    }

    /** TLS that trusts the vROps CA of the PEM file, as the integration's {@code vrops.tls.ca-file} does. */
    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            int n = 0;
            for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + n++, ca);
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return tls;
    }

    private void handle(HttpExchange exchange) throws IOException {
        int status;
        try (InputStream in = exchange.getRequestBody()) {
            String type = exchange.getRequestHeaders().getFirst("ce-type");
            String method = VcenterEvent.ENTERED_TYPE.equals(type) ? "PUT" : VcenterEvent.EXIT_TYPE.equals(type) ? "DELETE" : null;
            JsonNode host = JSON.readTree(in).path("Host");
            if (method == null || !host.isObject()) {
                status = 400;
            } else {
                String id = ids.computeIfAbsent(host.path("Name").asText(), this::lookup);
                status = id == null ? 204 : maintain(method, id);
            }
        } catch (IOException | RuntimeException failure) {
            status = 503;
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private int maintain(String method, String id) throws IOException {
        HttpResponse<Void> response = call(HttpRequest.newBuilder(api.resolve("resources/" + id + "/maintained"))
                .method(method, HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding());
        return response.statusCode() / 100 == 2 ? 204 : 503;
    }

    /** The id of the HostSystem with exactly this name; vROps matches names partially. */
    private String lookup(String name) {
        try {
            HttpResponse<String> response = call(HttpRequest.newBuilder(api.resolve(
                    "resources?resourceKind=HostSystem&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8))).GET(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode resource : JSON.readTree(response.body()).path("resourceList")) {
                if (name.equals(resource.path("resourceKey").path("name").asText())) {
                    return resource.path("identifier").asText();
                }
            }
            return null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> HttpResponse<T> call(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return client.send(request.header("Accept", "application/json")
                    .header("Authorization", "vRealizeOpsToken " + token()).build(), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** One token for every event, acquired by the first; the benchmark never lets it expire. */
    private String token() throws IOException, InterruptedException {
        String current = token;
        if (current == null) {
            synchronized (this) {
                if (token == null) {
                    String credentials = JSON.createObjectNode().put("username", username).put("password", password)
                            .put("authSource", "LOCAL").toString();
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(api.resolve("auth/token/acquire"))
                            .header("Content-Type", "application/json").header("Accept", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(credentials)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    token = JSON.readTree(response.body()).path("token").asText();
                }
                current = token;
            }
        }
        return current;
    }
}
