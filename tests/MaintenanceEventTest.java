import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** What the integration reads from a CloudEvent, and the reasons it gives for one it cannot use. */
class MaintenanceEventTest {

    private static final String ENTERED = "{\"Key\": 7301, \"CreatedTime\": \"2026-12-01T10:00:00Z\", "
            + "\"Host\": {\"Name\": \"esx01.lab.local\", \"Host\": {\"Type\": \"HostSystem\", \"Value\": \"host-21\"}}}";

    @Test
    void theHostTheActionAndThePositionAreReadOnce() {
        MaintenanceEvent event = read(ENTERED, MaintenanceEvent.ENTERED_TYPE, null, "https://VCSA01.lab.local:443/sdk");

        assertThat(event.host()).isEqualTo(new VropsSession.Host("vcsa01.lab.local", "host-21", "esx01.lab.local"));
        assertThat(event.enter()).isTrue();
        assertThat(event.position()).hasToString("Key 7301");
        assertThat(event.hostKey()).isEqualTo("vcsa01.lab.local|host-21");
    }

    @Test
    void theEventRouterNamesTheClassInTheSubject() {
        assertThat(read(ENTERED, "com.vmware.event.router/event", MaintenanceEvent.EXIT_CLASS, "https://vcsa01/sdk").action())
                .isEqualTo("exit");
    }

    @Test
    void anUnusableEventIsRejectedWithTheReason() {
        assertThatThrownBy(() -> read("{", MaintenanceEvent.ENTERED_TYPE, null, "s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("event data is not a vCenter event in JSON");
        assertThatThrownBy(() -> read("[1]", MaintenanceEvent.ENTERED_TYPE, null, "s"))
                .hasMessage("event data is not a vCenter event in JSON");
        assertThatThrownBy(() -> read("{\"Host\": {\"Name\": \" \"}}", MaintenanceEvent.ENTERED_TYPE, null, "s"))
                .hasMessage("event data has no Host.Name");
        assertThatThrownBy(() -> read(ENTERED, "com.vmware.vsphere.VmPoweredOnEvent.v0", null, "s"))
                .hasMessage("event type com.vmware.vsphere.VmPoweredOnEvent.v0 is not a maintenance mode event");
    }

    @Test
    void withoutKeyAndTimeTheEventHasNoPosition() {
        assertThat(read("{\"Host\": {\"Name\": \"esx\"}}", MaintenanceEvent.EXIT_TYPE, null, "s").position()).isNull();
    }

    private static MaintenanceEvent read(String data, String type, String subject, String source) {
        return MaintenanceEvent.read(data.getBytes(StandardCharsets.UTF_8), type, subject, source);
    }
}
