package maintsync.k8s;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The files of the Kubernetes delivery, read as Kubernetes reads them: every YAML document under {@code k8s/}, the
 * Kamelets of {@code kamelets/}, and the other project files the manifests must agree with. Paths are relative to
 * the project directory, where Maven runs the tests.
 */
final class Manifests {

    static final Path K8S = Path.of("k8s");
    static final Path PIPES = K8S.resolve("pipes");
    static final Path KAMELETS = Path.of("kamelets");
    static final Path ROUTE = Path.of("routes/VCenterMaintenanceRoute.java");
    static final Path APPLICATION_PROPERTIES = Path.of("application.properties");
    static final Path INTEGRATION = K8S.resolve("integration.yaml");
    static final Path INTEGRATION_PROPERTIES = K8S.resolve("integration.properties");
    static final Path EVENT_ROUTER_TRIGGERS = K8S.resolve("event-router-triggers.yaml");
    static final Path TANZU_SOURCES_TRIGGERS = K8S.resolve("tanzu-sources-triggers.yaml");
    static final Path SECRET_EXAMPLE = K8S.resolve("vrops-secret.example.yaml");
    static final Path PASSWORD_EXAMPLE = K8S.resolve("vrops-password.example.yaml");
    static final String KAMELET_SUFFIX = ".kamelet.yaml";
    static final String SOURCE_MODELINE = "// camel-k: source=";

    static final YAMLMapper YAML = new YAMLMapper();

    /** One YAML document of a file. */
    record Manifest(Path file, JsonNode doc) {

        String apiVersion() {
            return doc.path("apiVersion").asText();
        }

        String kind() {
            return doc.path("kind").asText();
        }

        String name() {
            return doc.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return kind() + " " + name() + " (" + file + ")";
        }
    }

    private Manifests() {
    }

    /** Every document of every YAML file under {@code k8s/}, kustomizations included. */
    static List<Manifest> all() {
        try (Stream<Path> files = Files.walk(K8S)) {
            return files.filter(file -> file.toString().endsWith(".yaml")).sorted()
                    .flatMap(file -> read(file).stream().map(doc -> new Manifest(file, doc)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The Java sources of the Integration, as {@code kamel run routes/VCenterMaintenanceRoute.java} sends them: the
     * main route file, then each file its {@code // camel-k: source=} lines name (pkg/cmd/modeline.go).
     */
    static List<Path> integrationSources() {
        List<Path> sources = new java.util.ArrayList<>(List.of(ROUTE));
        Manifests.text(ROUTE).lines().filter(line -> line.startsWith(SOURCE_MODELINE))
                .map(line -> Path.of(line.substring(SOURCE_MODELINE.length()).strip())).forEach(sources::add);
        return sources;
    }

    static List<Manifest> ofKind(String kind) {
        return all().stream().filter(manifest -> manifest.kind().equals(kind)).toList();
    }

    static Manifest single(Path file) {
        List<JsonNode> docs = read(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(file + " holds " + docs.size() + " documents, not 1");
        }
        return new Manifest(file, docs.get(0));
    }

    /** The Kamelet files: those of {@code kamelets/} and the copy under {@code k8s/}. */
    static List<Path> kameletFiles() {
        try (Stream<Path> catalog = Files.list(KAMELETS); Stream<Path> k8s = Files.walk(K8S)) {
            return Stream.concat(catalog, k8s).filter(file -> file.toString().endsWith(KAMELET_SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> read(Path file) {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            return docs.readAll().stream().filter(doc -> !doc.isMissingNode() && !doc.isNull()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    static JsonNode parse(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Properties in the order of the text, as {@link Properties#load} reads them. */
    static Map<String, String> properties(String text) {
        Map<String, String> ordered = new LinkedHashMap<>();
        Properties reader = new Properties() {
            @Override
            public synchronized Object put(Object key, Object value) {
                ordered.put((String) key, (String) value);
                return super.put(key, value);
            }
        };
        try {
            reader.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ordered;
    }

    /** The settings of the example Secret: each key of its stringData is one property, as Camel K mounts it. */
    static Map<String, String> secretExampleProperties() {
        Map<String, String> settings = new LinkedHashMap<>();
        single(SECRET_EXAMPLE).doc().path("stringData").fields()
                .forEachRemaining(key -> settings.put(key.getKey(), key.getValue().asText()));
        return settings;
    }
}
