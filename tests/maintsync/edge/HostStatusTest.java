package maintsync.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import maintsync.sync.MaintenancePlan;
import maintsync.vrops.VropsClient;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The host page, without HTTP: its pages, a text table whose every line is one host whatever the hosts hold, and since
 * when each host is in maintenance, with its gauge.
 */
class HostStatusTest {

    private static final Instant EARLIER = Instant.parse("2026-12-01T08:00:00Z");
    private static final Instant NOW = Instant.parse("2026-12-04T09:30:00Z");
    private static final HostStatus.Since SEEN_ENTERING = new HostStatus.Since(EARLIER, false);
    private static final HostStatus.Since AFTER_A_START = new HostStatus.Since(EARLIER, true);

    static Stream<Arguments> sinceWhen() {
        return Stream.of(
                // state read before, since as known, state read now -> since
                Arguments.of(null, null, MaintenancePlan.VcenterState.IN_MAINTENANCE, new HostStatus.Since(NOW, true)),
                Arguments.of(MaintenancePlan.VcenterState.IN_SERVICE, null, MaintenancePlan.VcenterState.IN_MAINTENANCE, new HostStatus.Since(NOW, false)),
                Arguments.of(MaintenancePlan.VcenterState.ENTERING, null, MaintenancePlan.VcenterState.IN_MAINTENANCE, new HostStatus.Since(NOW, false)),
                // withheld before: whether it was out of maintenance nobody knows
                Arguments.of(MaintenancePlan.VcenterState.UNKNOWN, null, MaintenancePlan.VcenterState.IN_MAINTENANCE, new HostStatus.Since(NOW, true)),
                Arguments.of(MaintenancePlan.VcenterState.IN_MAINTENANCE, SEEN_ENTERING, MaintenancePlan.VcenterState.IN_MAINTENANCE, SEEN_ENTERING),
                Arguments.of(MaintenancePlan.VcenterState.IN_MAINTENANCE, AFTER_A_START, MaintenancePlan.VcenterState.IN_MAINTENANCE, AFTER_A_START),
                // withheld now: vCenter did not say the host left, so the time stays
                Arguments.of(MaintenancePlan.VcenterState.IN_MAINTENANCE, SEEN_ENTERING, MaintenancePlan.VcenterState.UNKNOWN, SEEN_ENTERING),
                Arguments.of(MaintenancePlan.VcenterState.UNKNOWN, SEEN_ENTERING, MaintenancePlan.VcenterState.IN_MAINTENANCE, SEEN_ENTERING),
                Arguments.of(MaintenancePlan.VcenterState.IN_SERVICE, null, MaintenancePlan.VcenterState.UNKNOWN, null),
                Arguments.of(MaintenancePlan.VcenterState.IN_MAINTENANCE, SEEN_ENTERING, MaintenancePlan.VcenterState.IN_SERVICE, null),
                // entering is not in maintenance yet
                Arguments.of(MaintenancePlan.VcenterState.IN_SERVICE, null, MaintenancePlan.VcenterState.ENTERING, null),
                Arguments.of(null, null, MaintenancePlan.VcenterState.IN_SERVICE, null));
    }

    @ParameterizedTest
    @MethodSource
    void sinceWhen(MaintenancePlan.VcenterState before, HostStatus.Since known, MaintenancePlan.VcenterState now, HostStatus.Since expected) {
        assertThat(HostStatus.since(before, known, now, NOW)).isEqualTo(expected);
    }

