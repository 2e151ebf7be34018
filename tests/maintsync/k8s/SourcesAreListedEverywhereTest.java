package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every Java file of routes/ reaches every way the integration runs: {@code kamel run} through the main file's
 * {@code camel-k: source=} lines (the Integration's sources are generated from the same lines, see
 * GeneratedManifestsTest), Camel JBang and the demo through {@code routes/*.java}.
 */
class SourcesAreListedEverywhereTest {

    private static final String JBANG_RUN = "jbang/camel run routes/*.java ";

    @Test
    void theMainRouteFileNamesEveryOtherSourceOfRoutes() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            assertThat(Manifests.integrationSources())
                    .containsExactlyInAnyOrderElementsOf(files.filter(file -> file.toString().endsWith(".java")).toList());
        }
    }

    @Test
    void theLocalRunsTakeEveryFileOfRoutes() {
        assertThat(Manifests.text(Path.of("jbang/demo"))).contains(JBANG_RUN);
        assertThat(Manifests.text(Path.of("README.md"))).contains(JBANG_RUN).contains("kamel run routes/VCenterMaintenanceRoute.java");
        assertThat(Manifests.text(Path.of("jbang/application.properties"))).contains(JBANG_RUN);
    }
}
