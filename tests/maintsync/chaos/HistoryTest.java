package maintsync.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.VcenterEvent;
import maintsync.vrops.Inventory;
import org.junit.jupiter.api.Test;

/** The generated history is one vCenter could have written, in both source formats, and the same for the same seed. */
class HistoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Inventory inventory = Inventory.generated(2, 10);
    private final History history = History.generate(inventory, 500, 42);

    @Test
    void theSameSeedGivesTheSameHistory() {
        List<VcenterEvent> again = History.generate(inventory, 500, 42).cloudEvents();

        assertThat(again).hasSize(500);
        for (int index = 0; index < again.size(); index++) {
            assertThat(again.get(index).headers()).isEqualTo(history.cloudEvents().get(index).headers());
            assertThat(again.get(index).body()).isEqualTo(history.cloudEvents().get(index).body());
        }
    }

    @Test
    void everyHostStartsInServiceAndAlternatesAndItsLastEventTellsItsFinalState() {
        Map<Inventory.Host, Boolean> maintained = new HashMap<>();

        for (History.Entry entry : history.entries()) {
            assertThat(entry.entered()).as("event Key %d of %s", entry.key(), entry.host().name()).isNotEqualTo(maintained.getOrDefault(entry.host(), false));
            maintained.put(entry.host(), entry.entered());
        }

        inventory.hosts().forEach(host -> assertThat(history.maintainedAtEnd(host)).isEqualTo(maintained.getOrDefault(host, false)));
        assertThat(inventory.hosts()).anyMatch(history::maintainedAtEnd).anyMatch(host -> !history.maintainedAtEnd(host));
    }

    @Test
    void keysAndCreationTimesIncreaseStrictlyPerVcenterAndTheEventsSayWhatHappened() throws Exception {
        Map<String, Long> lastKey = new HashMap<>();
        Map<String, Instant> lastCreated = new HashMap<>();

        for (History.Entry entry : history.entries()) {
            JsonNode data = JSON.readTree(entry.cloudEvent().body());
            String vcenter = entry.host().vcenter();
            Instant created = Instant.parse(data.path("CreatedTime").asText());
            assertThat(data.path("Key").asLong()).isEqualTo(entry.key()).isGreaterThan(lastKey.getOrDefault(vcenter, 0L));
            assertThat(created).isAfter(lastCreated.getOrDefault(vcenter, Instant.EPOCH));
            assertThat(entry.cloudEvent().headers()).containsEntry("ce-source", "https://" + vcenter + "/sdk")
                    .containsEntry("ce-time", created.toString());
            assertThat(data.path("Host").path("Name").asText()).isEqualTo(entry.host().name());
            assertThat(data.path("Host").path("Host").path("Value").asText()).isEqualTo(entry.host().moref());
            assertThat(entry.cloudEvent().headers().getOrDefault("ce-subject", entry.cloudEvent().headers().get("ce-type")))
                    .contains(entry.entered() ? "Entered" : "Exit");
            lastKey.put(vcenter, entry.key());
            lastCreated.put(vcenter, created);
        }
    }

    @Test
    void bothSourceFormatsAreMixedEachWithItsOwnIds() {
        List<History.Entry> eventRouter = history.entries().stream()
                .filter(entry -> VcenterEvent.EVENT_ROUTER_TYPE.equals(entry.cloudEvent().headers().get("ce-type"))).toList();

        assertThat(eventRouter).hasSizeBetween(100, 250);
        assertThat(eventRouter).extracting(entry -> entry.cloudEvent().id()).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(UUID.fromString(id)).isNotNull());
        assertThat(history.entries()).filteredOn(entry -> !eventRouter.contains(entry))
                .allSatisfy(entry -> assertThat(entry.cloudEvent().id()).isEqualTo(Long.toString(entry.key())));
    }
}
