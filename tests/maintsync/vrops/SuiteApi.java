package maintsync.vrops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * The behaviour of the suite-api operations maintsync uses, as the contract in
 * docs/vrops-contract.md describes it. Works on parsed requests and returns
 * {@link Reply replies}; transport, faults and recording are {@link SimulatorHandler}'s business.
 */
final class SuiteApi {

    /** A request as the operations see it; header names in lower case. */
    record ApiRequest(String path, Map<String, String> pathVariables, QueryParameters query,
            Map<String, List<String>> headers, String body) {

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** Ends an operation early with an error reply. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Reply reply;

        private Failure(Reply reply) {
            super(null, null, false, false);
            this.reply = reply;
        }
    }

    private static final String LOCAL = "LOCAL";
    private static final Set<String> RESOURCE_STATES = Set.of("STOPPED", "STARTING", "STARTED", "STOPPING",
            "UPDATING", "FAILED", "MAINTAINED", "MAINTAINED_MANUAL", "REMOVING", "NOT_EXISTING", "NONE", "UNKNOWN");
    private static final Set<Operation> WRITES = Set.of(Operation.MARK_MAINTAINED, Operation.UNMARK_MAINTAINED,
            Operation.BULK_MARK_MAINTAINED, Operation.BULK_UNMARK_MAINTAINED);
    private static final DateTimeFormatter HUMAN_TIME =
            DateTimeFormatter.ofPattern("EEEE, MMMM d, yyyy h:mm:ss a z", Locale.ENGLISH).withZone(ZoneId.of("UTC"));
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Inventory inventory;
    private final HostRegistry hosts;
    private final TokenStore tokens;
    private final Knobs knobs;
    private final Clock clock;
    private final int maxPageSize;

    SuiteApi(Inventory inventory, HostRegistry hosts, TokenStore tokens, Knobs knobs, Clock clock, int maxPageSize) {
        this.inventory = inventory;
        this.hosts = hosts;
        this.tokens = tokens;
        this.knobs = knobs;
        this.clock = clock;
        this.maxPageSize = maxPageSize;
    }

    Reply handle(Operation operation, ApiRequest request) {
        try {
            return switch (operation) {
                case ACQUIRE_TOKEN -> acquire(request);
                case NODE_STATUS -> nodeStatus();
                default -> authenticated(operation, request);
            };
        } catch (Failure failure) {
            return failure.reply;
        }
    }

    private Reply authenticated(Operation operation, ApiRequest request) {
        String[] authorization =
                Optional.ofNullable(request.header("authorization")).orElse("").trim().split("\\s+", 2);
        String scheme = authorization[0];
        boolean knownScheme = scheme.equalsIgnoreCase(Reply.TOKEN_SCHEME)
                || knobs.acceptOpsToken() && scheme.equalsIgnoreCase("OpsToken");
        Optional<Inventory.User> user = knownScheme && authorization.length == 2
                ? tokens.use(authorization[1].trim())
                : Optional.empty();
        if (user.isEmpty()) {
            return Reply.invalidToken(knownScheme ? scheme : Reply.TOKEN_SCHEME);
        }
        if (user.get().readOnly() && WRITES.contains(operation)) {
            return Reply.forbidden();
        }
        return switch (operation) {
            case RELEASE_TOKEN -> {
                tokens.release(authorization[1].trim());
                yield Reply.empty();
            }
            case CURRENT_USER -> Reply.ok("user", currentUser(user.get()));
            case GET_RESOURCES -> resources(request);
            case GET_RESOURCE -> Reply.ok("resource", json(existing(request.pathVariables().get("id"))));
            case LOOKUP_BY_KIND -> lookupByKind(request);
            case MARK_MAINTAINED -> mark(List.of(existing(request.pathVariables().get("id"))), request);
            case UNMARK_MAINTAINED -> unmark(List.of(existing(request.pathVariables().get("id"))));
            case BULK_MARK_MAINTAINED -> mark(bulkIds(request), request);
            case BULK_UNMARK_MAINTAINED -> unmark(bulkIds(request));
            default -> throw new IllegalArgumentException("Not an authenticated operation: " + operation);
        };
    }

