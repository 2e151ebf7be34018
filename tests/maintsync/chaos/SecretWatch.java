package maintsync.chaos;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import maintsync.LogCapture;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;

/**
 * Checks each log line as it is written for the vROps password and the tokens vROps has issued so far, so that a long
 * run keeps no log in memory. Nothing slips through: a line can hold a token only once the integration has received
 * it, and the simulator records every answer before sending it.
 */
final class SecretWatch implements Consumer<String> {

    /** The secrets known after {@code tokenRequests} token requests. */
    private record Known(long tokenRequests, List<String> secrets) {
    }

    private final String password;
    private final VropsSimulator vrops;
    private final LongAdder lines = new LongAdder();
    private final Queue<String> leaks = new ConcurrentLinkedQueue<>();
    private volatile Known known = new Known(-1, List.of());

    SecretWatch(String password, VropsSimulator vrops) {
        this.password = password;
        this.vrops = vrops;
    }

    @Override
    public void accept(String line) {
        lines.increment();
        if (secrets().stream().anyMatch(line::contains)) {
            leaks.add(line);
        }
    }

    long lines() {
        return lines.sum();
    }

    List<String> leaks() {
        return List.copyOf(leaks);
    }

    /** The password and the halves of every token issued so far. */
    List<String> secrets() {
        long tokenRequests = vrops.count(Operation.ACQUIRE_TOKEN);
        Known current = known;
        if (current.tokenRequests() != tokenRequests) {
            // read the requests only when a token may have been issued: a handful of times per run
            current = new Known(tokenRequests, LogCapture.secrets(password, vrops.requests()));
            known = current;
        }
        return current.secrets();
    }
}
