package maintsync.k8s;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The rules the Apache Camel Kamelets catalog enforces on its Kamelets (its validator, script/validator), applied to
 * ours. Each broken rule is one line of {@link #violations}.
 */
final class KameletCatalogRules {

    static final String TYPE_LABEL = "camel.apache.org/kamelet.type";
    static final String ICON = "camel.apache.org/kamelet.icon";
    static final String PROVIDER = "camel.apache.org/provider";
    static final String CATALOG_VERSION = "camel.apache.org/catalog.version";
    static final String CREDENTIALS = "urn:camel:group:credentials";

    private static final Map<String, String> TITLE_SUFFIX = Map.of("source", "Source", "sink", "Sink", "action", "Action");
    private static final String SVG_DATA = "data:image/svg+xml;base64,";
    /** {{name}}, {{?name}} and {{name:default}}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\??([^}:?]+)(?::[^}]*)?}}");
    private static final Pattern DEPENDENCY = Pattern.compile(
            "camel:[a-z0-9][a-z0-9-]*|mvn:[^:\\s]+:[^:\\s]+:[^:\\s]+(:[^:\\s]+)?|github:\\S+");

    private KameletCatalogRules() {
    }

    /** What the catalog validator would report on this Kamelet; empty when it follows every rule. */
    static List<String> violations(Path file, JsonNode kamelet) {
        List<String> violations = new ArrayList<>();
        JsonNode metadata = kamelet.path("metadata");
        String name = metadata.path("name").asText();
        String type = metadata.path("labels").path(TYPE_LABEL).asText();
        JsonNode definition = kamelet.path("spec").path("definition");
        JsonNode properties = definition.path("properties");

        if (!file.getFileName().toString().equals(name + Manifests.KAMELET_SUFFIX)) {
            violations.add("file name " + file.getFileName() + " is not metadata.name + " + Manifests.KAMELET_SUFFIX);
        }
        if (!TITLE_SUFFIX.containsKey(type)) {
            violations.add("label " + TYPE_LABEL + " is '" + type + "', not one of " + TITLE_SUFFIX.keySet());
        } else {
            if (!name.endsWith("-" + type)) {
                violations.add("name " + name + " does not end with -" + type);
            }
            if (!definition.path("title").asText().endsWith(TITLE_SUFFIX.get(type))) {
                violations.add("title '" + definition.path("title").asText() + "' does not end with " + TITLE_SUFFIX.get(type));
            }
        }
        if (definition.path("description").asText().isBlank()) {
            violations.add("definition has no description");
        }
        if (!"object".equals(definition.path("type").asText())) {
            violations.add("definition type is not object");
        }
        properties.properties().forEach(property -> violations.addAll(propertyViolations(property.getKey(), property.getValue())));
        definition.path("required").forEach(required -> {
            if (!properties.has(required.asText())) {
                violations.add("required property " + required.asText() + " is not declared");
            }
        });
        violations.addAll(templateViolations(kamelet, type, properties));
        kamelet.path("spec").path("dependencies").forEach(dependency -> {
            if (!DEPENDENCY.matcher(dependency.asText()).matches()) {
                violations.add("dependency " + dependency.asText() + " is not camel:, mvn:group:artifact:version or github:");
            }
        });
        violations.addAll(iconViolations(metadata.path("annotations").path(ICON).asText()));
        if (metadata.path("annotations").path(PROVIDER).asText().isBlank()) {
            violations.add("annotation " + PROVIDER + " is missing");
        }
        if (metadata.path("annotations").path(CATALOG_VERSION).asText().isBlank()) {
            violations.add("annotation " + CATALOG_VERSION + " is missing");
        }
        return violations;
    }

    private static List<String> propertyViolations(String name, JsonNode property) {
        List<String> violations = new ArrayList<>();
        for (String field : List.of("title", "type", "description")) {
            if (property.path(field).asText().isBlank()) {
                violations.add("property " + name + " has no " + field);
            }
        }
        boolean credentials = false;
        for (JsonNode descriptor : property.path("x-descriptors")) {
            credentials |= CREDENTIALS.equals(descriptor.asText());
        }
        if ("password".equals(property.path("format").asText()) && !credentials) {
            violations.add("property " + name + " has format password without x-descriptors " + CREDENTIALS);
        }
        return violations;
    }

    /** Every parameter the template uses is declared, every declared one is used, and a sink starts from the source. */
    private static List<String> templateViolations(JsonNode kamelet, String type, JsonNode properties) {
        List<String> violations = new ArrayList<>();
        JsonNode template = kamelet.path("spec").path("template");
        Set<String> beans = new HashSet<>();
        template.path("beans").forEach(bean -> beans.add(bean.path("name").asText()));
        Set<String> used = new LinkedHashSet<>();
        collectPlaceholders(template, used);
        used.removeAll(beans);
        for (String parameter : used) {
            if (!properties.has(parameter)) {
                violations.add("template uses {{" + parameter + "}}, which is not a declared property");
            }
        }
        properties.fieldNames().forEachRemaining(property -> {
            if (!used.contains(property)) {
                violations.add("property " + property + " is declared but the template never uses it");
            }
        });
        if ("sink".equals(type) && !"kamelet:source".equals(template.path("from").path("uri").asText())) {
            violations.add("a sink's template must start from kamelet:source");
        }
        if ("source".equals(type) && !template.toString().contains("kamelet:sink")) {
            violations.add("a source's template must send to kamelet:sink");
        }
        return violations;
    }

    private static void collectPlaceholders(JsonNode node, Set<String> names) {
        if (node.isTextual()) {
            Matcher matcher = PLACEHOLDER.matcher(node.asText());
            while (matcher.find()) {
                names.add(matcher.group(1).strip());
            }
        }
        node.forEach(child -> collectPlaceholders(child, names));
    }

    private static List<String> iconViolations(String icon) {
        if (!icon.startsWith(SVG_DATA)) {
            return List.of("annotation " + ICON + " is not an embedded " + SVG_DATA + " image");
        }
        try {
            byte[] svg = Base64.getDecoder().decode(icon.substring(SVG_DATA.length()));
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setNamespaceAware(true);
            String root = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg)).getDocumentElement().getLocalName();
            return "svg".equals(root) ? List.of() : List.of("the icon's root element is " + root + ", not svg");
        } catch (Exception e) {
            return List.of("the icon is not base64 of an SVG document: " + e.getMessage());
        }
    }
}
