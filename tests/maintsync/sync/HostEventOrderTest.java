package maintsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import maintsync.vrops.VropsClient;
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

    @Test
    void aHostIsNotKeptOnceItsEventIsDoneUnlessItsOrderIs() throws Exception {
        for (int i = 0; i < 1000; i++) {
            order.oneAtATime(event("host-" + i, (long) i, null), () -> MaintenanceEvent.Outcome.applied("id"));
            apply(event("skipped-" + i, (long) i, null), "skipped");
        }

        assertThat(held()).isZero();
    }

    @Test
    void theOrderOfTheHostsWhoseEventsCameLastIsKept() throws Exception {
        apply(event("host-0", 20L, null), "applied");
        for (int i = 1; i <= HostEventOrder.MAX_REMEMBERED; i++) {
            apply(event("host-" + i, 20L, null), "applied");
        }

        assertThat(held()).isEqualTo(HostEventOrder.MAX_REMEMBERED);
        assertThat(apply(event("host-" + HostEventOrder.MAX_REMEMBERED, 19L, null), "applied").name()).isEqualTo("stale");
        // the host with the oldest event was dropped: as after a restart, its next event is applied
        assertThat(apply(event("host-0", 19L, null), "applied").name()).isEqualTo("applied");
    }

    /** How many hosts the order holds: its memory, read where it is kept. */
    private int held() throws Exception {
        Field hosts = HostEventOrder.class.getDeclaredField("hosts");
        hosts.setAccessible(true);
        return ((Map<?, ?>) hosts.get(order)).size();
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
        return new MaintenanceEvent(null, new VropsClient.Host("vcsa01.lab.local", moref, "esx"), true, position);
    }
}
