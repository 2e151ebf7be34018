package maintsync.vrops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The validator must pass what the vendor document allows and report what it does not. */
class VropsOpenApiTest {

    private static final String ID = "58cc54e1-b020-3833-ac1b-f61585e5881a";
    private static final String VCENTER = "5f1a0f0e-6a5b-4a43-9c1e-0a1b2c3d4e01";
    private static final String LOOKUP = "/suite-api/api/adapterkinds/VMWARE/resourcekinds/HostSystem/resources";
    private static final String JSON = "application/json;charset=UTF-8";
    private static final Map<String, List<String>> AUTHENTICATED = Map.of(
            "authorization", List.of("vRealizeOpsToken 1f0e::2a3b"), "accept", List.of("application/json"));
    private static final String ERROR_BODY =
            "{\"message\":\"No such Resource - x.\",\"httpStatusCode\":404,\"apiErrorCode\":404}";

    private final VropsOpenApi openApi = VropsOpenApi.load();

    @Test
    void identifiersLookupIsValidWithRawOrEncodedBrackets() {
        RecordedRequest raw = get(LOOKUP,
                "identifiers[VMEntityObjectID]=host-21&identifiers[VMEntityVCID]=" + VCENTER);
        RecordedRequest encoded = get(LOOKUP,
                "identifiers%5BVMEntityObjectID%5D=host-21&identifiers%5BVMEntityVCID%5D=" + VCENTER);

        assertThat(openApi.requestViolations(raw)).isEmpty();
        assertThat(openApi.requestViolations(encoded)).isEmpty();
    }

    @Test
    void deepObjectSentInPlainFormIsReported() {
        assertThat(openApi.requestViolations(get(LOOKUP, "identifiers=host-21")))
                .singleElement().asString().contains("deepObject");
    }

    @Test
    void wrongParameterTypesAreReported() {
        assertThat(openApi.requestViolations(put("/suite-api/api/resources/" + ID + "/maintained", "duration=abc")))
                .singleElement().asString().contains("integer");
        assertThat(openApi.requestViolations(get(LOOKUP, "page=first"))).isNotEmpty();
        assertThat(openApi.requestViolations(get("/suite-api/api/resources", "resourceState=ASLEEP")))
                .singleElement().asString().contains("enum");
    }

    @Test
    void arrayOfEnumQueryValuesIsValid() {
        assertThat(openApi.requestViolations(get("/suite-api/api/resources",
                "resourceState=MAINTAINED&resourceState=MAINTAINED_MANUAL&_no_links=true"))).isEmpty();
    }

    @Test
    void idThatIsNoUuidIsReported() {
        assertThat(openApi.requestViolations(put("/suite-api/api/resources/host-21/maintained", null)))
                .singleElement().asString().contains("UUID");
    }

    @Test
    void bulkCallWithoutIdIsReported() {
        assertThat(openApi.requestViolations(put("/suite-api/api/resources/maintained", null)))
                .singleElement().asString().contains("'id' is required");
        assertThat(openApi.requestViolations(put("/suite-api/api/resources/maintained", "id=" + ID))).isEmpty();
    }

    @Test
    void missingAuthorizationIsReportedExceptWhereTheDocumentWaivesIt() {
        RecordedRequest anonymous = request("GET", "/suite-api/api/resources/" + ID, null, Map.of(), "");
        RecordedRequest nodeStatus = request("GET", "/suite-api/api/deployment/node/status", null, Map.of(), "");

        assertThat(openApi.requestViolations(anonymous)).singleElement().asString().contains("security");
        assertThat(openApi.requestViolations(nodeStatus)).isEmpty();
    }

    @Test
    void acquireBodyNeedsUsernameAndPassword() {
        String complete = "{\"username\":\"admin\",\"password\":\"x\",\"authSource\":\"LOCAL\"}";

        assertThat(openApi.requestViolations(acquire(complete))).isEmpty();
        assertThat(openApi.requestViolations(acquire("{\"username\":\"admin\"}")))
                .singleElement().asString().contains("password");
    }

    @Test
    void unknownPathAndMethodAreReported() {
        assertThat(openApi.requestViolations(get("/suite-api/api/alerts", null))).isNotEmpty();
        RecordedRequest post = request("POST", "/suite-api/api/resources/" + ID, null, AUTHENTICATED, "");

        assertThat(openApi.requestViolations(post)).singleElement().asString().contains("not allowed");
    }

