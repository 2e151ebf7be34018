package maintsync.vrops;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The project's vROps (Aria / VCF Operations) test double: a real HTTP(S) server on loopback that
 * serves the suite-api calls maintsync makes, with the behaviour the contract in
 * docs/vrops-contract.md gives, plus {@link Knobs} for what the vendor leaves
 * undocumented and {@link Faults} for failures.
 *
 * <p>Paths are served under {@code /suite-api}, so clients use {@code baseUri() + "/suite-api"}.
 * Besides the API there is {@code GET /_simulator/resources}, a JSON listing of the hosts with their
 * ids and states for demos; it needs no token and is neither faulted nor recorded.
 *
 * <p>Run standalone with {@link #main}.
 */
public final class VropsSimulator implements AutoCloseable {

    public static final String TRUST_STORE_PASSWORD = "changeit";

    /** Enough workers that 128 concurrent requests never queue, even with latency injected. */
    private static final int WORKERS = 128;
    private static final String LOOPBACK = "127.0.0.1";
    private static final String CA_PEM = "ca.pem";
    private static final String TRUST_STORE = "truststore.p12";

    private final HttpServer server;
    private final ExecutorService workers;
    private final URI baseUri;
    private final Path tlsDirectory;
    private final Faults faults = new Faults();
    private final Knobs knobs = new Knobs();
    private final RequestLog log = new RequestLog();
    private final HostRegistry hosts;
    private final TokenStore tokens;

    private VropsSimulator(Builder builder) throws IOException {
        hosts = new HostRegistry(builder.inventory, builder.clock, knobs);
        tokens = new TokenStore(builder.clock);
        SuiteApi api = new SuiteApi(builder.inventory, hosts, tokens, knobs, builder.clock, builder.maxPageSize);

        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(LOOPBACK), builder.port);
        if (builder.https) {
            TlsMaterial tls = TlsMaterial.generate(LOOPBACK);
            tlsDirectory = Files.createTempDirectory("vrops-simulator-");
            tls.writeCaPem(tlsDirectory.resolve(CA_PEM));
            tls.writeTrustStore(tlsDirectory.resolve(TRUST_STORE), TRUST_STORE_PASSWORD.toCharArray());
            // For simulators nobody closes; deleteOnExit works in reverse order, so the directory goes last.
            for (Path path : List.of(tlsDirectory, tlsDirectory.resolve(CA_PEM), tlsDirectory.resolve(TRUST_STORE))) {
                path.toFile().deleteOnExit();
            }
            HttpsServer https = HttpsServer.create(address, WORKERS * 2);
            https.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
            server = https;
        } else {
            tlsDirectory = null;
            server = HttpServer.create(address, WORKERS * 2);
        }
        workers = Executors.newFixedThreadPool(WORKERS, daemonThreads());
        server.setExecutor(workers);
        server.createContext("/", new SimulatorHandler(api, hosts, faults, log));
        server.start();
        String scheme = builder.https ? "https" : "http";
        baseUri = URI.create(scheme + "://" + LOOPBACK + ":" + server.getAddress().getPort());
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Inventory inventory;
        private boolean https = true;
        private int port;
        private Clock clock = Clock.systemUTC();
        private int maxPageSize = 1000;

        private Builder() {
        }

        public Builder inventory(Inventory inventory) {
            this.inventory = Objects.requireNonNull(inventory);
            return this;
        }

        public Builder https(boolean https) {
            this.https = https;
            return this;
        }

        /** 0, the default, picks a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Drives token expiry and timed maintenance, so tests can jump hours ahead. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** The most resources one page returns, whatever {@code pageSize} a client asks for. */
        public Builder maxPageSize(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPageSize must be positive: " + max);
            }
            this.maxPageSize = max;
            return this;
        }

        public VropsSimulator start() {
            if (inventory == null) {
                inventory = Inventory.defaults();
            }
            try {
                return new VropsSimulator(this);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start the vROps simulator", e);
            }
        }
    }

    /** Scheme, loopback address and port, without {@code /suite-api}. */
    public URI baseUri() {
        return baseUri;
    }

    /** The CA that signed the server certificate, as PEM. */
    public Path caCertificatePem() {
        return tlsFile(CA_PEM);
    }

    /** A PKCS12 trust store holding only that CA, protected by {@link #TRUST_STORE_PASSWORD}. */
    public Path trustStorePkcs12() {
        return tlsFile(TRUST_STORE);
    }

    public Faults faults() {
        return faults;
    }

    public Knobs knobs() {
        return knobs;
    }

    /** The id of the HostSystem resource for a host of a vCenter in the inventory. */
    public String resourceId(String vcenterUuid, String moref) {
        String id = HostResource.idFor(vcenterUuid, moref);
        if (hosts.find(id).isEmpty()) {
            throw new IllegalArgumentException("No host " + moref + " on vCenter " + vcenterUuid + " in the inventory");
        }
        return id;
    }

    /** The resource's state now, without the visibility delay reads are subject to. */
    public String resourceState(String resourceId) {
        return hosts.find(resourceId)
                .map(hosts::actualState)
                .orElseThrow(() -> new IllegalArgumentException("No resource " + resourceId));
    }

    /** Whether vROps knows the host: one it does not is in no answer, as before vROps first collected it. */
    public void known(String resourceId, boolean known) {
        hosts.known(resourceId, known);
    }

    /** Puts the host into manual maintenance, as an operator does by hand in the vROps UI. */
    public void markManually(String resourceId) {
        hosts.mark(List.of(hosts.find(resourceId).orElseThrow(() -> new IllegalArgumentException("No known resource " + resourceId))), 0, 0);
    }

    /** Requests received for an operation, failed, faulted and dropped ones included. */
    public long count(Operation op) {
        return log.count(op);
    }

    /** Every suite-api (and stray) request, in the order the simulator answered them. */
    public List<RecordedRequest> requests() {
        return log.snapshot();
    }

    /** Forgets the recorded requests and resets the counts. */
    public void clearRequests() {
        log.clear();
    }

    /** Invalidates every issued token, as an appliance restart would. */
    public void expireAllTokens() {
        tokens.expireAll();
    }

    /** Tokens issued and neither released nor expired. */
    public int activeTokens() {
        return tokens.active();
    }

    @Override
    public void close() {
        if (workers.isShutdown()) {
            return;
        }
        server.stop(0);
        workers.shutdownNow();
        if (tlsDirectory != null) {
            for (String file : List.of(CA_PEM, TRUST_STORE)) {
                tlsDirectory.resolve(file).toFile().delete();
            }
            tlsDirectory.toFile().delete();
        }
    }

    private Path tlsFile(String name) {
        if (tlsDirectory == null) {
            throw new IllegalStateException("The simulator serves plain HTTP; there is no certificate");
        }
        return tlsDirectory.resolve(name);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger number = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "vrops-simulator-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Runs the simulator until the process is stopped. Options: {@code --port N} (default: a free
     * port), {@code --http}, {@code --inventory FILE}, {@code --more-hosts FILE} (vCenters and hosts added to the
     * inventory, without users), {@code --latency-ms N}, {@code --url-file FILE}
     * (receives the base URL, without {@code /suite-api}, once listening) and {@code --ca-file FILE}
     * (receives the CA certificate as PEM).
     */
    public static void main(String... args) throws Exception {
        Builder builder = builder();
        Duration latency = Duration.ZERO;
        Path urlFile = null;
        Path caFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> builder.port(Integer.parseInt(value(args, ++i)));
                case "--http" -> builder.https(false);
                case "--inventory" -> builder.inventory(Inventory.load(Path.of(value(args, ++i))));
                case "--more-hosts" -> {
                    // vCenters and hosts only, added to the inventory: its users (and passwords) stay out of the file
                    Inventory more = Inventory.load(Path.of(value(args, ++i)));
                    Inventory base = builder.inventory != null ? builder.inventory : Inventory.defaults();
                    builder.inventory(new Inventory(base.users(), concat(base.vcenters(), more.vcenters()), concat(base.hosts(), more.hosts())));
                }
                case "--latency-ms" -> latency = Duration.ofMillis(Long.parseLong(value(args, ++i)));
                case "--url-file" -> urlFile = Path.of(value(args, ++i));
                case "--ca-file" -> caFile = Path.of(value(args, ++i));
                default -> throw new IllegalArgumentException("Unknown option " + args[i]
                        + "; use --port N, --http, --inventory FILE, --more-hosts FILE, --latency-ms N, --url-file FILE, --ca-file FILE");
            }
        }
        if (caFile != null && !builder.https) {
            throw new IllegalArgumentException("--ca-file needs HTTPS; drop --http");
        }
        VropsSimulator simulator = builder.start();
        simulator.faults().latency(latency);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }));
        if (caFile != null) {
            Files.copy(simulator.caCertificatePem(), caFile, StandardCopyOption.REPLACE_EXISTING);
        }
        if (urlFile != null) {
            // Written aside and moved, so a script polling for the file never reads half a URL.
            Path partial = Files.createTempFile(urlFile.toAbsolutePath().getParent(), ".url", ".tmp");
            Files.writeString(partial, simulator.baseUri() + System.lineSeparator(), StandardCharsets.UTF_8);
            Files.move(partial, urlFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.println("vROps simulator listening on " + simulator.baseUri() + Routes.SUITE_API);
        stopped.await();
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> both = new java.util.ArrayList<>(first);
        both.addAll(second == null ? List.of() : second);
        return both;
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException(args[index - 1] + " needs a value");
        }
        return args[index];
    }
}
