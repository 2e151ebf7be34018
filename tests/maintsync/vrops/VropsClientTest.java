package maintsync.vrops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.TestSupport;
import maintsync.sync.MaintenancePlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client's decisions, without HTTP: one token for all, one renewal on 401, exact hosts, remembered ids, many holds
 * in one call, listings read to their last page.
 */
class VropsClientTest {

    private static final VropsClient.Host ESX1 = new VropsClient.Host("vcsa01.lab.local", "host-10", "esx1.lab.local");
    private static final String UUID = "5f1a0f0e-6a5b-4a43-9c1e-0a1b2c3d4e01";

    /** A vROps of lists: tokens handed out in order, lookup answers as given, every call recorded. */
    private static final class FakeCalls implements VropsClient.Calls {
        final AtomicInteger acquired = new AtomicInteger();
        final List<String> released = new ArrayList<>();
        final List<Map<String, Object>> lookups = new ArrayList<>();
        final List<String> lookedUpNames = new ArrayList<>();
        final List<String> checked = new CopyOnWriteArrayList<>();
        final List<String> held = new ArrayList<>();
        final List<String> pages = new ArrayList<>();
        final List<List<String>> unmarkCalls = new ArrayList<>();
        final List<String> unmarked = new ArrayList<>();
        String answer = "{\"resourceList\": []}";
        Predicate<String> refuses = token -> false;
        Set<String> unknown = Set.of();
        CountDownLatch acquiring;

        @Override
        public String acquireToken() throws Exception {
            if (acquiring != null) {
                acquiring.await(5, TimeUnit.SECONDS);
            }
            return "token-" + acquired.incrementAndGet();
        }

        @Override
        public void releaseToken(String token) {
            released.add(token);
        }

        @Override
        public void checkToken(String token) {
            checked.add(token);
            if (refuses.test(token)) {
                throw new VropsCalls.TokenRejected("refused");
            }
        }

        @Override
        public synchronized String lookUpHost(String token, String hostName, Map<String, Object> identifiers) {
            lookups.add(identifiers);
            lookedUpNames.add(hostName);
            return answer;
        }

        @Override
        public String hosts(String token, int page, boolean maintainedOnly) {
            return pages.get(page);
        }

        @Override
        public void setMaintenance(String token, String resourceId, boolean enter, boolean held) {
            if (unknown.contains(resourceId)) {
                throw new VropsCalls.UnknownResource("404");
            }
            (enter ? this.held : unmarked).add(resourceId);
        }

        @Override
        public void holdMaintained(String token, List<String> resourceIds) {
            if (resourceIds.stream().anyMatch(unknown::contains)) {
                throw new VropsCalls.UnknownResource("404");
            }
            held.addAll(resourceIds);
        }

        @Override
        public void unmarkMaintained(String token, List<String> resourceIds) {
            unmarkCalls.add(List.copyOf(resourceIds));
            if (resourceIds.stream().anyMatch(unknown::contains)) {
                throw new VropsCalls.UnknownResource("404");
            }
            unmarked.addAll(resourceIds);
        }
    }

    private final FakeCalls calls = new FakeCalls();