    @Test
    void aHostInMaintenanceHasAGaugeOfSinceWhenThatEndsWhenItLeavesOrIsGone() throws Exception {
        CamelContext context = new DefaultCamelContext();
        MeterRegistry registry = new SimpleMeterRegistry();
        context.getComponent("micrometer", MicrometerComponent.class).setMetricsRegistry(registry);
        HostStatus status = HostStatus.served(context);
        status.read("lab", "esx01", "host-21", MaintenancePlan.VcenterState.IN_SERVICE, MaintenancePlan.VropsState.NOT_MAINTAINED, 1);
        status.read("lab", "esx02", "host-22", MaintenancePlan.VcenterState.IN_MAINTENANCE, MaintenancePlan.VropsState.MAINTAINED, 1);
        status.passed("lab", 1, "ok", 5, 2, 0, null);
        Instant firstRead = Instant.parse(host(status, "host-22").path("inMaintenanceSince").asText());

        assertThat(since(registry, "esx01")).isNull();
        assertThat(since(registry, "esx02").value()).isEqualTo(firstRead.getEpochSecond());
        assertThat(host(status, "host-22").path("inMaintenanceBeforeFirstRead").asBoolean()).isTrue();
        assertThat(host(status, "host-21").has("inMaintenanceSince")).isFalse();

        status.read("lab", "esx01", "host-21", MaintenancePlan.VcenterState.IN_MAINTENANCE, MaintenancePlan.VropsState.MAINTAINED, 2);
        status.read("lab", "esx02", "host-22", MaintenancePlan.VcenterState.IN_MAINTENANCE, MaintenancePlan.VropsState.MAINTAINED, 2);
        status.passed("lab", 2, "ok", 5, 2, 0, null);

        Instant seenEntering = Instant.parse(host(status, "host-21").path("inMaintenanceSince").asText());
        assertThat(seenEntering).isAfterOrEqualTo(firstRead);
        assertThat(host(status, "host-21").path("inMaintenanceBeforeFirstRead").asBoolean()).isFalse();
        assertThat(since(registry, "esx01").value()).isEqualTo(seenEntering.getEpochSecond());
        assertThat(since(registry, "esx02").value()).isEqualTo(firstRead.getEpochSecond());
        assertThat(status.page(0, 10, true).lines().toList())
                .anySatisfy(line -> assertThat(line).matches("lab +esx01 +host-21 +in_maintenance +" + seenEntering.truncatedTo(ChronoUnit.SECONDS)
                        + " +maintained .*"))
                .anySatisfy(line -> assertThat(line).matches("lab +esx02 +host-22 +in_maintenance +" + firstRead.truncatedTo(ChronoUnit.SECONDS)
                        + " or earlier +maintained .*"))
                .anySatisfy(line -> assertThat(line).startsWith("or earlier: in maintenance already when first read"));

        // an event that read vCenter: host-21 back in service; host-22 gone from the vCenter at the next pass
        status.evented("lab", new VropsClient.Host("vcsa", "host-21", "esx01"), "exit", 7L, "applied",
                MaintenancePlan.VcenterState.IN_SERVICE, MaintenancePlan.VropsState.NOT_MAINTAINED);
        status.read("lab", "esx01", "host-21", MaintenancePlan.VcenterState.IN_SERVICE, MaintenancePlan.VropsState.NOT_MAINTAINED, 3);
        status.passed("lab", 3, "ok", 5, 1, 0, null);

        assertThat(registry.find("vcenter.maintenance.host.maintenance.since").gauges()).isEmpty();
        assertThat(status.page(0, 10, true)).doesNotContain("or earlier");
    }

    @Test
    void everyColumnOfTheTextTableIsEscaped() throws Exception {
        HostStatus status = HostStatus.served(new DefaultCamelContext());
        status.read("vc\r\u001b[2Klab\nvcsa09 forged", "esx01\u2028row", "host-21\nlab  esx66  host-66", MaintenancePlan.VcenterState.IN_SERVICE,
                MaintenancePlan.VropsState.NOT_MAINTAINED, 1);
        status.passed("lab\nforged", 1, "ok", 5, 1, 0, null);

        String table = status.page(0, 10, true);

        assertThat(table.lines()).hasSize(4).noneMatch(line -> line.contains("\u001b") || line.contains("\r") || line.contains("\u2028"));
        assertThat(table.lines().toList().get(1)).startsWith("vc\\r\\u001b[2Klab\\nvcsa09 forged  esx01\\u2028row  host-21\\nlab  esx66  host-66  ");
        assertThat(table.lines().toList().get(3)).startsWith("vCenter lab\\nforged: last pass ok at ");
    }

    @Test
    void aPageBeyondTheLastIsEmptyHoweverFar() throws Exception {
        HostStatus status = HostStatus.served(new DefaultCamelContext());
        status.read("lab", "esx01", "host-21", MaintenancePlan.VcenterState.IN_SERVICE, MaintenancePlan.VropsState.NOT_MAINTAINED, 1);

        String page = status.page(Integer.MAX_VALUE, 10000, false);

        assertThat(new ObjectMapper().readTree(page).path("hosts")).isEmpty();
        assertThat(new ObjectMapper().readTree(page).at("/pageInfo/totalCount").asInt()).isEqualTo(1);
    }

    private static Gauge since(MeterRegistry registry, String host) {
        return registry.find("vcenter.maintenance.host.maintenance.since").tags("vcenter", "lab", "host", host).gauge();
    }

    private static JsonNode host(HostStatus status, String moref) throws Exception {
        for (JsonNode host : new ObjectMapper().readTree(status.page(0, 10, false)).path("hosts")) {
            if (host.path("moref").asText().equals(moref)) {
                return host;
            }
        }
        throw new AssertionError("no host " + moref);
    }
}
