package maintsync.vrops;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Every request answered, in the order the answers were decided, with per-operation counts. */
final class RequestLog {

    private final List<RecordedRequest> requests = new ArrayList<>();
    private final Map<Operation, Long> counts = new EnumMap<>(Operation.class);

    synchronized void add(RecordedRequest request) {
        requests.add(request);
        counts.merge(request.operation(), 1L, Long::sum);
    }

    synchronized List<RecordedRequest> snapshot() {
        return List.copyOf(requests);
    }

    synchronized long count(Operation operation) {
        return counts.getOrDefault(operation, 0L);
    }

    synchronized void clear() {
        requests.clear();
        counts.clear();
    }
}
