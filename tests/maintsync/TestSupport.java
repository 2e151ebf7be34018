package maintsync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What many tests need: a free port on the loopback address, and waiting for a condition instead of sleeping for a
 * fixed time, which is either too short on a busy machine or too long on an idle one.
 */
public final class TestSupport {

    /** Between two checks of a condition: short against the tests' waits, long enough not to busy a core. */
    private static final Duration CHECK_EVERY = Duration.ofMillis(20);

    private TestSupport() {
    }

    /** A port of 127.0.0.1 that nothing listens on now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback address", e);
        }
    }

    /** Waits until {@code condition} holds; fails naming {@code what} was awaited when it does not within {@code patience}. */
    public static void await(Duration patience, BooleanSupplier condition, String what) {
        if (!poll(patience, condition::getAsBoolean, Boolean::booleanValue)) {
            throw new AssertionError("not within " + patience + ": " + what);
        }
    }

    /**
     * Reads until {@code done} accepts what was read, or {@code patience} has passed; the last value read, for the
     * caller to assert on or to show.
     */
    public static <T> T poll(Duration patience, Supplier<T> read, Predicate<T> done) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            T value = read.get();
            if (done.test(value) || System.nanoTime() - deadline > 0) {
                return value;
            }
            try {
                Thread.sleep(CHECK_EVERY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            }
        }
    }
}