    @Test
    void responseBodyIsCheckedAgainstTheOperationSchema() {
        String resource = """
                {"identifier":"%s","creationTime":1,
                 "resourceKey":{"name":"esx01","adapterKindKey":"VMWARE","resourceKindKey":"HostSystem"},
                 "resourceStatusStates":[{"resourceState":"%s"}],
                 "resourceHealth":"GREEN","resourceHealthValue":100.0}""";

        assertThat(openApi.responseViolations(answered(get("/suite-api/api/resources/" + ID, null), 200, JSON,
                resource.formatted(ID, "MAINTAINED_MANUAL")))).isEmpty();
        assertThat(openApi.responseViolations(answered(get("/suite-api/api/resources/" + ID, null), 200, JSON,
                resource.formatted(ID, "ASLEEP")))).singleElement().asString().contains("enum");
        assertThat(openApi.responseViolations(answered(acquire("{}"), 200, JSON, "{\"validity\":1}")))
                .singleElement().asString().contains("token");
    }

    @Test
    void maintainedCallsAnswerWithoutBody() {
        RecordedRequest mark = put("/suite-api/api/resources/" + ID + "/maintained", null);

        assertThat(openApi.responseViolations(answered(mark, 200, null, ""))).isEmpty();
        assertThat(openApi.responseViolations(answered(mark, 200, JSON, "{}"))).isNotEmpty();
        assertThat(openApi.responseViolations(answered(mark, 204, null, ""))).isNotEmpty();
    }

    @Test
    void undocumentedErrorsMustCarryTheErrorSchema() {
        RecordedRequest lookup = get("/suite-api/api/resources/" + ID, null);

        assertThat(openApi.responseViolations(answered(lookup, 404, JSON, ERROR_BODY))).isEmpty();
        assertThat(openApi.responseViolations(answered(acquire("{}"), 401, JSON, ERROR_BODY))).isEmpty();
        assertThat(openApi.responseViolations(answered(lookup, 404, JSON, "{\"httpStatusCode\":404}")))
                .singleElement().asString().contains("message");
        assertThat(openApi.responseViolations(answered(lookup, 404, JSON,
                "{\"message\":\"x\",\"apiErrorCode\":\"x\"}")))
                .singleElement().asString().contains("integer");
        assertThat(openApi.responseViolations(answered(lookup, 503, null, ""))).singleElement().asString()
                .contains("no error body");
    }

    @Test
    void droppedConnectionHasNoResponseToCheck() {
        assertThat(openApi.responseViolations(answered(get(LOOKUP, null), 0, null, ""))).isEmpty();
    }

    @Test
    void assertRequestsValidNamesEachBadRequest() {
        List<RecordedRequest> requests = List.of(
                get(LOOKUP, "identifiers[VMEntityObjectID]=host-21"),
                put("/suite-api/api/resources/" + ID + "/maintained", "duration=abc"),
                put("/suite-api/api/resources/host-21/maintained", null));

        assertThatThrownBy(() -> openApi.assertRequestsValid(requests))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PUT /suite-api/api/resources/" + ID + "/maintained?duration=abc: ")
                .hasMessageContaining("PUT /suite-api/api/resources/host-21/maintained: ")
                .hasMessageNotContaining("host-21&");
        openApi.assertRequestsValid(requests.subList(0, 1));
    }

    private static RecordedRequest get(String path, String query) {
        return request("GET", path, query, AUTHENTICATED, "");
    }

    private static RecordedRequest put(String path, String query) {
        return request("PUT", path, query, AUTHENTICATED, "");
    }

    private static RecordedRequest acquire(String body) {
        return request("POST", "/suite-api/api/auth/token/acquire", null,
                Map.of("content-type", List.of("application/json"), "accept", List.of("application/json")), body);
    }

    private static RecordedRequest request(String method, String path, String query,
            Map<String, List<String>> headers, String body) {
        return new RecordedRequest(method, path, query, headers, body, Operation.UNKNOWN, 0, null, "");
    }

    private static RecordedRequest answered(RecordedRequest request, int status, String contentType, String body) {
        return new RecordedRequest(request.method(), request.path(), request.rawQuery(), request.headers(),
                request.body(), request.operation(), status, contentType, body);
    }
}
