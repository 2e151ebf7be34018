package maintsync.k8s;

import static maintsync.k8s.GeneratedManifests.REGENERATE;
import static maintsync.k8s.Manifests.INTEGRATION;
import static maintsync.k8s.Manifests.INTEGRATION_PROPERTIES;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code k8s/} copies from routes/, application.properties and kamelets/ has not drifted from them. With
 * {@code -Dk8s.sync=true} the copies are rewritten first, and the checks then hold for the new files.
 */
class GeneratedManifestsTest {

    @BeforeAll
    static void syncWhenAsked() {
        if (Boolean.getBoolean("k8s.sync")) {
            GeneratedManifests.write(GeneratedManifests.expected());
        }
    }

    @Test
    void everyGeneratedFileIsCurrent() {
        GeneratedManifests.expected().forEach((file, text) -> assertThat(Manifests.text(file))
                .withFailMessage("%s is out of date, %s; regenerate it with: %s", file,
                        firstDifference(Manifests.text(file), text), REGENERATE)
                .isEqualTo(text));
    }

    @Test
    void theIntegrationRunsTheSourcesAsTheyAreInRoutes() {
        List<String> names = new java.util.ArrayList<>();
        Map<String, Path> byName = new LinkedHashMap<>();
        Manifests.integrationSources().forEach(source -> byName.put(source.getFileName().toString(), source));
        Manifests.single(INTEGRATION).doc().path("spec").path("sources").forEach(source -> {
            names.add(source.path("name").asText());
            // Camel K mounts the sources side by side, by file name: the name alone finds the file in routes/
            Path file = byName.getOrDefault(source.path("name").asText(), Path.of("routes", source.path("name").asText()));
            assertThat(source.path("content").asText())
                    .withFailMessage("the source in %s is not %s, %s", INTEGRATION, file,
                            firstDifference(source.path("content").asText(), Manifests.text(file)))
                    .isEqualTo(Manifests.text(file));
        });

        assertThat(names).containsExactlyElementsOf(Manifests.integrationSources().stream()
                .map(source -> source.getFileName().toString()).toList());
    }

    @Test
    void theIntegrationAndKamelRunGetApplicationPropertiesWithoutTheSecretKeys() {
        Map<String, String> camelTrait = new LinkedHashMap<>();
        Manifests.single(INTEGRATION).doc().path("spec").path("traits").path("camel").path("properties")
                .forEach(setting -> {
                    String[] keyValue = setting.asText().split("=", 2);
                    camelTrait.put(keyValue[0], keyValue[1]);
                });

        assertThat(camelTrait).containsExactlyEntriesOf(GeneratedManifests.integrationProperties());
        assertThat(Manifests.properties(Manifests.text(INTEGRATION_PROPERTIES)))
                .containsExactlyEntriesOf(GeneratedManifests.integrationProperties());
    }

    @Test
    void eachKameletCopyIsTheKameletOfTheCatalog() {
        for (Path kamelet : GeneratedManifests.catalogKamelets()) {
            Path copy = GeneratedManifests.KAMELET_COPIES.resolve(kamelet.getFileName());

            assertThat(Manifests.single(copy).doc())
                    .withFailMessage("%s differs from %s; regenerate it with: %s", copy, kamelet, REGENERATE)
                    .isEqualTo(Manifests.single(kamelet).doc());
        }
    }

    /** The first line where the two texts differ, rather than both whole files in the failure message. */
    private static String firstDifference(String actual, String expected) {
        List<String> actualLines = actual.lines().toList();
        List<String> expectedLines = expected.lines().toList();
        for (int i = 0; i < Math.max(actualLines.size(), expectedLines.size()); i++) {
            String was = i < actualLines.size() ? actualLines.get(i) : "(end of file)";
            String wanted = i < expectedLines.size() ? expectedLines.get(i) : "(end of file)";
            if (!was.equals(wanted)) {
                return "line " + (i + 1) + " is \"" + was + "\" instead of \"" + wanted + "\"";
            }
        }
        return "the line endings differ";
    }
}
