package maintsync.vrops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A suite-api client for the simulator's tests: JSON, token auth, and TLS trusting only the simulator's CA. */
final class SimulatorClient {

    static final String JSON = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient http;
    private final URI api;
    private String token;

    SimulatorClient(VropsSimulator simulator) {
        this(simulator.baseUri(), simulator.baseUri().getScheme().equals("https")
                ? trusting(simulator.trustStorePkcs12())
                : null);
    }

    SimulatorClient(URI baseUri, SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
        this.api = URI.create(baseUri + "/suite-api/api/");
    }

    static SSLContext trusting(Path trustStore) {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, VropsSimulator.TRUST_STORE_PASSWORD.toCharArray());
            return trusting(store);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static SSLContext trustingPem(Path caCertificate) {
        try (InputStream in = Files.newInputStream(caCertificate)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            return trusting(store);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext trusting(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** Acquires a token and uses it for every later call. */
    SimulatorClient login(String username, String password) throws IOException, InterruptedException {
        HttpResponse<String> response =
                acquire("{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Login as " + username + " failed with " + response.statusCode());
        }
        token = json(response).get("token").asText();
        return this;
    }

    String token() {
        return token;
    }

    HttpResponse<String> acquire(String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(api.resolve("auth/token/acquire"))
                .header("Accept", JSON)
                .header("Content-Type", JSON)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return send(request(pathAndQuery).GET());
    }

    HttpResponse<String> put(String pathAndQuery) throws IOException, InterruptedException {
        return send(request(pathAndQuery).PUT(HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<String> delete(String pathAndQuery) throws IOException, InterruptedException {
        return send(request(pathAndQuery).DELETE());
    }

    HttpResponse<String> post(String pathAndQuery) throws IOException, InterruptedException {
        return send(request(pathAndQuery).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** A request below {@code /suite-api/api/} with {@code Accept: application/json} and the token, if any. */
    HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(api.resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", JSON);
        if (token != null) {
            builder.header("Authorization", "vRealizeOpsToken " + token);
        }
        return builder;
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpClient http() {
        return http;
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return MAPPER.readTree(response.body());
    }
}
