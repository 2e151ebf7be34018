package maintsync.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.sync.MaintenancePlan;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The host page, without HTTP: its pages, and a text table whose every line is one host whatever the hosts hold. */
class HostStatusTest {

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
}
