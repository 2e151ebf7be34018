package maintsync.vrops;

import static maintsync.vrops.SimulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator against its contract (docs/vrops-contract.md). Every request a test
 * sends must be valid for the vendor's OpenAPI document unless the test says it breaks it on purpose,
 * and every answer must match the document; {@link #everyExchangeMatchesTheOpenApiDocument()} checks
 * both after each test.
 */
class VropsSimulatorTest {

    private static final String VCSA01 = "5f1a0f0e-6a5b-4a43-9c1e-0a1b2c3d4e01";
    private static final String VCSA02 = "5f1a0f0e-6a5b-4a43-9c1e-0a1b2c3d4e02";
    private static final String HOST_KIND = "adapterkinds/VMWARE/resourcekinds/HostSystem/resources";
    private static final Instant START = Instant.parse("2026-03-01T08:00:00Z");
    private static final VropsOpenApi OPEN_API = VropsOpenApi.load();

    private final MutableClock clock = new MutableClock(START);
    private final Set<RecordedRequest> invalidOnPurpose = new HashSet<>();
    private final Set<RecordedRequest> offSpec = new HashSet<>();
    private final List<VropsSimulator> simulators = new ArrayList<>();
    private VropsSimulator simulator;
    private SimulatorClient client;

    @BeforeEach
    void startSimulator() {
        simulator = start(VropsSimulator.builder().clock(clock));
        client = new SimulatorClient(simulator);
    }

    @AfterEach
    void everyExchangeMatchesTheOpenApiDocument() {
        try {
            for (VropsSimulator each : simulators) {
                List<RecordedRequest> onSpec = each.requests().stream().filter(r -> !offSpec.contains(r)).toList();
                OPEN_API.assertRequestsValid(onSpec.stream().filter(r -> !invalidOnPurpose.contains(r)).toList());
                OPEN_API.assertResponsesValid(onSpec);
            }
        } finally {
            simulators.forEach(VropsSimulator::close);
        }
    }

    // --- authentication -------------------------------------------------------------------------

    @Test
    void acquireIssuesATokenValidForSixHours() throws Exception {
        HttpResponse<String> response = client.acquire(
                "{\"username\":\"admin\",\"password\":\"sim-admin-password\",\"authSource\":\"local\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json;charset=UTF-8");
        JsonNode token = json(response);
        assertThat(token.get("token").asText()).matches("[0-9a-f-]{36}::[0-9a-f-]{36}");
        assertThat(token.get("validity").asLong()).isEqualTo(START.plus(Duration.ofHours(6)).toEpochMilli());
        assertThat(token.get("expiresAt").asText()).isEqualTo("Sunday, March 1, 2026 2:00:00 PM UTC");
        assertThat(token.get("roles")).isEmpty();
        assertThat(simulator.activeTokens()).isEqualTo(1);
    }

    @Test
    void ldapUserNamesItsAuthSourceInAnyCase() throws Exception {
        HttpResponse<String> response = client.acquire(
                "{\"username\":\"ldap-user\",\"password\":\"sim-ldap-password\",\"authSource\":\"corp ldap\"}");

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void wrongPasswordIs401() throws Exception {
        HttpResponse<String> response = client.acquire("{\"username\":\"admin\",\"password\":\"nope\"}");

        assertError(response, 401, 401, "Authentication failed.");
        assertThat(simulator.activeTokens()).isZero();
    }

    @Test
    void unknownAuthSourceIs400OrTheConfiguredStatus() throws Exception {
        String body = "{\"username\":\"admin\",\"password\":\"sim-admin-password\",\"authSource\":\"Nowhere\"}";

        assertThat(client.acquire(body).statusCode()).isEqualTo(400);
        simulator.knobs().unknownAuthSourceStatus(401);
        assertThat(client.acquire(body).statusCode()).isEqualTo(401);
    }

    @Test
    void acquireWithoutPasswordIs400() throws Exception {
        HttpResponse<String> response = client.acquire("{\"username\":\"admin\"}");

        assertError(response, 400, 400, "Both username and password are required.");
        assertBreaksOpenApi(last(), "password");
    }

    @Test
    void acquireWithAnotherContentTypeIs415() throws Exception {
        HttpResponse<String> response = client.send(client.request("auth/token/acquire")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("admin:sim-admin-password")));

        assertError(response, 415, 415, "Invalid content type.");
        assertBreaksOpenApi(last(), "Content-Type");
    }

    @Test
    void eachCallPushesTheTokenExpirySixHoursOut() throws Exception {
        client.login("admin", "sim-admin-password");

        clock.advance(Duration.ofHours(5));
        assertThat(client.get("auth/currentuser").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofHours(5));
        assertThat(client.get("auth/currentuser").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofHours(6));
        assertInvalidToken(client.get("auth/currentuser"));
    }

    @Test
    void expiredTokenIs401WithApiErrorCode1512() throws Exception {
        client.login("admin", "sim-admin-password");
        clock.advance(Duration.ofHours(6));

        assertInvalidToken(client.get("resources"));
        assertThat(simulator.activeTokens()).isZero();
    }

    @Test
    void currentUserNamesTheTokenOwner() throws Exception {
        client.login("viewer", "sim-viewer-password");

        JsonNode user = json(client.get("auth/currentuser"));

        assertThat(user.get("username").asText()).isEqualTo("viewer");
        assertThat(user.get("password").asText()).isEmpty();
        assertThat(user.at("/role-permissions/0/roleName").asText()).isEqualTo("ReadOnly");
    }

    @Test
    void releasedTokenIsRejected() throws Exception {
        client.login("admin", "sim-admin-password");

        HttpResponse<String> release = client.post("auth/token/release");

        assertThat(release.statusCode()).isEqualTo(200);
        assertThat(release.body()).isEmpty();
        assertThat(simulator.activeTokens()).isZero();
        assertInvalidToken(client.get("auth/currentuser"));
    }

    @Test
    void expireAllTokensInvalidatesEveryToken() throws Exception {
        client.login("admin", "sim-admin-password");

        simulator.expireAllTokens();

        assertInvalidToken(client.get("auth/currentuser"));
    }

    @Test
    void callWithoutAuthorizationIs401() throws Exception {
        assertInvalidToken(client.get("resources"));
        assertBreaksOpenApi(last(), "security");
    }

    @Test
    void opsTokenSchemeWorksUnlessSwitchedOff() throws Exception {
        client.login("admin", "sim-admin-password");
        URI currentUser = simulator.baseUri().resolve("/suite-api/api/auth/currentuser");
        HttpRequest.Builder opsToken = HttpRequest.newBuilder(currentUser)
                .header("Accept", SimulatorClient.JSON)
                .header("Authorization", "OpsToken " + client.token());

        assertThat(client.send(opsToken).statusCode()).isEqualTo(200);
        simulator.knobs().acceptOpsToken(false);
        assertInvalidToken(client.send(opsToken));
    }

    // --- lookups --------------------------------------------------------------------------------

    @Test
    void identifiersLookupFindsExactlyTheHostOfThatVCenter() throws Exception {
        client.login("admin", "sim-admin-password");

        JsonNode onVcsa01 = json(client.get(HOST_KIND
                + "?identifiers[VMEntityObjectID]=host-21&identifiers[VMEntityVCID]=" + VCSA01));
        JsonNode onVcsa02 = json(client.get(HOST_KIND
                + "?identifiers%5BVMEntityObjectID%5D=host-21&identifiers%5BVMEntityVCID%5D=" + VCSA02.toUpperCase()));

        assertThat(names(onVcsa01)).containsExactly("esx01.lab.local");
        assertThat(names(onVcsa02)).containsExactly("esx01.other.local");
        assertThat(onVcsa01.at("/resourceList/0/identifier").asText())
                .isEqualTo(simulator.resourceId(VCSA01, "host-21"))
                .isNotEqualTo(onVcsa02.at("/resourceList/0/identifier").asText());
        assertThat(simulator.requests()).filteredOn(request -> request.operation() == Operation.LOOKUP_BY_KIND)
                .extracting(RecordedRequest::rawQuery)
                .anyMatch(query -> query.contains("identifiers[VMEntityObjectID]"))
                .anyMatch(query -> query.contains("identifiers%5BVMEntityObjectID%5D"));
    }

    @Test
    void identifiersLookupIgnoresTheNameAndNeverMatchesPartially() throws Exception {
        client.login("admin", "sim-admin-password");

        JsonNode response = json(client.get(HOST_KIND + "?name=esx&identifiers[VMEntityObjectID]=host-2"));

        assertThat(response.at("/pageInfo/totalCount").asInt()).isZero();
        assertThat(response.get("resourceList")).isEmpty();
    }

    @Test
    void identifiersLookupCanDemandEveryUniquenessIdentifier() throws Exception {
        client.login("admin", "sim-admin-password");
        String byMorefOnly = HOST_KIND + "?identifiers[VMEntityObjectID]=host-21";

        assertThat(names(json(client.get(byMorefOnly)))).containsExactly("esx01.lab.local", "esx01.other.local");
        simulator.knobs().requireAllUniquenessIdentifiers(true);
        assertThat(client.get(byMorefOnly).statusCode()).isEqualTo(400);
    }

    @Test
    void nameLookupIsAPartialMatchIgnoringCase() throws Exception {
        client.login("admin", "sim-admin-password");

        JsonNode response = json(client.get(HOST_KIND + "?name=ESX1"));

        assertThat(names(response)).containsExactly("esx1.lab.local", "esx10.lab.local", "esx1.lab.local.backup");
    }

    @Test
    void lookupOfAnotherKindFindsNothing() throws Exception {
        client.login("admin", "sim-admin-password");

        JsonNode response = json(client.get("adapterkinds/VMWARE/resourcekinds/VirtualMachine/resources?name=esx1"));

        assertThat(response.at("/pageInfo/totalCount").asInt()).isZero();
    }

    @Test
    void resourcesIgnoresParametersItDoesNotKnow() throws Exception {
        client.login("admin", "sim-admin-password");

        JsonNode response = json(client.get("resources?adapterKind=VMWARE&resourceKind=HostSystem"
                + "&identifiers[VMEntityObjectID]=host-21&_no_links=true"));

        assertThat(response.at("/pageInfo/totalCount").asInt()).isEqualTo(8);
    }

    @Test
    void resourcesNameMatchesPartiallyOrExactlyAsConfigured() throws Exception {
        client.login("admin", "sim-admin-password");
        String query = "resources?resourceKind=HostSystem&name=esx1.lab.local";

        assertThat(names(json(client.get(query)))).containsExactly("esx1.lab.local", "esx1.lab.local.backup");
        simulator.knobs().resourcesNameMatch(Knobs.NameMatch.EXACT);
        assertThat(names(json(client.get(query)))).containsExactly("esx1.lab.local");
    }

    @Test
    void resourcesFiltersOnStateAndAdapterInstance() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA02, "host-40");
        client.put("resources/" + id + "/maintained");
        JsonNode maintained = json(client.get("resources?resourceState=MAINTAINED&resourceState=MAINTAINED_MANUAL"));
        String adapterInstance = maintained.at("/resourceList/0/resourceStatusStates/0/adapterInstanceId").asText();

        assertThat(names(maintained)).containsExactly("esx1.lab.local.backup");
        assertThat(names(json(client.get("resources?adapterInstanceId=" + adapterInstance))))
                .containsExactly("esx01.other.local", "esx1.lab.local.backup");
    }

    @Test
    void pagesAreCappedByTheServerWhateverTheClientAsks() throws Exception {
        simulator = start(VropsSimulator.builder().clock(clock).maxPageSize(3));
        client = new SimulatorClient(simulator).login("admin", "sim-admin-password");
        List<String> seen = new ArrayList<>();

        for (int page = 0; seen.size() < 8; page++) {
            JsonNode response = json(client.get("resources?page=" + page + "&pageSize=10000"));
            assertThat(response.at("/pageInfo/pageSize").asInt()).isEqualTo(3);
            assertThat(response.at("/pageInfo/totalCount").asInt()).isEqualTo(8);
            assertThat(response.get("resourceList").size()).isEqualTo(page < 2 ? 3 : 2);
            seen.addAll(names(response));
        }

        assertThat(seen).doesNotHaveDuplicates().hasSize(8);
        assertThat(json(client.get("resources?page=3&pageSize=3")).get("resourceList")).isEmpty();
    }

    @Test
    void getResourceReturnsTheHostSystem() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-30");

        JsonNode resource = json(client.get("resources/" + id));

        assertThat(resource.get("identifier").asText()).isEqualTo(id);
        assertThat(resource.at("/resourceKey/name").asText()).isEqualTo("192.168.60.15");
        assertThat(resource.at("/resourceKey/resourceKindKey").asText()).isEqualTo("HostSystem");
        assertThat(resource.at("/resourceStatusStates/0/resourceState").asText()).isEqualTo("STARTED");
        assertThat(resource.at("/resourceKey/resourceIdentifiers"))
                .anySatisfy(identifier -> {
                    assertThat(identifier.at("/identifierType/name").asText()).isEqualTo("VMEntityVCID");
                    assertThat(identifier.at("/identifierType/isPartOfUniqueness").asBoolean()).isTrue();
                    assertThat(identifier.get("value").asText()).isEqualTo(VCSA01);
                });
    }

    @Test
    void unknownIdIs404WithTheErrorBodyOrTheConfiguredStatus() throws Exception {
        client.login("admin", "sim-admin-password");
        String unknown = UUID.randomUUID().toString();

        assertError(client.get("resources/" + unknown), 404, 404, "No such Resource - " + unknown + ".");
        assertError(client.put("resources/" + unknown + "/maintained"), 404, 404,
                "No such Resource - " + unknown + ".");
        simulator.knobs().unknownIdStatus(500);
        assertThat(client.delete("resources/" + unknown + "/maintained").statusCode()).isEqualTo(500);
    }

    // --- maintenance ----------------------------------------------------------------------------

    @Test
    void markWithoutWindowIsManualMaintenance() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-21");

        HttpResponse<String> response = client.put("resources/" + id + "/maintained");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(simulator.resourceState(id)).isEqualTo("MAINTAINED_MANUAL");
        assertThat(state(id)).isEqualTo("MAINTAINED_MANUAL");
        clock.advance(Duration.ofDays(30));
        assertThat(simulator.resourceState(id)).isEqualTo("MAINTAINED_MANUAL");
    }

    @Test
    void markWithDurationEndsByItself() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-21");

        assertThat(client.put("resources/" + id + "/maintained?duration=5").statusCode()).isEqualTo(200);

        assertThat(state(id)).isEqualTo("MAINTAINED");
        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertThat(simulator.resourceState(id)).isEqualTo("MAINTAINED");
        clock.advance(Duration.ofMillis(1));
        assertThat(state(id)).isEqualTo("STARTED");
    }

    @Test
    void endTimeWinsOverDuration() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-21");
        long end = START.plus(Duration.ofMinutes(2)).toEpochMilli();

        client.put("resources/" + id + "/maintained?duration=60&end=" + end);

        clock.advance(Duration.ofMinutes(2));
        assertThat(simulator.resourceState(id)).isEqualTo("STARTED");
    }

    @Test
    void markingAgainReplacesTheWindow() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-21");

        client.put("resources/" + id + "/maintained?duration=5");
        client.put("resources/" + id + "/maintained");
        clock.advance(Duration.ofMinutes(10));

        assertThat(simulator.resourceState(id)).isEqualTo("MAINTAINED_MANUAL");
    }

    @Test
    void unmarkRestoresTheStateBeforeMaintenance() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-21");
        client.put("resources/" + id + "/maintained");

        HttpResponse<String> response = client.delete("resources/" + id + "/maintained");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(state(id)).isEqualTo("STARTED");
    }

    @Test
    void unmarkWhenNotMaintainedIsANoOpOrTheConfiguredError() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-21");

        assertThat(client.delete("resources/" + id + "/maintained").statusCode()).isEqualTo(200);
        simulator.knobs().unmarkNotMaintainedStatus(409);
        assertThat(client.delete("resources/" + id + "/maintained").statusCode()).isEqualTo(409);
        assertThat(simulator.resourceState(id)).isEqualTo("STARTED");
    }

    @Test
    void nonIntegerDurationIs400() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-21");

        assertError(client.put("resources/" + id + "/maintained?duration=abc"), 400, 400,
                "Invalid value for duration.");
        assertBreaksOpenApi(last(), "integer");
        assertThat(simulator.resourceState(id)).isEqualTo("STARTED");
    }

    @Test
    void bulkCallsChangeAllNamedResourcesOrNone() throws Exception {
        client.login("admin", "sim-admin-password");
        String first = simulator.resourceId(VCSA01, "host-10");
        String second = simulator.resourceId(VCSA02, "host-21");
        String unknown = UUID.randomUUID().toString();

        assertThat(client.put("resources/maintained?id=" + first + "&id=" + unknown).statusCode()).isEqualTo(404);
        assertThat(simulator.resourceState(first)).isEqualTo("STARTED");

        assertThat(client.put("resources/maintained?id=" + first + "&id=" + second).statusCode()).isEqualTo(200);
        assertThat(List.of(state(first), state(second))).containsOnly("MAINTAINED_MANUAL");

        assertThat(client.delete("resources/maintained?id=" + first + "&id=" + second).statusCode()).isEqualTo(200);
        assertThat(List.of(state(first), state(second))).containsOnly("STARTED");
    }

    @Test
    void bulkCallCanApplyTheIdsItKnows() throws Exception {
        client.login("admin", "sim-admin-password");
        String known = simulator.resourceId(VCSA01, "host-10");
        simulator.knobs().bulkAppliesKnownIds(true);

        HttpResponse<String> response =
                client.put("resources/maintained?duration=5&id=" + known + "&id=" + UUID.randomUUID());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(simulator.resourceState(known)).isEqualTo("MAINTAINED");
    }

    @Test
    void bulkCallWithoutIdIs400() throws Exception {
        client.login("admin", "sim-admin-password");

        assertError(client.put("resources/maintained"), 400, 400, "Query parameter id is required.");
        assertBreaksOpenApi(last(), "'id' is required");
    }

    @Test
    void readOnlyUserMayReadButNotChangeMaintenance() throws Exception {
        client.login("viewer", "sim-viewer-password");
        String id = simulator.resourceId(VCSA01, "host-21");

        assertThat(client.get("resources/" + id).statusCode()).isEqualTo(200);
        assertThat(client.put("resources/" + id + "/maintained").statusCode()).isEqualTo(403);
        assertThat(client.delete("resources/maintained?id=" + id).statusCode()).isEqualTo(403);
        assertThat(simulator.resourceState(id)).isEqualTo("STARTED");
    }

    @Test
    void readsLagBehindChangesByTheVisibilityDelay() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-21");
        simulator.knobs().stateVisibilityDelay(Duration.ofSeconds(5));

        client.put("resources/" + id + "/maintained");

        assertThat(simulator.resourceState(id)).isEqualTo("MAINTAINED_MANUAL");
        assertThat(state(id)).isEqualTo("STARTED");
        clock.advance(Duration.ofSeconds(5));
        assertThat(state(id)).isEqualTo("MAINTAINED_MANUAL");
    }

    // --- HTTP behaviour -------------------------------------------------------------------------

    @Test
    void withoutAcceptJsonTheAnswerIsXml() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-21");
        URI resource = simulator.baseUri().resolve("/suite-api/api/resources/" + id);

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(resource)
                .header("Authorization", "vRealizeOpsToken " + client.token()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/xml;charset=UTF-8");
        assertThat(response.body())
                .contains("<ops:resource xmlns:ops=\"http://webservice.vmware.com/vRealizeOpsMgr/1.0/\">")
                .contains("<ops:resourceState>STARTED</ops:resourceState>");
    }

    @Test
    void acceptWithoutJsonOrXmlIs406() throws Exception {
        client.login("admin", "sim-admin-password");

        HttpResponse<String> response = client.send(client.request("resources").setHeader("Accept", "text/html"));

        assertError(response, 406, 406, "The server can answer with application/json or application/xml only.");
        assertBreaksOpenApi(last(), "Accept");
    }

    @Test
    void unknownRoutesAre404AndWrongMethods405() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-21");

        assertError(client.get("alerts"), 404, 404, "The requested resource could not be found.");
        HttpResponse<String> wrongMethod = client.post("resources/" + id);
        assertError(wrongMethod, 405, 405, "Unsupported method for URL.");
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
        HttpResponse<String> outside =
                client.send(HttpRequest.newBuilder(simulator.baseUri().resolve("/api/resources")));
        assertThat(outside.statusCode()).isEqualTo(404);
        assertThat(simulator.count(Operation.UNKNOWN)).isEqualTo(3);
        offSpec.addAll(simulator.requests().stream().filter(r -> r.operation() == Operation.UNKNOWN).toList());
    }

    @Test
    void nodeStatusNeedsNoToken() throws Exception {
        JsonNode status = json(client.get("deployment/node/status"));

        assertThat(status.get("status").asText()).isEqualTo("ONLINE");
        assertThat(status.get("systemTime").asLong()).isEqualTo(START.toEpochMilli());
    }

    @Test
    void adminEndpointListsHostsWithoutTokenOrRecording() throws Exception {
        String id = simulator.resourceId(VCSA01, "host-31");
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(simulator.baseUri().resolve("/_simulator/resources")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).hasSize(8).anySatisfy(host -> {
            assertThat(host.get("name").asText()).isEqualTo("esx-münchen-01.lab.local");
            assertThat(host.get("vcenter").asText()).isEqualTo("vcsa01.lab.local");
            assertThat(host.get("vcenterUuid").asText()).isEqualTo(VCSA01);
            assertThat(host.get("moref").asText()).isEqualTo("host-31");
            assertThat(host.get("id").asText()).isEqualTo(id);
            assertThat(host.get("state").asText()).isEqualTo("STARTED");
        });
        assertThat(simulator.requests()).isEmpty();
    }

    @Test
    void requestsAreRecordedAndCountedPerOperation() throws Exception {
        client.login("admin", "sim-admin-password");
        client.get("resources?name=esx1");

        RecordedRequest lookup = last();
        assertThat(lookup.method()).isEqualTo("GET");
        assertThat(lookup.path()).isEqualTo("/suite-api/api/resources");
        assertThat(lookup.rawQuery()).isEqualTo("name=esx1");
        assertThat(lookup.header("AUTHORIZATION")).isEqualTo("vRealizeOpsToken " + client.token());
        assertThat(lookup.headers()).containsKey("accept");
        assertThat(lookup.responseContentType()).isEqualTo("application/json;charset=UTF-8");
        assertThat(lookup.responseBody()).contains("esx10.lab.local");
        assertThat(lookup.toString()).doesNotContain(client.token());
        assertThat(simulator.requests().get(0).toString()).doesNotContain("sim-admin-password");
        assertThat(simulator.count(Operation.ACQUIRE_TOKEN)).isEqualTo(1);
        assertThat(simulator.count(Operation.GET_RESOURCES)).isEqualTo(1);

        simulator.clearRequests();

        assertThat(simulator.requests()).isEmpty();
        assertThat(simulator.count(Operation.GET_RESOURCES)).isZero();
    }

    // --- faults ---------------------------------------------------------------------------------

    @Test
    void failNextAnswersTheErrorThenRecovers() throws Exception {
        client.login("admin", "sim-admin-password");
        String id = simulator.resourceId(VCSA01, "host-21");
        simulator.faults().failNext(Operation.MARK_MAINTAINED, 1, 503);

        assertError(client.put("resources/" + id + "/maintained"), 503, 503, "Service Unavailable.");
        assertThat(simulator.resourceState(id)).isEqualTo("STARTED");
        assertThat(client.put("resources/" + id + "/maintained").statusCode()).isEqualTo(200);
        assertThat(simulator.count(Operation.MARK_MAINTAINED)).isEqualTo(2);
    }

    @Test
    void failRateIsReproducibleFromItsSeed() throws Exception {
        client.login("admin", "sim-admin-password");
        simulator.faults().failRate(Operation.GET_RESOURCES, 0.5, 429, 7);
        VropsSimulator twin = start(VropsSimulator.builder().clock(clock));
        SimulatorClient twinClient = new SimulatorClient(twin).login("admin", "sim-admin-password");
        twin.faults().failRate(Operation.GET_RESOURCES, 0.5, 429, 7);

        List<Integer> statuses = new ArrayList<>();
        List<Integer> twinStatuses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            statuses.add(client.get("resources").statusCode());
            twinStatuses.add(twinClient.get("resources").statusCode());
        }

        assertThat(statuses).contains(200, 429).containsOnly(200, 429).isEqualTo(twinStatuses);
    }

    @Test
    void droppedCallSeesAnIoErrorAndIsCounted() throws Exception {
        simulator.faults().dropNext(Operation.ACQUIRE_TOKEN, 1);
        String credentials = "{\"username\":\"admin\",\"password\":\"sim-admin-password\"}";

        // A POST, because the JDK client silently retries a GET whose pooled connection closes.
        assertThatThrownBy(() -> client.acquire(credentials)).isInstanceOf(IOException.class);

        assertThat(simulator.count(Operation.ACQUIRE_TOKEN)).isEqualTo(1);
        assertThat(last().dropped()).isTrue();
        assertThat(client.acquire(credentials).statusCode()).isEqualTo(200);
    }

    @Test
    void dropRateAimedAtEveryOperationDropsEverything() throws Exception {
        simulator.faults().dropRate(null, 1.0, 1);

        assertThatThrownBy(() -> client.get("deployment/node/status")).isInstanceOf(IOException.class);

        simulator.faults().clear();
        assertThat(client.get("deployment/node/status").statusCode()).isEqualTo(200);
    }

    @Test
    void latencyDelaysEveryAnswer() throws Exception {
        simulator.faults().latency(Duration.ofMillis(300));

        long started = System.nanoTime();
        assertThat(client.get("deployment/node/status").statusCode()).isEqualTo(200);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void offlineNodeAnswers503Everywhere() throws Exception {
        simulator.faults().nodeOffline(true);

        assertError(client.get("deployment/node/status"), 503, 503, "Node is offline");
        assertThat(client.acquire("{\"username\":\"admin\",\"password\":\"sim-admin-password\"}").statusCode())
                .isEqualTo(503);
        simulator.faults().nodeOffline(false);
        assertThat(client.get("deployment/node/status").statusCode()).isEqualTo(200);
    }

    @Test
    void servesOneHundredTwentyEightSlowRequestsAtOnce() throws Exception {
        simulator = start(VropsSimulator.builder().https(false));
        client = new SimulatorClient(simulator);
        simulator.faults().latency(Duration.ofSeconds(2));

        long started = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 128)
                .mapToObj(i -> client.http().sendAsync(client.request("deployment/node/status").build(),
                        HttpResponse.BodyHandlers.ofString()))
                .toList();
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

        assertThat(calls).allSatisfy(call -> assertThat(call.join().statusCode()).isEqualTo(200));
        // Half as many workers would need two rounds of the 2 s latency.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(3800));
    }

    // --- transport and setup --------------------------------------------------------------------

    @Test
    void plainHttpModeHasNoCertificate() throws Exception {
        VropsSimulator plain = start(VropsSimulator.builder().https(false));

        assertThat(plain.baseUri().toString()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(new SimulatorClient(plain).get("deployment/node/status").statusCode()).isEqualTo(200);
        assertThatThrownBy(plain::caCertificatePem).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void clientNotTrustingTheCaFailsTheHandshake() {
        assertThat(simulator.baseUri().toString()).matches("https://127\\.0\\.0\\.1:\\d+");
        HttpClient untrusting = HttpClient.newHttpClient();

        assertThatThrownBy(() -> untrusting.send(
                HttpRequest.newBuilder(simulator.baseUri().resolve("/suite-api/api/deployment/node/status")).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
        assertThat(simulator.requests()).isEmpty();
    }

    @Test
    void caCertificateIsWrittenAsPem() throws Exception {
        assertThat(Files.readString(simulator.caCertificatePem()))
                .startsWith("-----BEGIN CERTIFICATE-----")
                .contains("-----END CERTIFICATE-----");
    }

    @Test
    void generatedInventoryRepeatsEveryMorefOnEveryVCenter() throws Exception {
        Inventory inventory = Inventory.generated(2, 3);
        simulator = start(VropsSimulator.builder().inventory(inventory));
        client = new SimulatorClient(simulator).login("admin", "sim-admin-password");
        String secondVCenter = inventory.vcenter("vcsa-2.gen.local").instanceUuid();

        JsonNode response = json(client.get(HOST_KIND
                + "?identifiers[VMEntityObjectID]=host-1&identifiers[VMEntityVCID]=" + secondVCenter));

        assertThat(inventory.hosts()).hasSize(6);
        assertThat(names(response)).containsExactly("esx-2-001.gen.local");
    }

    @Test
    void inventoryLoadsFromAFileAndRejectsDuplicateHosts(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("inventory.json");
        Files.writeString(file, """
                {"users": [{"username": "ops", "password": "secret"}],
                 "vcenters": [{"name": "vc", "instanceUuid": "%s"}],
                 "hosts": [{"name": "a", "moref": "host-1", "vcenter": "vc"}]}
                """.formatted(VCSA01));

        Inventory inventory = Inventory.load(file);

        assertThat(inventory.users().get(0).authSource()).isEqualTo("LOCAL");
        assertThat(inventory.users().get(0).readOnly()).isFalse();
        assertThatThrownBy(() -> new Inventory(inventory.users(), inventory.vcenters(),
                List.of(inventory.hosts().get(0), new Inventory.Host("b", "host-1", "vc"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host-1");
    }

    @Test
    void standaloneModeServesUntilTerminated(@TempDir Path directory) throws Exception {
        Path urlFile = directory.resolve("url");
        Path caFile = directory.resolve("ca.pem");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), VropsSimulator.class.getName(),
                "--url-file", urlFile.toString(), "--ca-file", caFile.toString(), "--latency-ms", "1")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();

            assertThat(line).matches("vROps simulator listening on https://127\\.0\\.0\\.1:\\d+/suite-api");
            URI baseUri = URI.create(Files.readString(urlFile).trim());
            assertThat(line).isEqualTo("vROps simulator listening on " + baseUri + "/suite-api");
            SimulatorClient standalone = new SimulatorClient(baseUri, SimulatorClient.trustingPem(caFile));
            assertThat(json(standalone.get("deployment/node/status")).get("status").asText()).isEqualTo("ONLINE");
        } finally {
            process.destroy();
        }
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(143);
    }

    // --- helpers --------------------------------------------------------------------------------

    private VropsSimulator start(VropsSimulator.Builder builder) {
        VropsSimulator started = builder.start();
        simulators.add(started);
        return started;
    }

    private RecordedRequest last() {
        List<RecordedRequest> requests = simulator.requests();
        return requests.get(requests.size() - 1);
    }

    /** The state a client reads through {@code GET /resources/{id}}. */
    private String state(String id) throws Exception {
        return json(client.get("resources/" + id)).at("/resourceStatusStates/0/resourceState").asText();
    }

    private void assertBreaksOpenApi(RecordedRequest request, String expected) {
        assertThat(OPEN_API.requestViolations(request)).anyMatch(violation -> violation.contains(expected));
        invalidOnPurpose.add(request);
    }

    private static void assertInvalidToken(HttpResponse<String> response) throws IOException {
        assertError(response, 401, 1512,
                "The provided token for auth scheme \"vRealizeOpsToken\" is either invalid or has expired.");
    }

    private static void assertError(HttpResponse<String> response, int status, int apiErrorCode, String message)
            throws IOException {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json;charset=UTF-8");
        JsonNode error = json(response);
        assertThat(error.get("message").asText()).isEqualTo(message);
        assertThat(error.get("httpStatusCode").asInt()).isEqualTo(status);
        assertThat(error.get("apiErrorCode").asInt()).isEqualTo(apiErrorCode);
    }

    private static List<String> names(JsonNode resources) {
        List<String> names = new ArrayList<>();
        resources.get("resourceList").forEach(resource -> names.add(resource.at("/resourceKey/name").asText()));
        return names;
    }
}
