package maintsync.jbang;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import maintsync.TestSupport;

/**
 * Prints the vROps state of one host of a running {@link maintsync.vrops.VropsSimulator}, e.g. {@code STARTED} or
 * {@code MAINTAINED_MANUAL}, as its {@code /_simulator/resources} listing has it; for {@code jbang/demo}, which
 * cannot speak HTTPS by itself.
 * <p>
 * Arguments: the simulator's base URL, the PEM file of its CA, the host name; with three more, {@code STATE SINCE_MS
 * SECONDS}, it reads until the host is in that state, for at most that many seconds, and prints the state and the
 * seconds since {@code SINCE_MS} (milliseconds since the epoch, when the demo changed vCenter), e.g.
 * {@code MAINTAINED within 0.84 s}; exit code 1 if the host did not get there.
 */
public final class HostState {

    private HostState() {
    }

    public static void main(String... args) throws Exception {
        if (args.length != 3 && args.length != 6) {
            System.err.println("Usage: HostState BASE_URL CA_PEM HOST_NAME [STATE SINCE_MS SECONDS]");
            System.exit(2);
        }
        HttpClient client = HttpClient.newBuilder()
                .sslContext(trusting(Path.of(args[1])))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        if (args.length == 3) {
            System.out.println(state(client, args[0], args[2]));
            return;
        }
        String expected = args[3];
        long since = Long.parseLong(args[4]);
        String state = TestSupport.poll(Duration.ofSeconds(Long.parseLong(args[5])), () -> state(client, args[0], args[2]), expected::equals);
        System.out.printf(Locale.ROOT, "%s within %.2f s%n", state, (System.currentTimeMillis() - since) / 1000.0);
        if (!expected.equals(state)) {
            System.exit(1);
        }
    }

    private static String state(HttpClient client, String baseUrl, String host) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/_simulator/resources"))
                .timeout(Duration.ofSeconds(10))
                .build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("The simulator answered HTTP " + response.statusCode());
            }
            for (JsonNode resource : new ObjectMapper().readTree(response.body())) {
                if (resource.path("name").asText().equals(host)) {
                    return resource.path("state").asText();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("The simulator has no host " + host);
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            store.setCertificateEntry("simulator-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
