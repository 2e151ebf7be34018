package maintsync.k8s;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the Pipe controller of Camel K makes of a Pipe of {@code k8s/pipes/}, and what the knative trait adds for its
 * Broker source, read from apache/camel-k at v2.10.1 and v2.11.0-nightly, where these parts are alike (their diff is
 * lint comments and the 2.11 deprecation condition of the knative trait). Paths under {@code pkg/}.
 */
final class PipeIntegration {

    static final String TRAIT_ANNOTATION_PREFIX = "trait.camel.apache.org/";
    /** trait/util.go ConfigureTraits: the array fields the Pipes' annotations set (one value becomes a list of one). */
    private static final Set<String> ARRAY_FIELDS = Set.of("camel.properties", "jvm.options", "mount.configs", "mount.resources");
    /** pkg/trait/mount.go: the source name Camel K gives an Integration's flows (v1.Integration AllSources). */
    static final String FLOW_SOURCE = "camel-k-embedded-flow.yaml";

    private PipeIntegration() {
    }

    /**
     * controller/pipe/integration.go CreateIntegrationFor, for a Pipe of a Broker source, Kamelet steps and sink and a
     * sink error handler: the trait annotations turned into traits (trait/util.go ExtractAndMaybeDeleteTraits), the
     * created-by labels, the binding of each endpoint (util/bindings/knative_ref.go and kamelet.go: a step's
     * properties become camel.kamelet.&lt;name&gt;.&lt;id&gt;.&lt;property&gt; configuration, its id action-&lt;n&gt;,
     * the sink's sink, the error handler's errorHandler), and the flows: the dead letter channel, then the route
     * {@code binding}.
     */
    static ObjectNode of(Path pipeFile) {
        JsonNode pipe = Manifests.single(pipeFile).doc();
        String name = pipe.at("/metadata/name").asText();
        JsonNode spec = pipe.path("spec");
        ObjectNode integration = Manifests.YAML.createObjectNode();
        integration.put("apiVersion", "camel.apache.org/v1").put("kind", "Integration");
        ObjectNode metadata = integration.putObject("metadata");
        metadata.put("name", name);
        ObjectNode annotations = metadata.putObject("annotations");
        ObjectNode traits = Manifests.YAML.createObjectNode();
        pipe.at("/metadata/annotations").fields().forEachRemaining(annotation -> {
            if (annotation.getKey().startsWith(TRAIT_ANNOTATION_PREFIX)) {
                String[] traitAndField = annotation.getKey().substring(TRAIT_ANNOTATION_PREFIX.length()).split("\\.", 2);
                ObjectNode trait = traits.has(camelCase(traitAndField[0])) ? (ObjectNode) traits.get(camelCase(traitAndField[0]))
                        : traits.putObject(camelCase(traitAndField[0]));
                List<String> values = extractAsArray(annotation.getValue().asText());
                String field = camelCase(traitAndField[1]);
                if (ARRAY_FIELDS.contains(traitAndField[0] + "." + traitAndField[1])) {
                    ArrayNode list = trait.putArray(field);
                    values.forEach(list::add);
                } else {
                    trait.put(field, values.get(values.size() - 1));
                }
            } else if (!annotation.getKey().equals("camel.apache.org/kamelet.icon")) {
                annotations.put(annotation.getKey(), annotation.getValue().asText());
            }
        });
        ObjectNode labels = metadata.putObject("labels");
        labels.put("camel.apache.org/created.by.kind", "Pipe");
        labels.put("camel.apache.org/created.by.name", name);

        ObjectNode integrationSpec = integration.putObject("spec");
        Map<String, String> configuration = new TreeMap<>();

        // the Broker source: knative:event/<type>?apiVersion=..&kind=Broker&name=<broker>, its type a Trigger filter
        JsonNode source = spec.path("source");
        String type = source.at("/properties/type").asText();
        Map<String, String> parameters = new TreeMap<>();
        parameters.put("apiVersion", source.at("/ref/apiVersion").asText());
        parameters.put("kind", source.at("/ref/kind").asText());
        parameters.put("name", source.at("/ref/name").asText());
        // util/uri/uri.go AppendParameters: sorted, each key and value query-escaped
        String fromUri = "knative:event/" + type + "?" + parameters.entrySet().stream()
                .map(parameter -> URLEncoder.encode(parameter.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        ObjectNode knative = traits.has("knative") ? (ObjectNode) traits.get("knative") : traits.putObject("knative");
        knative.putArray("filters").add("type=" + type);
        knative.put("filterEventType", true);

        List<Map<String, Object>> steps = new ArrayList<>();
        int position = 0;
        for (JsonNode step : spec.path("steps")) {
            String id = "action-" + position++;
            steps.add(Map.of("kamelet", Map.of("name", kamelet(step, id, configuration))));
        }
        steps.add(Map.of("to", "kamelet:" + kamelet(spec.path("sink"), "sink", configuration)));

        List<Object> flows = new ArrayList<>();
        JsonNode deadLetter = spec.at("/errorHandler/sink/endpoint");
        if (!deadLetter.isMissingNode()) {
            flows.add(Map.of("errorHandler", Map.of("deadLetterChannel",
                    Map.of("deadLetterUri", "kamelet:" + kamelet(deadLetter, "errorHandler", configuration)))));
        }
        Map<String, Object> from = new LinkedHashMap<>();
        from.put("uri", fromUri);
        from.put("steps", steps);
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("id", "binding");
        route.put("from", from);
        flows.add(Map.of("route", route));

        integrationSpec.set("traits", traits);
        ArrayNode configurationNode = integrationSpec.putArray("configuration");
        configuration.forEach((key, value) -> configurationNode.addObject().put("type", "property").put("value", key + "=" + value));
        integrationSpec.set("flows", Manifests.YAML.valueToTree(flows));
        return integration;
    }

    /** The Integration as the operator's traits see it: its flows one YAML source (v1.Integration AllSources). */
    static ObjectNode withFlowsAsSource(JsonNode integration) {
        ObjectNode copy = integration.deepCopy();
        try {
            ((ObjectNode) copy.get("spec")).putArray("sources").addObject().put("name", FLOW_SOURCE)
                    .put("content", Manifests.YAML.writeValueAsString(integration.at("/spec/flows")));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return copy;
    }

    /** The knative:event URIs the routes consume (trait/knative.go Configure, filterMetaItems of the from URIs). */
    static List<String> eventSources(JsonNode integration) {
        List<String> uris = new ArrayList<>();
        for (JsonNode flow : integration.at("/spec/flows")) {
            String uri = flow.at("/route/from/uri").asText();
            if (uri.startsWith("knative:event")) {
                uris.add(uri);
            }
        }
        return uris;
    }

    /**
     * trait/knative.go configureEvents and internal/knative/types_support.go ToCamelProperties: per event source, a
     * resource at /events/&lt;type&gt; with reply=false, as application properties.
     */
    static Map<String, String> knativeEnvironment(JsonNode integration) {
        Map<String, String> properties = new TreeMap<>();
        List<String> sources = eventSources(integration);
        for (int i = 0; i < sources.size(); i++) {
            String resource = "camel.component.knative.environment.resources[" + i + "]";
            Map<String, String> parameters = parameters(sources.get(i));
            String type = eventType(sources.get(i));
            properties.put(resource + ".name", type.isEmpty() ? "default" : type);
            properties.put(resource + ".type", "event");
            properties.put(resource + ".objectKind", parameters.get("kind"));
            properties.put(resource + ".objectApiVersion", parameters.get("apiVersion"));
            properties.put(resource + ".endpointKind", "source");
            properties.put(resource + ".reply", "false");
            properties.put(resource + ".objectName", parameters.get("name"));
            properties.put(resource + ".url", "");
            properties.put(resource + ".path", "/events/" + type);
        }
        return properties;
    }

    /**
     * trait/knative.go createTrigger and util/knative/knative.go CreateKnativeServiceTrigger: per event source, a
     * Trigger of the Broker named &lt;broker&gt;-&lt;integration&gt;-&lt;type, sanitized&gt;, to the Integration's
     * Knative Service at /events/&lt;type&gt;, filtered on the knative trait's filters.
     */
    static List<ObjectNode> triggers(JsonNode integration) {
        List<ObjectNode> triggers = new ArrayList<>();
        String name = integration.at("/metadata/name").asText();
        for (String uri : eventSources(integration)) {
            Map<String, String> parameters = parameters(uri);
            String type = eventType(uri);
            ObjectNode trigger = Manifests.YAML.createObjectNode();
            trigger.put("apiVersion", "eventing.knative.dev/v1").put("kind", "Trigger");
            trigger.putObject("metadata").put("name", parameters.get("name") + "-" + name
                    + (type.isEmpty() ? "" : "-" + sanitizeLabel(type)));
            ObjectNode spec = trigger.putObject("spec");
            spec.put("broker", parameters.get("name"));
            Map<String, String> attributes = new TreeMap<>();
            for (JsonNode filter : integration.at("/spec/traits/knative/filters")) {
                String[] keyValue = filter.asText().split("=", 2);
                attributes.put(keyValue[0], keyValue[1]);
            }
            if (!attributes.containsKey("type") && integration.at("/spec/traits/knative/filterEventType").asBoolean(true)
                    && !type.isEmpty()) {
                attributes.put("type", type);
            }
            if (!attributes.isEmpty()) {
                spec.putObject("filter").set("attributes", Manifests.YAML.valueToTree(attributes));
            }
            ObjectNode subscriber = spec.putObject("subscriber");
            subscriber.putObject("ref").put("apiVersion", "serving.knative.dev/v1").put("kind", "Service").put("name", name);
            subscriber.put("uri", "/events/" + type);
            triggers.add(trigger);
        }
        return triggers;
    }

    /** util/kubernetes/sanitize.go SanitizeLabel. */
    static String sanitizeLabel(String name) {
        String lower = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "");
        return lower.replaceAll("^[^\\p{L}\\p{N}]+|[^\\p{L}\\p{N}]+$", "");
    }

    /** util/bindings/kamelet.go: kamelet:&lt;name&gt;/&lt;id&gt;, and its properties as configuration. */
    private static String kamelet(JsonNode endpoint, String id, Map<String, String> configuration) {
        String name = endpoint.at("/ref/name").asText();
        endpoint.path("properties").fields().forEachRemaining(property ->
                configuration.put("camel.kamelet." + name + "." + id + "." + property.getKey(), property.getValue().asText()));
        return name + "/" + id;
    }

    private static String eventType(String uri) {
        String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        return path.startsWith("knative:event/") ? path.substring("knative:event/".length()) : "";
    }

    private static Map<String, String> parameters(String uri) {
        Map<String, String> parameters = new TreeMap<>();
        if (uri.contains("?")) {
            for (String parameter : uri.substring(uri.indexOf('?') + 1).split("&")) {
                String[] keyValue = parameter.split("=", 2);
                parameters.put(URLDecoder.decode(keyValue[0], StandardCharsets.UTF_8),
                        keyValue.length == 2 ? URLDecoder.decode(keyValue[1], StandardCharsets.UTF_8) : "");
            }
        }
        return parameters;
    }

    /** trait/util.go extractAsArray: ["a", "b"] split at every comma, else the one value. */
    static List<String> extractAsArray(String value) {
        if (value.startsWith("[") && value.endsWith("]")) {
            List<String> values = new ArrayList<>();
            for (String item : value.substring(1, value.length() - 1).split(",")) {
                String property = item.strip();
                values.add(property.startsWith("\"") && property.endsWith("\"") ? property.substring(1, property.length() - 1) : property);
            }
            return values;
        }
        return List.of(value);
    }

    private static String camelCase(String kebab) {
        StringBuilder camel = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return camel.toString();
    }
}
