package maintsync;

import static maintsync.VcenterEvent.VCSA01_UUID;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import maintsync.vrops.Inventory;
import maintsync.vrops.Operation;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every password works as it is: each of the corpus starts the integration, gets a token from the simulator (which
 * compares the password exactly) and has a host marked and unmarked, and no log line at TRACE, no answer, no health
 * or metrics page shows it. Camel's placeholders would have broken those with {@code {{}, {@code }}} or a backslash
 * near the end ({@link CamelPlaceholdersAlterPasswordsTest}); the password never goes through them.
 */
class AnyPasswordWorksTest {

    static final List<String> PASSWORDS = List.of(
            "Brace{{Only-pw",
            "p@ss{{word}}",
            "close}}first",
            "${env:HOME}-and-${body}",
            "dollar$sign$",
            "100%-percent%20encoded",
            "amp&ersand=equals?query#hash",
            "back\\slash-at-the-end\\",
            "ends-with-backslash-x\\x",
            "quote\"s and 'single' quotes",
            "  spaces around and inside  ",
            "Grüße-パスワード-пароль-🔑",
            "tab\there, comma, semicolon; colon: slash/ pipe|",
            "x".repeat(100) + "{{y}}" + "\\".repeat(5) + "z".repeat(90));

    private static VropsSimulator vrops;
    private static final List<String> LINES = Collections.synchronizedList(new ArrayList<>());
    private static LogCapture capture;

    static List<Integer> corpus() {
        return IntStream.range(0, PASSWORDS.size()).boxed().toList();
    }

    @BeforeAll
    static void startVrops() {
        Inventory defaults = Inventory.defaults();
        List<Inventory.User> users = new ArrayList<>(defaults.users());
        for (int i = 0; i < PASSWORDS.size(); i++) {
            users.add(new Inventory.User("corpus-" + i, PASSWORDS.get(i), null, false));
        }
        vrops = VropsSimulator.builder().inventory(new Inventory(users, defaults.vcenters(), defaults.hosts())).start();
        capture = LogCapture.everythingAtTrace(LINES::add);
    }

    @AfterAll
    static void stopVrops() {
        capture.close();
        vrops.close();
    }

    @ParameterizedTest(name = "password {0}")
    @MethodSource("corpus")
    void thePasswordGetsATokenAndAppearsNowhere(int index) throws Exception {
        String password = PASSWORDS.get(index);
        assertThat(password.length()).isLessThanOrEqualTo(200);
        String host = vrops.resourceId(VCSA01_UUID, "host-21");
        long tokensBefore = vrops.count(Operation.ACQUIRE_TOKEN);
        List<String> shown = new ArrayList<>();
        LINES.clear();

        try (IntegrationHarness integration = IntegrationHarness.against(vrops,
                Map.of("vrops.username", "corpus-" + index, "vrops.password", password))) {
            var entered = integration.send(VcenterEvent.entered("esx01.lab.local", "host-21"));
            assertThat(entered.statusCode()).as(entered.body()).isEqualTo(204);
            assertThat(vrops.resourceState(host)).isEqualTo("MAINTAINED_MANUAL");
            var exited = integration.send(VcenterEvent.exited("esx01.lab.local", "host-21"));
            assertThat(exited.statusCode()).as(exited.body()).isEqualTo(204);
            assertThat(vrops.resourceState(host)).isEqualTo("STARTED");
            for (String page : List.of("observe/health", "observe/health/ready", "observe/metrics")) {
                shown.add(integration.send(HttpRequest.newBuilder(integration.managementUri().resolve(page))
                        .timeout(Duration.ofSeconds(10)).GET().build()).body());
            }
        }

        assertThat(vrops.count(Operation.ACQUIRE_TOKEN) - tokensBefore).isEqualTo(1);
        assertThat(LINES).hasSizeGreaterThan(100).noneMatch(line -> line.contains(password));
        assertThat(shown).noneMatch(text -> text.contains(password));
    }
}
