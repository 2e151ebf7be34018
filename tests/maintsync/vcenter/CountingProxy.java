package maintsync.vcenter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import maintsync.vrops.TlsMaterial;

/**
 * A loopback HTTPS proxy in front of a {@link Vcsim} that counts the SOAP requests it passes on, by method: what the
 * vCenter serves to the clients given {@link #sdk()} instead of the simulator's own. The integration's own metrics
 * count what it knows it calls; this counts what the vCenter sees, long polls included. Same loopback address as the
 * simulator, so that vROps's inventory, keyed by the vCenter's host, still matches.
 */
public final class CountingProxy implements SimulatedVcenter {

    /** The first element in the SOAP body names the method. */
    private static final Pattern METHOD = Pattern.compile("<(?:[\\w-]+:)?Body\\b[^>]*>\\s*<(?:[\\w-]+:)?([\\w-]+)");
    /** What the JDK's client sets itself or refuses to be given. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive");
    /** Above any maxWaitSeconds a watch would use, so that the proxy never cuts a long poll itself. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

    private final Vcsim target;
    private final HttpsServer server;
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private final HttpClient client;
    private final Path directory;
    private final URI sdk;
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

    private CountingProxy(Vcsim target) throws IOException {
        this.target = target;
        String address = target.sdk().getHost();
        directory = Files.createTempDirectory("counting-proxy-");
        TlsMaterial tls = TlsMaterial.generate(address);
        tls.writeCaPem(caCertificatePem());
        client = HttpClient.newBuilder().sslContext(Vcsim.trusting(target.caCertificatePem()))
                .connectTimeout(Duration.ofSeconds(5)).executor(workers).build();
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        // one thread per open request: a long poll must not hold up the others
        server.setExecutor(workers);
        server.createContext("/", this::forward);
        server.start();
        sdk = URI.create("https://" + address + ":" + server.getAddress().getPort() + target.sdk().getPath());
    }

    /** Starts counting in front of {@code target}; {@link #close} leaves the simulator running. */
    public static CountingProxy in(Vcsim target) {
        try {
            return new CountingProxy(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Matcher method = METHOD.matcher(new String(body, StandardCharsets.UTF_8));
            calls.computeIfAbsent(method.find() ? method.group(1) : "(not SOAP)", name -> new LongAdder()).increment();
            HttpRequest.Builder request = HttpRequest.newBuilder(target.sdk().resolve(exchange.getRequestURI().getRawPath()))
                    .timeout(REQUEST_TIMEOUT)
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase())) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            HttpResponse<byte[]> answer;
            try {
                answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            answer.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer.body());
            }
        }
    }

    /** The requests passed on so far, by SOAP method. */
    public Map<String, Long> calls() {
        Map<String, Long> counted = new TreeMap<>();
        calls.forEach((method, count) -> counted.put(method, count.sum()));
        return counted;
    }

    /** All requests passed on so far. */
    public long total() {
        return calls.values().stream().mapToLong(LongAdder::sum).sum();
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
        return target.instanceUuid();
    }

    @Override
    public List<Vcsim.Host> hosts() {
        return target.hosts();
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        try {
            Files.deleteIfExists(caCertificatePem());
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
