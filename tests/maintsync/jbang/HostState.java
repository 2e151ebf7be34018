package maintsync.jbang;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Prints the vROps state of one host of a running {@link maintsync.vrops.VropsSimulator}, e.g. {@code STARTED} or
 * {@code MAINTAINED_MANUAL}, as its {@code /_simulator/resources} listing has it; for {@code jbang/demo}, which
 * cannot speak HTTPS by itself.
 * <p>
 * Arguments: the simulator's base URL, the PEM file of its CA, the host name.
 */
public final class HostState {

    private HostState() {
    }

    public static void main(String... args) throws Exception {
        if (args.length != 3) {
            System.err.println("Usage: HostState BASE_URL CA_PEM HOST_NAME");
            System.exit(2);
        }
        HttpClient client = HttpClient.newBuilder()
                .sslContext(trusting(Path.of(args[1])))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0] + "/_simulator/resources"))
                .timeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("The simulator answered HTTP " + response.statusCode());
        }
        for (JsonNode resource : new ObjectMapper().readTree(response.body())) {
            if (resource.path("name").asText().equals(args[2])) {
                System.out.println(resource.path("state").asText());
                return;
            }
        }
        System.err.println("The simulator has no host " + args[2]);
        System.exit(1);
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