    private Reply acquire(ApiRequest request) {
        String contentType = Optional.ofNullable(request.header("content-type")).orElse("");
        if (!contentType.split(";")[0].trim().equalsIgnoreCase("application/json")) {
            return Reply.standard(415);
        }
        JsonNode credentials;
        try {
            credentials = MAPPER.readTree(request.body());
        } catch (IOException e) {
            return Reply.error(400, "The request body is not valid JSON.");
        }
        if (credentials == null
                || !credentials.path("username").isTextual() || !credentials.path("password").isTextual()) {
            return Reply.error(400, "Both username and password are required.");
        }
        String authSource = credentials.path("authSource").isTextual() ? credentials.get("authSource").asText() : LOCAL;
        boolean knownSource = authSource.equalsIgnoreCase(LOCAL)
                || inventory.users().stream().anyMatch(user -> user.authSource().equalsIgnoreCase(authSource));
        if (!knownSource) {
            return Reply.error(knobs.unknownAuthSourceStatus(), "Unknown auth source " + authSource + ".");
        }
        String username = credentials.get("username").asText();
        String password = credentials.get("password").asText();
        Optional<Inventory.User> user = inventory.users().stream()
                .filter(candidate -> candidate.username().equals(username)
                        && candidate.authSource().equalsIgnoreCase(authSource)
                        && candidate.password().equals(password))
                .findFirst();
        if (user.isEmpty()) {
            return Reply.error(401, "Authentication failed.");
        }
        TokenStore.Issued issued = tokens.issue(user.get());
        ObjectNode token = JSON.objectNode()
                .put("token", issued.token())
                .put("validity", issued.validityMilli())
                .put("expiresAt", HUMAN_TIME.format(Instant.ofEpochMilli(issued.validityMilli())));
        token.putArray("roles");
        return Reply.ok("auth-token", token);
    }

    private Reply nodeStatus() {
        long now = clock.millis();
        return Reply.ok("node-status", JSON.objectNode()
                .put("status", "ONLINE")
                .put("systemTime", now)
                .put("humanlyReadableSystemTime", HUMAN_TIME.format(Instant.ofEpochMilli(now))));
    }

    /** The spec marks {@code password} required on {@code user}; the simulator never echoes the real one. */
    private static ObjectNode currentUser(Inventory.User user) {
        ObjectNode json = JSON.objectNode()
                .put("id", UUID.nameUUIDFromBytes(
                        (user.authSource() + "/" + user.username()).getBytes(StandardCharsets.UTF_8)).toString())
                .put("username", user.username())
                .put("password", "")
                .put("enabled", true);
        json.putArray("role-permissions").addObject()
                .put("roleName", user.readOnly() ? "ReadOnly" : "Administrator")
                .put("allowAllObjects", true);
        return json;
    }

    private Reply resources(ApiRequest request) {
        QueryParameters query = request.query();
        Stream<HostResource> matches = hosts.all().stream()
                .filter(anyOf(query.all("adapterKind"),
                        (resource, kind) -> kind.equalsIgnoreCase(HostResource.ADAPTER_KIND)))
                .filter(anyOf(query.all("resourceKind"),
                        (resource, kind) -> kind.equalsIgnoreCase(HostResource.RESOURCE_KIND)))
                .filter(anyOf(query.all("resourceId"), (resource, id) -> id.equalsIgnoreCase(resource.id())))
                .filter(anyOf(query.all("adapterInstanceId"),
                        (resource, id) -> id.equalsIgnoreCase(resource.adapterInstanceId())))
                .filter(anyOf(resourceStates(query), (resource, state) -> state.equals(hosts.visibleState(resource))));
        if (!query.all("name").isEmpty()) {
            boolean exact = knobs.resourcesNameMatch() == Knobs.NameMatch.EXACT;
            matches = matches.filter(anyOf(query.all("name"), (resource, name) -> exact
                    ? resource.name().equals(name)
                    : containsIgnoreCase(resource.name(), name)));
        } else if (!query.all("regex").isEmpty()) {
            List<Pattern> patterns = query.all("regex").stream().map(SuiteApi::pattern).toList();
            matches = matches.filter(resource -> patterns.stream().anyMatch(p -> p.matcher(resource.name()).matches()));
        }
        return page(request, matches.toList());
    }

    /**
     * Identifiers win over the name, as the spec describes; the name is a case-insensitive partial
     * match, which is why {@code name=esx1} also finds {@code esx10}.
     */
    private Reply lookupByKind(ApiRequest request) {
        String adapterKind = request.pathVariables().get("adapterKindKey");
        String resourceKind = request.pathVariables().get("resourceKindKey");
        Map<String, String> identifiers = request.query().deepObject("identifiers");
        Stream<HostResource> matches = hosts.all().stream()
                .filter(resource -> adapterKind.equalsIgnoreCase(HostResource.ADAPTER_KIND)
                        && resourceKind.equalsIgnoreCase(HostResource.RESOURCE_KIND));
        if (!identifiers.isEmpty()) {
            if (knobs.requireAllUniquenessIdentifiers()
                    && !identifiers.keySet().containsAll(HostResource.UNIQUENESS_IDENTIFIERS)) {
                return Reply.error(400, "All uniquely identifying identifiers are required: "
                        + String.join(", ", HostResource.UNIQUENESS_IDENTIFIERS) + ".");
            }
            matches = matches.filter(resource -> identifiers.entrySet().stream()
                    .allMatch(identifier -> resource.hasIdentifier(identifier.getKey(), identifier.getValue())));
        } else {
            Optional<String> name = request.query().first("name");
            if (name.isPresent()) {
                matches = matches.filter(resource -> containsIgnoreCase(resource.name(), name.get()));
            }
        }
        return page(request, matches.toList());
    }

