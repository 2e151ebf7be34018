package maintsync.vrops;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.ApiOperation;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks recorded suite-api traffic against the vendor's OpenAPI document (the trimmed copy in
 * {@code tests/resources/vrops}), with Atlassian's {@code swagger-request-validator}. Only messages
 * at ERROR level count; the library's defaults ignore unknown query parameters, which the appliance
 * ignores too.
 *
 * <p>Three gaps in the library are closed here, each narrowly:
 * <ul>
 *   <li>It reads {@code security} from operations only and skips the document-level default the
 *       vendor uses, so a call without {@code Authorization} would pass. Operations without their own
 *       {@code security} get the document's, as OpenAPI specifies.</li>
 *   <li>It validates the {@code name[key]=value} pairs of a deepObject parameter against the
 *       parameter's schema, but says nothing when the parameter arrives in plain form
 *       ({@code identifiers=x}), which a server cannot read as an object. That case is reported.</li>
 *   <li>The vendor declares almost no error responses, yet the appliance answers errors with its
 *       {@code error} schema. For a 4xx/5xx status the document does not describe, the body is
 *       checked against that schema instead of reporting the status as unknown.</li>
 * </ul>
 * Percent-encoded query names ({@code identifiers%5BVMEntityObjectID%5D}) are decoded before
 * validation, as a server decodes them, so both spellings are checked the same way.
 */
public final class VropsOpenApi {

    private static final String SPECIFICATION = "/vrops/vcf-operations-openapi.trimmed.json";
    private static final String BASE_PATH = "/suite-api";
    private static final String UNKNOWN_STATUS = "validation.response.status.unknown";
    private static final String UNEXPECTED_BODY = "validation.response.body.unexpected";
    private static final String DEEP_OBJECT_FORM = "validation.request.parameter.query.deepObject";

    private final OpenApiInteractionValidator validator;
    private final SchemaValidator schemas;
    private final Schema<?> errorBody;

    private VropsOpenApi(OpenAPI api) {
        this.validator = OpenApiInteractionValidator.createFor(api)
                .withBasePathOverride(BASE_PATH)
                .withCustomRequestValidation(VropsOpenApi::deepObjectForm)
                .build();
        this.schemas = new SchemaValidator(api, new MessageResolver());
        this.errorBody = withoutDiscriminator(api.getComponents().getSchemas().get("error"));
    }

    /** The validator is immutable and thread-safe, so one instance serves every test. */
    public static VropsOpenApi load() {
        return Loaded.INSTANCE;
    }

    private static final class Loaded {
        private static final VropsOpenApi INSTANCE = new VropsOpenApi(parse());
    }

    /** Every ERROR-level message for the request, as {@code key: message}; empty when it is valid. */
    public List<String> requestViolations(RecordedRequest request) {
        Request parsed;
        try {
            parsed = toRequest(request);
        } catch (IllegalArgumentException e) {
            return List.of("validation.request.malformed: " + e.getMessage());
        }
        return errors(validator.validateRequest(parsed));
    }

    /** The recorded response's status, Content-Type and body checked against the operation called. */
    public List<String> responseViolations(RecordedRequest request) {
        if (request.dropped()) {
            return List.of(); // nothing was answered
        }
        Request.Method method;
        try {
            method = Request.Method.valueOf(request.method());
        } catch (IllegalArgumentException e) {
            return List.of("validation.request.method: unknown method " + request.method());
        }
        SimpleResponse.Builder response = SimpleResponse.Builder.status(request.status());
        if (request.responseContentType() != null) {
            response.withContentType(request.responseContentType());
        }
        if (!request.responseBody().isEmpty()) {
            response.withBody(request.responseBody());
        }
        ValidationReport report = validator.validateResponse(request.path(), method, response.build());
        List<String> violations = new ArrayList<>();
        boolean undescribedError = false;
        for (ValidationReport.Message message : report.getMessages()) {
            if (message.getLevel() != ValidationReport.Level.ERROR) {
                continue;
            }
            if (request.status() >= 400 && Set.of(UNKNOWN_STATUS, UNEXPECTED_BODY).contains(message.getKey())) {
                undescribedError = true;
            } else {
                violations.add(format(message));
            }
        }
        if (undescribedError) {
            violations.addAll(errorBodyViolations(request));
        }
        return violations;
    }

