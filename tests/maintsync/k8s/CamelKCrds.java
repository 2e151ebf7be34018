package maintsync.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi30;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * The Camel K CRDs of {@code org.apache.camel.k:camel-k-crds} (YAML files at the jar root), applied as an API server
 * applies a structural schema, but stricter: where the API server would silently drop a field it does not know, here
 * the field fails. A field is known where the schema lists it, or where an object allows any field
 * ({@code additionalProperties} as a schema, or {@code x-kubernetes-preserve-unknown-fields}). {@code metadata} is the
 * API server's ObjectMeta, checked with the fabric8 model.
 */
final class CamelKCrds {

    /**
     * A field Camel K added to a CRD after 2.4.0, the last release published as {@code camel-k-crds}, and that the
     * manifests use; its schema is the one of the later CRD. Each addition must be missing from the 2.4.0 schema, so
     * that an upgrade of the artifact shows which ones have become redundant.
     */
    private record Addition(String kind, String objectPointer, String field, String schema, String source) {
    }

    private static final List<Addition> ADDITIONS = List.of(
            new Addition("Integration", "/properties/spec/properties/traits/properties/camel", "runtimeProvider",
                    "{\"type\": \"string\", \"enum\": [\"quarkus\", \"plain-quarkus\"]}",
                    "Camel K 2.6, apache/camel-k#5991 (pkg/resources/config/crd/bases/camel.apache.org_integrations.yaml)"),
            new Addition("Integration", "/properties/spec/properties/traits/properties/health", "livenessPort",
                    "{\"type\": \"integer\", \"format\": \"int32\"}",
                    "Camel K 2.10.0, apache/camel-k commit dccff3f6d (pkg/apis/camel/v1/trait/health.go)"),
            new Addition("Integration", "/properties/spec/properties/traits/properties/health", "readinessPort",
                    "{\"type\": \"integer\", \"format\": \"int32\"}",
                    "Camel K 2.10.0, apache/camel-k commit dccff3f6d (pkg/apis/camel/v1/trait/health.go)"));

    private static final List<String> CRD_FILES = List.of(
            "camel.apache.org_integrations.yaml", "camel.apache.org_kamelets.yaml", "camel.apache.org_pipes.yaml");
    private static final String PRESERVE_UNKNOWN = "x-kubernetes-preserve-unknown-fields";

    private final Map<String, JsonSchema> schemas = new HashMap<>();

    private CamelKCrds() {
    }

    static CamelKCrds load() {
        CamelKCrds crds = new CamelKCrds();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
                builder -> builder.metaSchema(OpenApi30.getInstance()).defaultMetaSchemaIri(OpenApi30.getInstance().getIri()));
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().nullableKeywordEnabled(true).build();
        for (String file : CRD_FILES) {
            JsonNode crd = readCrd(file);
            String group = crd.path("spec").path("group").asText();
            String kind = crd.path("spec").path("names").path("kind").asText();
            for (JsonNode version : crd.path("spec").path("versions")) {
                if (!version.path("served").asBoolean()) {
                    continue;
                }
                ObjectNode schema = (ObjectNode) version.path("schema").path("openAPIV3Schema").deepCopy();
                addLaterFields(kind, schema);
                strict(schema);
                // ObjectMeta is checked on its own: the CRD leaves it to the API server.
                ((ObjectNode) schema.path("properties")).set("metadata", JsonNodeFactory.instance.objectNode().put("type", "object"));
                crds.schemas.put(group + "/" + version.path("name").asText() + " " + kind, factory.getSchema(schema, config));
            }
        }
        return crds;
    }

    /** What the API server would reject or drop, one message per problem; empty when the resource is valid. */
    List<String> problems(JsonNode resource) {
        String apiVersionKind = resource.path("apiVersion").asText() + " " + resource.path("kind").asText();
        JsonSchema schema = schemas.get(apiVersionKind);
        if (schema == null) {
            return List.of("no served CRD version for " + apiVersionKind + "; known: " + schemas.keySet());
        }
        List<String> problems = new ArrayList<>();
        try {
            ObjectMeta metadata = StrictKubernetesModel.read(resource.path("metadata"), ObjectMeta.class);
            if (metadata == null || metadata.getName() == null || metadata.getName().isBlank()) {
                problems.add("$.metadata.name: missing");
            }
        } catch (JsonProcessingException e) {
            problems.add("$.metadata: " + e.getOriginalMessage());
        }
        for (ValidationMessage message : schema.validate(resource)) {
            problems.add(message.getMessage());
        }
        return problems;
    }

    private static JsonNode readCrd(String file) {
        try (InputStream in = CamelKCrds.class.getResourceAsStream("/" + file)) {
            if (in == null) {
                throw new IllegalStateException(file + " is not on the test class path: is camel-k-crds a dependency?");
            }
            return Manifests.YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void addLaterFields(String kind, ObjectNode schema) {
        for (Addition addition : ADDITIONS) {
            if (!addition.kind().equals(kind)) {
                continue;
            }
            JsonNode object = schema.at(addition.objectPointer());
            if (!(object.path("properties") instanceof ObjectNode properties)) {
                throw new IllegalStateException(kind + " CRD has no object at " + addition.objectPointer());
            }
            if (properties.has(addition.field())) {
                throw new IllegalStateException(kind + " CRD already has " + addition.field() + " at "
                        + addition.objectPointer() + ": remove the addition from " + CamelKCrds.class.getSimpleName());
            }
            properties.set(addition.field(), Manifests.parse(addition.schema()));
        }
    }

    /**
     * Sets {@code additionalProperties: false} on every object schema that neither allows unknown fields nor maps
     * keys to values, and drops the Kubernetes extensions, which mean nothing to a JSON schema validator.
     */
    private static void strict(JsonNode node) {
        if (!(node instanceof ObjectNode schema)) {
            return;
        }
        boolean preserveUnknown = schema.path(PRESERVE_UNKNOWN).asBoolean(false);
        boolean object = "object".equals(schema.path("type").asText()) || schema.has("properties");
        if (object && !preserveUnknown && !schema.has("additionalProperties")) {
            schema.put("additionalProperties", false);
        }
        for (Iterator<String> names = schema.fieldNames(); names.hasNext();) {
            if (names.next().startsWith("x-kubernetes-")) {
                names.remove();
            }
        }
        schema.path("properties").forEach(CamelKCrds::strict);
        strict(schema.path("items"));
        strict(schema.path("additionalProperties"));
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            schema.path(combinator).forEach(CamelKCrds::strict);
        }
        strict(schema.path("not"));
    }
}