    private Reply page(ApiRequest request, List<HostResource> matches) {
        int page = intParameter(request.query(), "page", 0);
        int requestedSize = intParameter(request.query(), "pageSize", 1000);
        if (page < 0 || requestedSize < 1) {
            return Reply.error(400, "page must be 0 or more and pageSize 1 or more.");
        }
        int pageSize = Math.min(requestedSize, maxPageSize);
        int from = (int) Math.min((long) page * pageSize, matches.size());
        int to = Math.min(from + pageSize, matches.size());
        int lastPage = Math.max(0, (matches.size() - 1) / pageSize);

        ObjectNode body = JSON.objectNode();
        body.putObject("pageInfo").put("totalCount", matches.size()).put("page", page).put("pageSize", pageSize);
        ArrayNode links = body.putArray("links");
        link(links, request, "SELF", "current", page, pageSize);
        link(links, request, "RELATED", "first", 0, pageSize);
        link(links, request, "RELATED", "last", lastPage, pageSize);
        if (page < lastPage) {
            link(links, request, "RELATED", "next", page + 1, pageSize);
        }
        if (page > 0 && page <= lastPage) {
            link(links, request, "RELATED", "previous", page - 1, pageSize);
        }
        ArrayNode list = body.putArray("resourceList");
        matches.subList(from, to).forEach(resource -> list.add(json(resource)));
        return Reply.ok("resources", body);
    }

    private static void link(ArrayNode links, ApiRequest request, String rel, String name, int page, int pageSize) {
        String filters = request.query().rawWithout(Set.of("page", "pageSize"));
        String href = request.path() + "?" + (filters.isEmpty() ? "" : filters + "&")
                + "page=" + page + "&pageSize=" + pageSize;
        links.addObject().put("href", href).put("rel", rel).put("name", name);
    }

    private Reply mark(List<HostResource> resources, ApiRequest request) {
        int duration = intParameter(request.query(), "duration", 0);
        long end = longParameter(request.query(), "end", 0);
        hosts.mark(resources, end, duration);
        return Reply.empty();
    }

    private Reply unmark(List<HostResource> resources) {
        int status = knobs.unmarkNotMaintainedStatus();
        if (!hosts.unmark(resources, status != 200)) {
            return Reply.error(status, "The resource is not in maintenance.");
        }
        return Reply.empty();
    }

    private List<HostResource> bulkIds(ApiRequest request) {
        List<String> ids = request.query().all("id");
        if (ids.isEmpty()) {
            throw new Failure(Reply.error(400, "Query parameter id is required."));
        }
        List<HostResource> known = new ArrayList<>();
        for (String id : ids) {
            Optional<HostResource> resource = hosts.find(id);
            if (resource.isPresent()) {
                known.add(resource.get());
            } else if (!knobs.bulkAppliesKnownIds()) {
                throw new Failure(noSuchResource(id));
            }
        }
        return known;
    }

    private HostResource existing(String id) {
        return hosts.find(id).orElseThrow(() -> new Failure(noSuchResource(id)));
    }

    private Reply noSuchResource(String id) {
        return Reply.error(knobs.unknownIdStatus(), "No such Resource - " + id + ".");
    }

    private ObjectNode json(HostResource resource) {
        return resource.toJson(hosts.visibleState(resource));
    }

    private static List<String> resourceStates(QueryParameters query) {
        List<String> states = query.all("resourceState");
        states.stream().filter(state -> !RESOURCE_STATES.contains(state)).findFirst().ifPresent(state -> {
            throw new Failure(Reply.error(400, "Invalid resourceState " + state + "."));
        });
        return states;
    }

    /** Filter values within one parameter are alternatives; an absent parameter does not filter. */
    private static Predicate<HostResource> anyOf(List<String> values, BiPredicate<HostResource, String> matches) {
        return resource -> values.isEmpty() || values.stream().anyMatch(value -> matches.test(resource, value));
    }

    private static boolean containsIgnoreCase(String text, String part) {
        return text.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
    }

    private static Pattern pattern(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new Failure(Reply.error(400, "Invalid regex " + regex + "."));
        }
    }

    private static int intParameter(QueryParameters query, String name, int defaultValue) {
        long value = longParameter(query, name, defaultValue);
        if (value != (int) value) {
            throw new Failure(Reply.error(400, "Invalid value for " + name + "."));
        }
        return (int) value;
    }

    private static long longParameter(QueryParameters query, String name, long defaultValue) {
        Optional<String> text = query.first(name);
        try {
            return text.isEmpty() ? defaultValue : Long.parseLong(text.get());
        } catch (NumberFormatException e) {
            throw new Failure(Reply.error(400, "Invalid value for " + name + "."));
        }
    }
}
