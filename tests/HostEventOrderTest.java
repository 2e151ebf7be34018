import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Per host, only an event newer than the last one applied is applied; a skipped or failed one is not "applied". */
class HostEventOrderTest {

    private final HostEventOrder order = new HostEventOrder();
    private final AtomicInteger runs = new AtomicInteger();

    @Test
    void anOlderOrEqualKeyIsStaleOrDuplicate() throws Exception {
        assertThat(apply(event("host-21", 20L, null), "applied").name()).isEqualTo("applied");

        assertThat(apply(event("host-21", 20L, null), "applied").name()).isEqualTo("duplicate");
        assertThat(apply(event("host-21", 19L, null), "applied").name()).isEqualTo("stale");
        assertThat(apply(event("host-22", 5L, null), "applied").name()).isEqualTo("applied");
        assertThat(runs).hasValue(2);
    }

    @Test
    void withoutKeysCreatedTimeOrders() throws Exception {
        apply(event("host-21", null, "2026-12-01T10:00:00Z"), "applied");

        assertThat(apply(event("host-21", null, "2026-12-01T09:59:59Z"), "applied").name()).isEqualTo("stale");
        assertThat(apply(event("host-21", null, "2026-12-01T10:00:01Z"), "applied").name()).isEqualTo("applied");
    }

    @Test
    void aSkippedEventDoesNotCountAsAppliedSoItsRedeliveryRunsAgain() throws Exception {
        apply(event("host-21", 20L, null), "skipped");

        assertThat(apply(event("host-21", 20L, null), "applied").name()).isEqualTo("applied");
        assertThat(runs).hasValue(2);
    }

    @Test
    void anEventWithNeitherKeyNorTimeIsAppliedAsItComes() throws Exception {
        apply(event("host-21", 20L, null), "applied");

        assertThat(apply(event("host-21", null, null), "applied").name()).isEqualTo("applied");
    }

    private MaintenanceEvent.Outcome apply(MaintenanceEvent event, String outcome) throws Exception {
        return order.inOrder(event, () -> {
            runs.incrementAndGet();
            return outcome.equals("applied") ? MaintenanceEvent.Outcome.applied("id")
                    : MaintenanceEvent.Outcome.skipped(outcome, "test");
        });
    }

    private static MaintenanceEvent event(String moref, Long key, String created) {
        MaintenanceEvent.Position position = key == null && created == null ? null
                : new MaintenanceEvent.Position(key, created == null ? null : Instant.parse(created));
        return new MaintenanceEvent(null, new VropsSession.Host("vcsa01.lab.local", moref, "esx"), true, position);
    }
}
