package maintsync.vrops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.TestSupport;
import org.junit.jupiter.api.Test;

/** The session's decisions, without HTTP: one token for all, one renewal on 401, exact hosts, remembered ids. */
class VropsSessionTest {

    private static final VropsSession.Host ESX1 = new VropsSession.Host("vcsa01.lab.local", "host-10", "esx1.lab.local");
    private static final String UUID = "5f1a0f0e-6a5b-4a43-9c1e-0a1b2c3d4e01";

    /** A vROps of lists: tokens handed out in order, lookup answers as given, every call recorded. */
    private static final class FakeCalls implements VropsSession.Calls {
        final AtomicInteger acquired = new AtomicInteger();
        final List<String> released = new ArrayList<>();
        final List<Map<String, Object>> lookups = new ArrayList<>();
        String answer = "{\"resourceList\": []}";
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
        public synchronized String lookUpHost(String token, String event, Map<String, Object> identifiers) {
            lookups.add(identifiers);
            return answer;
        }
    }

    private final FakeCalls calls = new FakeCalls();

    @Test
    void concurrentCallersShareOneAcquisition() throws Exception {
        VropsSession session = new VropsSession(calls, Map.of());
        calls.acquiring = new CountDownLatch(1);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(8, work -> {
            Thread thread = new Thread(work);
            threads.add(thread);
            return thread;
        });
        try {
            List<Future<String>> tokens = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                tokens.add(callers.submit(() -> session.withToken(token -> token)));
            }
            // one caller waits for vROps's token, the seven others for that one
            TestSupport.await(Duration.ofSeconds(5), () -> threads.size() == 8 && threads.stream().allMatch(thread ->
                    EnumSet.of(Thread.State.BLOCKED, Thread.State.WAITING, Thread.State.TIMED_WAITING).contains(thread.getState())),
                    "eight callers waiting for a token");
            calls.acquiring.countDown();
            for (Future<String> token : tokens) {
                assertThat(token.get(5, TimeUnit.SECONDS)).isEqualTo("token-1");
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(calls.acquired).hasValue(1);
    }

    @Test
    void aRejectedTokenIsRenewedOnceAndASecondRejectionIsTheCallersFailure() throws Exception {
        VropsSession session = new VropsSession(calls, Map.of());
        List<String> used = new ArrayList<>();

        String result = session.withToken(token -> {
            used.add(token);
            if (token.equals("token-1")) {
                throw new VropsCalls.TokenRejected("expired");
            }
            return "done";
        });

        assertThat(result).isEqualTo("done");
        assertThat(used).containsExactly("token-1", "token-2");
        assertThatThrownBy(() -> session.withToken(token -> {
            throw new VropsCalls.TokenRejected("refused");
        })).isInstanceOf(VropsCalls.TokenRejected.class);
        assertThat(calls.acquired).hasValue(3);
    }

    @Test
    void releasingGivesTheTokenBackOnceAndNoCallAcquiresAnotherAfterIt() throws Exception {
        VropsSession session = new VropsSession(calls, Map.of());
        session.withToken(token -> token);

        session.release();
        session.release();

        assertThat(calls.released).containsExactly("token-1");
        // a readiness check or a reconcile pass still running while the integration stops opens no new session
        assertThatThrownBy(() -> session.withToken(token -> token)).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("stopping");
        assertThat(calls.acquired).hasValue(1);
    }

    @Test
    void byNameOnlyTheExactNameMatchesAndTheIdIsRemembered() throws Exception {
        VropsSession session = new VropsSession(calls, Map.of());
        calls.answer = answer(resource("id-1", "esx1.lab.local", "host-10", UUID), resource("id-10", "esx10.lab.local", "host-11", UUID),
                resource("id-b", "esx1.lab.local-backup", "host-12", UUID));

        assertThat(session.resource(ESX1, () -> "{}")).isEqualTo(new VropsSession.Resource("id-1", false, null));
        assertThat(session.remembers(ESX1)).isTrue();
        assertThat(session.resource(ESX1, () -> "{}")).isEqualTo(new VropsSession.Resource("id-1", true, null));
        assertThat(calls.lookups).containsExactly(Map.of());
    }

    @Test
    void withTheVcenterUuidTheIdentifiersDecideAmongHostsOfTheSameName() throws Exception {
        VropsSession session = new VropsSession(calls, Map.of("vcsa01.lab.local", UUID));
        calls.answer = answer(resource("id-other", "esx1.lab.local", "host-10", "another-uuid"), resource("id-1", "esx1.lab.local", "host-10", UUID));

        assertThat(session.resource(ESX1, () -> "{}").id()).isEqualTo("id-1");
        assertThat(calls.lookups).containsExactly(Map.of("VropsHostMoref", "host-10", "VropsVcenterUuid", UUID));
    }

    @Test
    void noMatchOrSeveralMatchesAreSkippedWithTheReasonAndNothingIsRemembered() throws Exception {
        VropsSession session = new VropsSession(calls, Map.of());
        VropsSession.Resource none = session.resource(ESX1, () -> "{}");

        assertThat(none.found()).isFalse();
        assertThat(none.reason()).isEqualTo("vROps has no HostSystem esx1.lab.local (host-10)");
        calls.answer = answer(resource("id-1", "esx1.lab.local", null, null), resource("id-2", "esx1.lab.local", null, null));
        assertThat(session.resource(ESX1, () -> "{}").reason()).startsWith("the name esx1.lab.local matches several vROps HostSystems");
        assertThat(session.remembers(ESX1)).isFalse();
    }

    @Test
    void theIdsOfTheHostsUsedLastAreRemembered() {
        VropsSession session = new VropsSession(calls, Map.of());
        session.remember(ESX1, "id-1");
        for (int i = 0; i < VropsSession.MAX_RESOURCE_IDS; i++) {
            session.remember(new VropsSession.Host("vcsa01.lab.local", "host-" + i, "forged" + i), "id-" + i);
            if (i == VropsSession.MAX_RESOURCE_IDS / 2) {
                assertThat(session.remembered(ESX1)).isEqualTo("id-1");
            }
        }

        assertThat(session.remembered(ESX1)).isEqualTo("id-1");
        assertThat(session.remembers(new VropsSession.Host("vcsa01.lab.local", "host-0", "forged0"))).isFalse();
        assertThat(session.remembered(new VropsSession.Host("vcsa01.lab.local", "host-1", "forged1"))).isEqualTo("id-1");
    }

    @Test
    void theUuidSettingIsReadLeniently() {
        assertThat(VropsSession.parseVcenterUuids(" VCSA01.lab.local = u1 ,broken, =u2,vcsa02.lab.local=u3"))
                .containsOnly(Map.entry("vcsa01.lab.local", "u1"), Map.entry("vcsa02.lab.local", "u3"));
        assertThat(VropsSession.parseVcenterUuids("")).isEmpty();
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
