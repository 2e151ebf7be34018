package maintsync.monitoring;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import maintsync.TestSupport;

/**
 * A TCP forwarder on a loopback port that can be unplugged: then connections are refused and those open are cut, as
 * when the appliance behind it stops; plugged in again on the same port, it forwards again. TLS passes through.
 */
final class Cable implements AutoCloseable {

    private final int port;
    private final InetSocketAddress target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    private Cable(int port, InetSocketAddress target) {
        this.port = port;
        this.target = target;
    }

    static Cable to(String host, int port) {
        Cable cable = new Cable(TestSupport.freePort(), new InetSocketAddress(host, port));
        cable.plugIn();
        return cable;
    }

    int port() {
        return port;
    }

    synchronized void plugIn() {
        try {
            ServerSocket listening = new ServerSocket();
            listening.setReuseAddress(true);
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            server = listening;
            Thread accepting = new Thread(() -> accept(listening), "cable-" + port);
            accepting.setDaemon(true);
            accepting.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void unplug() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closed is what we want
        }
        open.forEach(Cable::closeQuietly);
        open.clear();
    }

    @Override
    public void close() {
        unplug();
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                open.add(client);
                open.add(upstream);
                pipe(client, upstream);
                pipe(upstream, client);
            } catch (IOException closedOrRefused) {
                // unplugged, or the target refused: the client sees its connection end
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread copying = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException cut) {
                // one side is gone
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "cable-pipe");
        copying.setDaemon(true);
        copying.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
