package maintsync.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every Java file of routes/ and its packages reaches every way the integration runs: {@code kamel run} through the
 * main file's {@code camel-k: source=} lines (the Integration's sources are generated from the same lines, see
 * GeneratedManifestsTest), Camel JBang and the demo through the two globs of {@link #JBANG_RUN}. Camel K mounts the
 * sources side by side under their file names, and its jOOR loader takes a class's package from the file's
 * {@code package} line, not from a folder; Maven and the Camel Quarkus application take it from the folder.
 */
class SourcesAreListedEverywhereTest {

    private static final Path ROUTES = Path.of("routes");
    private static final String JBANG_GLOBS = "routes/*.java routes/maintsync/*/*.java";
    private static final String JBANG_RUN = "jbang/camel run " + JBANG_GLOBS + " ";
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");

    @Test
    void theMainRouteFileNamesEveryOtherSourceOfRoutes() {
        assertThat(Manifests.integrationSources()).containsExactlyInAnyOrderElementsOf(sources());
    }

    @Test
    void theLocalRunsTakeEveryFileOfRoutes() {
        assertThat(Manifests.text(Path.of("jbang/demo"))).contains(JBANG_RUN);
        assertThat(Manifests.text(Path.of("README.md"))).contains(JBANG_RUN).contains("kamel run routes/VCenterMaintenanceRoute.java");
        assertThat(Manifests.text(Path.of("jbang/application.properties"))).contains(JBANG_RUN);
        List<PathMatcher> globs = Stream.of(JBANG_GLOBS.split(" "))
                .map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob)).toList();
        assertThat(sources()).allSatisfy(source -> assertThat(globs).as("a glob of the local runs that takes %s", source)
                .anyMatch(glob -> glob.matches(source)));
    }

    /** Camel K mounts every source in one folder, by its file name. */
    @Test
    void noTwoSourcesShareAFileName() {
        assertThat(sources().stream().map(Path::getFileName).map(Path::toString)).doesNotHaveDuplicates();
    }

    /** The route builders alone are in the default package; every other class in the package its folder names. */
    @Test
    void eachPackageLineNamesTheFolder() {
        assertThat(sources()).allSatisfy(source -> {
            Matcher line = PACKAGE.matcher(Manifests.text(source));
            String folder = ROUTES.relativize(source).getParent() == null ? ""
                    : ROUTES.relativize(source).getParent().toString().replace('/', '.');
            assertThat(line.find() ? line.group(1) : "").as("the package of %s", source).isEqualTo(folder);
            assertThat(folder.isEmpty()).as("%s is in the default package exactly when it is a route builder", source)
                    .isEqualTo(Manifests.text(source).contains(" extends RouteBuilder"));
        });
    }

    private static List<Path> sources() {
        try (Stream<Path> files = Files.walk(ROUTES)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
