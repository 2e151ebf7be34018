package maintsync;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

/** A Broker's ingress on loopback for dead letters: each one's headers, names in lower case, in the order they arrive. */
public final class DeadLetterInbox implements AutoCloseable {

    private final BlockingQueue<Map<String, String>> received = new LinkedBlockingQueue<>();
    private final HttpServer server;

    public DeadLetterInbox() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
            received.add(headers);
        });
        server.start();
    }

    /** Where {@code dead-letter.uri} points. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/dead-letters");
    }

    /** The headers of the next dead letter; fails when none comes within 30 s. */
    public Map<String, String> next() throws InterruptedException {
        Map<String, String> next = received.poll(30, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no dead letter within 30 s");
        }
        return next;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