    public void assertRequestsValid(List<RecordedRequest> requests) {
        assertValid(requests, this::requestViolations, "requests");
    }

    public void assertResponsesValid(List<RecordedRequest> requests) {
        assertValid(requests, this::responseViolations, "responses");
    }

    private void assertValid(List<RecordedRequest> requests, Function<RecordedRequest, List<String>> check,
            String what) {
        StringBuilder failures = new StringBuilder();
        for (RecordedRequest request : requests) {
            for (String violation : check.apply(request)) {
                failures.append(System.lineSeparator()).append("  ").append(request.method()).append(' ')
                        .append(request.path()).append(request.rawQuery() == null ? "" : "?" + request.rawQuery())
                        .append(": ").append(violation);
            }
        }
        if (failures.length() > 0) {
            throw new AssertionError("vROps " + what + " break the OpenAPI document:" + failures);
        }
    }

    private List<String> errorBodyViolations(RecordedRequest request) {
        String contentType = request.responseContentType();
        if (request.responseBody().isEmpty() || contentType == null) {
            return List.of("validation.response.body.missing: a " + request.status() + " carries no error body");
        }
        String mediaType = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (mediaType.equals("application/xml")) {
            return List.of(); // the library validates JSON bodies only, for documented responses too
        }
        if (!mediaType.equals("application/json")) {
            return List.of("validation.response.contentType.notAllowed: error body sent as " + contentType);
        }
        return errors(schemas.validate(request.responseBody(), errorBody, "validation.response.body"));
    }

    private static Request toRequest(RecordedRequest recorded) {
        SimpleRequest.Builder request = new SimpleRequest.Builder(recorded.method(), recorded.path());
        recorded.headers().forEach(request::withHeader);
        QueryParameters.parse(recorded.rawQuery()).asMap().forEach(request::withQueryParam);
        if (!recorded.body().isEmpty()) {
            request.withBody(recorded.body());
        }
        return request.build();
    }

    private static ValidationReport deepObjectForm(Request request, ApiOperation operation) {
        List<Parameter> parameters = operation.getOperation().getParameters();
        if (parameters == null) {
            return ValidationReport.empty();
        }
        return parameters.stream()
                .filter(parameter -> "query".equals(parameter.getIn())
                        && parameter.getStyle() == Parameter.StyleEnum.DEEPOBJECT
                        && !request.getQueryParameterValues(parameter.getName()).isEmpty())
                .map(parameter -> ValidationReport.singleton(ValidationReport.Message.create(DEEP_OBJECT_FORM,
                        "Query parameter '" + parameter.getName() + "' has style deepObject and must be sent as "
                                + parameter.getName() + "[key]=value").build()))
                .reduce(ValidationReport.empty(), ValidationReport::merge);
    }

    private static List<String> errors(ValidationReport report) {
        return report.getMessages().stream()
                .filter(message -> message.getLevel() == ValidationReport.Level.ERROR)
                .map(VropsOpenApi::format)
                .toList();
    }

    private static String format(ValidationReport.Message message) {
        return message.getKey() + ": " + message.getMessage();
    }

    private static OpenAPI parse() {
        String document;
        try (InputStream in = VropsOpenApi.class.getResourceAsStream(SPECIFICATION)) {
            if (in == null) {
                throw new IllegalStateException(SPECIFICATION + " is not on the classpath");
            }
            document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        // The library reads a query value by its parameter's declared type and takes a value whose
        // items are a $ref (resourceState -> resource-state) for JSON; inlined schemas read right.
        options.setResolveFully(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(document, null, options);
        if (result.getOpenAPI() == null || !result.getMessages().isEmpty()) {
            throw new IllegalStateException("Cannot parse " + SPECIFICATION + ": " + result.getMessages());
        }
        OpenAPI api = result.getOpenAPI();
        api.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
            if (operation.getSecurity() == null) {
                operation.setSecurity(api.getSecurity());
            }
        }));
        return api;
    }

    /**
     * The library applies Swagger 2 discriminator rules, which reject the vendor's {@code error}
     * schema outright (its discriminator property {@code type} is not required). The discriminator
     * only picks a subtype; the properties and required fields are checked as published.
     */
    private static Schema<?> withoutDiscriminator(Schema<?> error) {
        ObjectSchema copy = new ObjectSchema();
        copy.setProperties(error.getProperties());
        copy.setRequired(error.getRequired());
        return copy;
    }
}