    @Test
    void concurrentCallersShareOneAcquisition() throws Exception {
        VropsClient session = new VropsClient(calls, Map.of());
        calls.acquiring = new CountDownLatch(1);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(8, work -> {
            Thread thread = new Thread(work);
            threads.add(thread);
            return thread;
        });
        try {
            List<Future<?>> checks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                checks.add(callers.submit(() -> {
                    session.checkToken();
                    return null;
                }));
            }
            // one caller waits for vROps's token, the seven others for that one
            TestSupport.await(Duration.ofSeconds(5), () -> threads.size() == 8 && threads.stream().allMatch(thread ->
                    EnumSet.of(Thread.State.BLOCKED, Thread.State.WAITING, Thread.State.TIMED_WAITING).contains(thread.getState())),
                    "eight callers waiting for a token");
            calls.acquiring.countDown();
            for (Future<?> check : checks) {
                check.get(5, TimeUnit.SECONDS);
            }
            assertThat(calls.checked).hasSize(8).containsOnly("token-1");
        } finally {
            callers.shutdownNow();
        }
        assertThat(calls.acquired).hasValue(1);
    }

    @Test
    void aRejectedTokenIsRenewedOnceAndASecondRejectionIsTheCallersFailure() throws Exception {
        VropsClient session = new VropsClient(calls, Map.of());
        calls.refuses = token -> token.equals("token-1");

        session.checkToken();

        assertThat(calls.checked).containsExactly("token-1", "token-2");
        calls.refuses = token -> true;
        assertThatThrownBy(session::checkToken).isInstanceOf(VropsCalls.TokenRejected.class);
        assertThat(calls.acquired).hasValue(3);
    }

    @Test
    void releasingGivesTheTokenBackOnceAndNoCallAcquiresAnotherAfterIt() throws Exception {
        VropsClient session = new VropsClient(calls, Map.of());
        session.checkToken();

        session.release();
        session.release();

        assertThat(calls.released).containsExactly("token-1");
        // a readiness check or a reconcile pass still running while the integration stops opens no new session
        assertThatThrownBy(session::checkToken).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("stopping");
        assertThat(calls.acquired).hasValue(1);
    }

    @Test
    void byNameOnlyTheExactNameMatchesAndTheIdIsRemembered() throws Exception {
        VropsClient session = new VropsClient(calls, Map.of());
        calls.answer = answer(resource("id-1", "esx1.lab.local", "host-10", UUID), resource("id-10", "esx10.lab.local", "host-11", UUID),
                resource("id-b", "esx1.lab.local-backup", "host-12", UUID));

        assertThat(session.resource(ESX1)).isEqualTo(new VropsClient.Resource("id-1", false, null));
        assertThat(session.remembers(ESX1)).isTrue();
        assertThat(session.resource(ESX1)).isEqualTo(new VropsClient.Resource("id-1", true, null));
        assertThat(calls.lookups).containsExactly(Map.of());
        assertThat(calls.lookedUpNames).containsExactly("esx1.lab.local");
    }

    @Test
    void withTheVcenterUuidTheIdentifiersDecideAmongHostsOfTheSameName() throws Exception {
        VropsClient session = new VropsClient(calls, Map.of("vcsa01.lab.local", UUID));
        calls.answer = answer(resource("id-other", "esx1.lab.local", "host-10", "another-uuid"), resource("id-1", "esx1.lab.local", "host-10", UUID));

        assertThat(session.resource(ESX1).id()).isEqualTo("id-1");
        assertThat(calls.lookups).containsExactly(Map.of("VropsHostMoref", "host-10", "VropsVcenterUuid", UUID));
    }

    @Test
    void noMatchOrSeveralMatchesAreSkippedWithTheReasonAndNothingIsRemembered() throws Exception {
        VropsClient session = new VropsClient(calls, Map.of());
        VropsClient.Resource none = session.resource(ESX1);

        assertThat(none.found()).isFalse();
        assertThat(none.reason()).isEqualTo("vROps has no HostSystem esx1.lab.local (host-10)");
        calls.answer = answer(resource("id-1", "esx1.lab.local", null, null), resource("id-2", "esx1.lab.local", null, null));
        assertThat(session.resource(ESX1).reason()).startsWith("the name esx1.lab.local matches several vROps HostSystems");
        assertThat(session.remembers(ESX1)).isFalse();
    }

    @Test
    void theIdsOfTheHostsUsedLastAreRemembered() {
        VropsClient session = new VropsClient(calls, Map.of());
        session.remember(ESX1, "id-1");
        for (int i = 0; i < VropsClient.MAX_RESOURCE_IDS; i++) {
            session.remember(new VropsClient.Host("vcsa01.lab.local", "host-" + i, "forged" + i), "id-" + i);
            if (i == VropsClient.MAX_RESOURCE_IDS / 2) {
                assertThat(session.remembered(ESX1)).isEqualTo("id-1");
            }
        }

        assertThat(session.remembered(ESX1)).isEqualTo("id-1");
        assertThat(session.remembers(new VropsClient.Host("vcsa01.lab.local", "host-0", "forged0"))).isFalse();
        assertThat(session.remembered(new VropsClient.Host("vcsa01.lab.local", "host-1", "forged1"))).isEqualTo("id-1");
    }

    @Test
    void manyAreHeldInOneCallAndOneVropsNoLongerKnowsLeavesOnlyItOut() throws Exception {
        VropsClient client = new VropsClient(calls, Map.of());
        client.hold(List.of("id-1", "id-2"));
        assertThat(calls.held).containsExactly("id-1", "id-2");

        calls.held.clear();
        calls.unknown = Set.of("id-gone");
        client.hold(List.of("id-1", "id-gone", "id-3"));
        assertThat(calls.held).containsExactly("id-1", "id-3");
        assertThat(client.unmark("id-gone")).isFalse();
        assertThat(client.mark("id-1")).isTrue();
    }

    @Test
    void manyAreUnmarkedAHundredPerCallAndOneVropsNoLongerKnowsLeavesOnlyItOut() throws Exception {
        VropsClient client = new VropsClient(calls, Map.of());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            ids.add("id-" + i);
        }
        client.unmark(ids);
        assertThat(calls.unmarkCalls).extracting(List::size).containsExactly(100, 100, 50);
        assertThat(calls.unmarked).isEqualTo(ids);

        calls.unmarkCalls.clear();
        calls.unmarked.clear();
        calls.unknown = Set.of("id-gone");
        client.unmark(List.of("id-1", "id-gone", "id-3"));
        assertThat(calls.unmarkCalls).containsExactly(List.of("id-1", "id-gone", "id-3"));
        assertThat(calls.unmarked).containsExactly("id-1", "id-3");
        assertThat(calls.held).isEmpty();
    }

    @Test
    void aListingReadsEveryPageAndKeepsTheHostsOfTheVcenter() throws Exception {
        VropsClient client = new VropsClient(calls, Map.of());
        calls.pages.add(page(3, resource("id-1", "esx1.lab.local", "host-10", UUID), resource("id-x", "esx9.lab.local", "host-10", "another-uuid")));
        calls.pages.add(page(3, resource("id-2", "esx2.lab.local", "host-11", UUID)));
        List<String> checks = new ArrayList<>();

        assertThat(client.hosts(UUID.toUpperCase(java.util.Locale.ROOT), () -> checks.add("page")))
                .containsExactly(new VropsClient.Listed("id-1", "host-10", MaintenancePlan.VropsState.UNKNOWN),
                        new VropsClient.Listed("id-2", "host-11", MaintenancePlan.VropsState.UNKNOWN));
        assertThat(checks).hasSize(2);
    }

    /** An answer read whole is bounded by its tokens too: whatever its shape, its tree stays small. */
    @Test
    void anAnswerOfTooManyTokensOrNoJsonFailsAsVropsUnavailableNamingTheCall() throws Exception {
        String withinLimit = "[" + "0,".repeat((int) VropsClient.MAX_TOKENS - 3) + "0]";
        assertThat(VropsClient.read(withinLimit, "page 0 of the hosts").size()).isEqualTo(VropsClient.MAX_TOKENS - 2);

        assertThatThrownBy(() -> VropsClient.read("[" + "{},".repeat((int) VropsClient.MAX_TOKENS / 2) + "{}]", "page 0 of the hosts"))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageStartingWith("vROps's answer to page 0 of the hosts cannot be read as JSON: Token count (200001) exceeds the maximum allowed");
        assertThatThrownBy(() -> VropsClient.read("<html><body>502 Bad Gateway</body></html>", "the lookup of host esx01.lab.local"))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageStartingWith("vROps's answer to the lookup of host esx01.lab.local cannot be read as JSON: Unexpected character ('<'");
    }

    @Test
    void theUuidSettingIsReadAsPairs() {
        assertThat(VropsClient.parseVcenterUuids(" VCSA01.lab.local = u1 ,,vcsa02.lab.local=u3,"))
                .containsOnly(Map.entry("vcsa01.lab.local", "u1"), Map.entry("vcsa02.lab.local", "u3"));
        assertThat(VropsClient.parseVcenterUuids("")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vcsa01.lab.local=u1,broken", "=u2", "vcsa01.lab.local=", "vcsa01.lab.local:u1", " = "})
    void anyOtherPairStopsTheStartByName(String setting) {
        assertThatThrownBy(() -> VropsClient.parseVcenterUuids(setting))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("vrops.vcenter-uuids: \"")
                .hasMessageEndingWith("\" is refused: <vcenter-host>=<instance-uuid> pairs, separated by commas, are expected");
    }

    private static String page(int totalCount, String... resources) {
        return "{\"resourceList\": [" + String.join(",", resources) + "], \"pageInfo\": {\"totalCount\": " + totalCount + "}}";
    }

    private static String answer(String... resources) {
        return "{\"resourceList\": [" + String.join(",", resources) + "]}";
    }

    private static String resource(String id, String name, String moref, String uuid) {
        StringBuilder identifiers = new StringBuilder();
        if (moref != null) {
            identifiers.append("{\"identifierType\": {\"name\": \"VMEntityObjectID\"}, \"value\": \"").append(moref).append("\"},")
                    .append("{\"identifierType\": {\"name\": \"VMEntityVCID\"}, \"value\": \"").append(uuid).append("\"}");
        }
        String json = "{\"identifier\": \"" + id + "\", \"resourceKey\": {\"name\": \"" + name + "\", \"resourceIdentifiers\": [" + identifiers + "]}}";
        try {
            return new ObjectMapper().readTree(json).toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
