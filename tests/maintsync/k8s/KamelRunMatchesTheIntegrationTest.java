package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The {@code kamel run} command of docs/camel-k.md creates the Integration of {@code k8s/integration.yaml}: its flags,
 * turned into spec fields the way the kamel CLI does (pkg/cmd/run.go: {@code --trait a.b-c=v} sets the field
 * {@code bC} of trait {@code a}, repeated for a list; {@code --build-property} is {@code builder.properties}), give the
 * same dependencies, traits and name.
 */
class KamelRunMatchesTheIntegrationTest {

    private static final Path DOC = Path.of("docs/camel-k.md");
    private static final String COMMAND = "kamel run routes/VCenterMaintenanceRoute.java";
    /** Trait fields that hold lists, whose flag is repeated (the CRD's array fields among those the manifest sets). */
    private static final List<String> LISTS = List.of("jvm.options", "builder.properties", "mount.configs", "mount.resources");

    @Test
    void theDocumentedCommandCreatesTheIntegrationOfK8s() {
        ObjectNode fromFlags = integrationOf(flags());
        JsonNode integration = Manifests.single(Manifests.INTEGRATION).doc();
        ObjectNode traits = integration.at("/spec/traits").deepCopy();
        // --property file:k8s/integration.properties: the file GeneratedManifestsTest keeps equal to these
        ((ObjectNode) traits.get("camel")).remove("properties");

        assertThat(fromFlags.path("name").asText()).isEqualTo(integration.at("/metadata/name").asText());
        assertThat(fromFlags.path("dependencies")).isEqualTo(integration.at("/spec/dependencies"));
        assertThat(textual(fromFlags.path("traits"))).isEqualTo(textual(traits));
        assertThat(fromFlags.path("properties").asText()).isEqualTo("file:" + Manifests.INTEGRATION_PROPERTIES);
    }

    private static List<String> flags() {
        String doc = Manifests.text(DOC);
        int start = doc.indexOf(COMMAND);
        assertThat(start).as("%s shows the kamel run command", DOC).isNotNegative();
        String command = doc.substring(start + COMMAND.length(), doc.indexOf("\n```", start));
        return Arrays.stream(command.replace("\\\n", " ").trim().split("\\s+")).toList();
    }

    /** What the flags set: name, dependencies, traits, and the properties file. */
    private static ObjectNode integrationOf(List<String> flags) {
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        ArrayNode dependencies = spec.putArray("dependencies");
        ObjectNode traits = spec.putObject("traits");
        for (int i = 0; i < flags.size(); i++) {
            String flag = flags.get(i);
            String value = flags.get(++i);
            switch (flag) {
                case "-n" -> { }
                case "--name" -> spec.put("name", value);
                case "--property" -> spec.put("properties", value);
                case "--dependency" -> dependencies.add(value);
                case "--config" -> set(traits, "mount.configs", value);
                case "--resource" -> set(traits, "mount.resources", value);
                case "--build-property" -> set(traits, "builder.properties", value);
                case "--trait" -> {
                    String[] keyValue = value.split("=", 2);
                    set(traits, keyValue[0], keyValue[1]);
                }
                default -> throw new AssertionError("a flag this test does not know: " + flag);
            }
        }
        return spec;
    }

    private static void set(ObjectNode traits, String key, String value) {
        String[] traitAndField = key.split("\\.", 2);
        ObjectNode trait = traits.has(traitAndField[0]) ? (ObjectNode) traits.get(traitAndField[0]) : traits.putObject(traitAndField[0]);
        String field = camelCase(traitAndField[1]);
        if (LISTS.contains(traitAndField[0] + "." + field)) {
            (trait.has(field) ? (ArrayNode) trait.get(field) : trait.putArray(field)).add(value);
        } else {
            trait.put(field, value);
        }
    }

    private static String camelCase(String kebab) {
        StringBuilder name = new StringBuilder();
        for (String part : kebab.split("-")) {
            name.append(name.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return name.toString();
    }

    /** The same tree with every scalar as text: the CLI has only strings, the manifest numbers and booleans. */
    private static JsonNode textual(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.stream().sorted().forEach(name -> copy.set(name, textual(node.get(name))));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> copy.add(textual(element)));
            return copy;
        }
        return JsonNodeFactory.instance.textNode(node.asText());
    }
}
