package maintsync.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import com.fasterxml.jackson.databind.JsonNode;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The Maven project the Camel K operator generates for an Integration whose camel trait says
 * {@code runtimeProvider: plain-quarkus}, and its build, replayed from the manifest for each {@link CamelKOperator}.
 * Each step names the operator source it follows (apache/camel-k, paths under {@code pkg/}); where the versions
 * differ, the difference is a fact of {@link CamelKOperator}. Compare them with a later tag before trusting this
 * replay for another operator version.
 * <p>
 * Replayed: the catalog's runtime dependencies; the dependencies of the dependencies, kamelets, health and knative
 * traits; the validation of {@code camel:} dependencies and the catalog lookup of URI schemes; the generated pom; the
 * build-time properties; {@code mvn package}. Not replayed: the rest of the source inspector (REST, data formats,
 * languages in Java sources), which this project's sources do not use; the deprecated prometheus trait, which the
 * manifest leaves off; and the container image, whose layout {@link OperatorPod} lays out instead.
 */
public final class OperatorBuild {

    private static final String CAMEL_QUARKUS = "org.apache.camel.quarkus:camel-quarkus-";

    /** util/source/inspector.go: the literal URIs a Java source is inspected for (from, fromF, to, toD, toF, wireTap). */
    private static final Pattern JAVA_URI = Pattern.compile(
            "(?:from|fromF|\\.to|\\.toD|\\.toF|\\.wireTap)\\s*\\(\\s*\"([a-zA-Z0-9-]+:[^\"]+)\"");
    /** util/source/kamelet.go: the Kamelet a URI names. */
    private static final Pattern KAMELET = Pattern.compile("kamelet:(?://)?([a-z0-9-.]+)(?:/[a-z0-9-.]+)?(?:$|[^a-z0-9-.].*)");
    /** util/source/inspector.go {@code beanRegexp}: a bean call needs camel:bean. */
    private static final Pattern JAVA_BEAN = Pattern.compile(".*\\.bean\\(.*\\).*");

    /**
     * resources/resources/camel-catalog-3.15.3.yaml, the catalog plain-quarkus loads on both versions
     * ({@code trait/camel.go loadOrCreateCatalog} and {@code builder/quarkus.go loadCamelQuarkusCatalog}: 2.10.1's
     * {@code defaults.DefaultRuntimeVersion}, 2.11's {@code defaults.CamelKRuntimeCatalogVersion}, both 3.15.3): the
     * camel-quarkus artifact of each URI scheme this project uses.
     */
    private static final Map<String, String> SCHEMES = Map.of(
            "knative", "knative", "kamelet", "kamelet", "direct", "direct", "micrometer", "micrometer",
            "http", "http", "https", "http", "platform-http", "platform-http", "log", "log", "bean", "bean", "timer", "timer");

    /**
     * The artifacts of the same catalog that {@code camel:} dependencies may name here: trait/dependencies.go Configure
     * fails the Integration on one the catalog lacks (util/camel/camel_dependencies.go ValidateDependenciesE, "not
     * found in Camel catalog"), and so does this replay, on one it does not list. Camel Quarkus extensions newer than
     * 3.15 (observability-services is from 3.19) are missing from it: those go in as {@code mvn:} dependencies.
     */
    private static final Set<String> CATALOG_ARTIFACTS = Set.of("bean", "core", "direct", "http", "jackson", "jq", "jsonpath",
            "kamelet", "knative", "log", "micrometer", "microprofile-health", "platform-http", "timer");

    /** util/source/inspector_yaml.go: the languages of a YAML source, by key, and their artifact. */
    private static final Map<String, String> YAML_LANGUAGES = Map.of(
            "simple", "core", "constant", "core", "header", "core", "variable", "core", "ref", "core",
            "exchangeProperty", "core", "jq", "jq", "jsonpath", "jsonpath");

    /**
     * builder/quarkus.go {@code computeApplicationProperties}: keys the operator writes into every build's
     * application.properties, over any builder property of the same name.
     */
    private static final Map<String, String> FORCED_BUILD_PROPERTIES = Map.of(
            "quarkus.banner.enabled", "false",
            "quarkus.camel.routes-discovery.enabled", "false",
            "quarkus.camel.service.discovery.include-patterns",
            "META-INF/services/org/apache/camel/datatype/converter/*,META-INF/services/org/apache/camel/datatype/transformer/*,"
                    + "META-INF/services/org/apache/camel/transformer/*",
            "quarkus.class-loading.parent-first-artifacts", "org.graalvm.regex:regex");

    private OperatorBuild() {
    }

    /** {@code k8s/integration.yaml}. */
    public static JsonNode integration() {
        return Manifests.single(Manifests.INTEGRATION).doc();
    }

    /**
     * The Kamelet CRs of {@code k8s/kamelets/} that the sources call, as the operator finds them (trait/kamelets.go
     * Configure: the literal kamelet: URIs, util/source/kamelet.go ExtractKamelet) and reads them from the cluster.
     */
    public static List<JsonNode> kamelets(JsonNode integration) {
        Set<String> names = new TreeSet<>();
        for (JsonNode source : sources(integration)) {
            if (source.path("name").asText().endsWith(".yaml")) {
                names.addAll(yamlKamelets(Manifests.parse(source.path("content").asText())));
                continue;
            }
            Matcher uri = JAVA_URI.matcher(source.path("content").asText());
            while (uri.find()) {
                Matcher kamelet = KAMELET.matcher(uri.group(1));
                if (kamelet.matches()) {
                    names.add(kamelet.group(1));
                }
            }
        }
        List<JsonNode> kamelets = new ArrayList<>();
        for (String name : names) {
            kamelets.add(Manifests.single(GeneratedManifests.KAMELET_COPIES.resolve(name + Manifests.KAMELET_SUFFIX)).doc());
        }
        return kamelets;
    }

    /** The Integration's sources, its flows one of them (v1.Integration AllSources). */
    private static JsonNode sources(JsonNode integration) {
        return integration.at("/spec/flows").isArray() ? PipeIntegration.withFlowsAsSource(integration).at("/spec/sources")
                : integration.at("/spec/sources");
    }

    /**
     * util/source/inspector_yaml.go: the Kamelets a YAML source names, in kamelet: URIs (from, to, a dead letter
     * channel's deadLetterUri) and in kamelet steps ({@code kamelet: {name: <kamelet>/<id>}}).
     */
    private static Set<String> yamlKamelets(JsonNode node) {
        Set<String> names = new TreeSet<>();
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode value = field.getValue();
                if (field.getKey().equals("kamelet") && value.has("name")) {
                    names.add(value.path("name").asText().split("[/?]")[0]);
                } else if (value.isTextual()) {
                    Matcher kamelet = KAMELET.matcher(value.asText());
                    if (kamelet.matches()) {
                        names.add(kamelet.group(1));
                    }
                }
                names.addAll(yamlKamelets(value));
            }
        } else if (node.isArray()) {
            node.forEach(element -> names.addAll(yamlKamelets(element)));
        }
        return names;
    }

    static String runtimeVersion(JsonNode integration) {
        return integration.at("/spec/traits/camel/runtimeVersion").asText();
    }

    /**
     * The Maven artifacts of the generated project, sorted: {@code Integration.Status.Dependencies} as the traits of
     * {@code operator} compute it, mapped by {@code util/camel/camel_dependencies.go ManageIntegrationDependencies}.
     */
    static Set<String> dependencies(JsonNode integration, List<JsonNode> kamelets, CamelKOperator operator) {
        Set<String> dependencies = new TreeSet<>();
        JsonNode traits = integration.at("/spec/traits");
        if (traits.at("/prometheus/enabled").asBoolean(false)) {
            throw new IllegalStateException("The replay does not replay the prometheus trait, deprecated in 2.11: scrape "
                    + "with k8s/monitoring/podmonitor.yaml");
        }
        // trait/dependencies.go Configure: every camel: dependency must be in the catalog
        for (JsonNode dependency : integration.at("/spec/dependencies")) {
            String name = dependency.asText();
            if (name.startsWith("camel:") && !CATALOG_ARTIFACTS.contains(name.substring("camel:".length()))) {
                throw new IllegalStateException("dependency " + name + " not found in Camel catalog (or not yet listed in "
                        + "this replay's CATALOG_ARTIFACTS: add it if camel-catalog-3.15.3.yaml has it)");
            }
        }
        // trait/dependencies.go Apply: spec.dependencies, the runtime's own (the catalog's, CamelKOperator), a loader
        // per source language, and what the source inspector finds.
        integration.at("/spec/dependencies").forEach(dependency -> dependencies.add(artifact(dependency.asText())));
        dependencies.addAll(operator.runtimeDependencies);
        for (JsonNode source : sources(integration)) {
            dependencies.add(loader(source.path("name").asText()));
            dependencies.addAll(source.path("name").asText().endsWith(".yaml")
                    ? inspectYaml(Manifests.parse(source.path("content").asText()), operator)
                    : inspectJava(source.path("content").asText(), operator));
        }
        // trait/kamelets.go addKamelets: each Kamelet's dependencies, and its template as a YAML source
        // (addKameletAsSource), which brings the YAML loader and what the YAML inspector finds.
        for (JsonNode kamelet : kamelets) {
            kamelet.at("/spec/dependencies").forEach(dependency -> dependencies.add(artifact(dependency.asText())));
            dependencies.add(loader("kamelet.yaml"));
            dependencies.addAll(inspectYaml(kamelet.at("/spec/template"), operator));
        }
        // trait/health.go Apply: the catalog's dependencies of the health capability, on 2.10.1 only
        if (operator.healthCapability && traits.at("/health/enabled").asBoolean(operator.healthByDefault)) {
            dependencies.add(CAMEL_QUARKUS + "microprofile-health");
        }
        // trait/knative.go: the catalog's knative capability and the HTTP server
        if (traits.at("/knative/enabled").asBoolean(true)) {
            dependencies.add(CAMEL_QUARKUS + "knative");
            dependencies.add(CAMEL_QUARKUS + "platform-http");
        }
        return dependencies;
    }

    /**
     * trait/builder.go builderTask: {@code builder.properties}, the only properties that reach the build. The same on
     * both versions for this manifest: 2.11 appends its service discovery patterns to a builder value of that key
     * instead of replacing it, and the manifest sets none.
     */
    static Map<String, String> buildProperties(JsonNode integration) {
        Map<String, String> properties = new TreeMap<>();
        for (JsonNode entry : integration.at("/spec/traits/builder/properties")) {
            String[] keyValue = entry.asText().split("=", 2);
            if (keyValue.length != 2 || keyValue[0].isBlank() || keyValue[1].isBlank()) {
                throw new IllegalStateException("maven property must have key=value format: " + entry.asText());
            }
            properties.put(keyValue[0].strip(), keyValue[1].strip());
        }
        // trait/quarkus.go applyWhenBuildSubmitted, then builder/quarkus.go computeApplicationProperties
        properties.put("quarkus.package.jar.type", "fast-jar");
        properties.putAll(FORCED_BUILD_PROPERTIES);
        return properties;
    }

    /**
     * builder/quarkus.go generateQuarkusProjectCommon: the Quarkus Platform BOMs and the Quarkus Maven plugin, all at
     * {@code runtimeVersion} (a Quarkus Platform version for plain-quarkus), fast-jar packaging. The repositories
     * are the platform's Maven repositories, which generateQuarkusProject adds for repositories and plugins alike.
     * The jib profile it adds is left out: it only publishes the image. The project's version is the operator's
     * ({@code defaults.Version}). With {@code compileSources}, also the Java release the compiler needs, which the
     * operator's pom never sets.
     */
    private static String pom(CamelKOperator operator, String runtimeVersion, Set<String> dependencies, List<String> repositories,
            boolean compileSources) {
        StringBuilder pom = new StringBuilder("""
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>org.apache.camel.k.integration</groupId>
                  <artifactId>camel-k-integration</artifactId>
                  <version>%s</version>
                  <properties>
                    <quarkus.package.jar.type>fast-jar</quarkus.package.jar.type>%3$s
                  </properties>
                  <dependencyManagement>
                    <dependencies>
                      <dependency><groupId>io.quarkus.platform</groupId><artifactId>quarkus-camel-bom</artifactId><version>%2$s</version><type>pom</type><scope>import</scope></dependency>
                      <dependency><groupId>io.quarkus.platform</groupId><artifactId>quarkus-bom</artifactId><version>%2$s</version><type>pom</type><scope>import</scope></dependency>
                    </dependencies>
                  </dependencyManagement>
                  <dependencies>
                """.formatted(operator.version, runtimeVersion,
                compileSources ? "\n    <maven.compiler.source>17</maven.compiler.source>\n    <maven.compiler.target>17</maven.compiler.target>" : ""));
        for (String dependency : dependencies) {
            String[] ga = dependency.split(":");
            pom.append("    <dependency><groupId>").append(ga[0]).append("</groupId><artifactId>").append(ga[1])
                    .append("</artifactId></dependency>\n");
        }
        pom.append("  </dependencies>\n");
        for (String kind : List.of("repositor", "pluginRepositor")) {
            pom.append("  <").append(kind).append("ies>\n");
            for (int i = 0; i < repositories.size(); i++) {
                pom.append("    <").append(kind).append("y><id>platform-").append(i).append("</id><url>")
                        .append(repositories.get(i)).append("</url></").append(kind).append("y>\n");
            }
            pom.append("  </").append(kind).append("ies>\n");
        }
        pom.append("""
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>io.quarkus</groupId>
                        <artifactId>quarkus-maven-plugin</artifactId>
                        <version>%s</version>
                        <extensions>true</extensions>
                        <executions><execution><id>build-integration</id><goals><goal>build</goal></goals></execution></executions>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(runtimeVersion));
        return pom.toString();
    }

    /**
     * Writes the project {@code operator} generates into {@code directory} and runs {@code mvn package
     * -Dmaven.test.skip=true} (builder/quarkus.go BuildQuarkusRunnerCommon) with the Maven and local repository of the
     * running build. Returns {@code target/quarkus-app}, the fast-jar the image is made of.
     */
    public static Path build(JsonNode integration, List<JsonNode> kamelets, Path directory, List<String> repositories,
            CamelKOperator operator) {
        return build(integration, kamelets, directory, repositories, operator, Map.of(), false);
    }

    /**
     * The same, with two levers the operator does not offer, for the benchmark to measure: more build properties,
     * and the Integration's Java sources compiled into the application instead of compiled with jOOR at each start.
     */
    public static Path build(JsonNode integration, List<JsonNode> kamelets, Path directory, List<String> repositories,
            CamelKOperator operator, Map<String, String> moreBuildProperties, boolean compileSources) {
        return build(directory, pom(operator, runtimeVersion(integration), dependencies(integration, kamelets, operator),
                repositories, compileSources), integration, moreBuildProperties, compileSources);
    }

    private static final Map<Path, Map<CamelKOperator, Built>> BUILT_ONCE = new HashMap<>();

    /**
     * The build of {@code operator} in {@code work}: every replayed version built at the first call for that folder
     * ({@link #build(JsonNode, List, Path, List, List)}), with the IntegrationPlatform's repositories, and shared by the
     * calls after it, so that the test classes of the versions build once.
     */
    static synchronized Built builtOnce(Path work, JsonNode integration, List<JsonNode> kamelets, CamelKOperator operator) throws IOException {
        Map<CamelKOperator, Built> builds = BUILT_ONCE.get(work);
        if (builds == null) {
            OperatorPod.deleteRecursively(work);
            builds = build(integration, kamelets, Files.createDirectories(work.resolve("project")), platformRepositories(),
                    List.of(CamelKOperator.values()));
            BUILT_ONCE.put(work, builds);
        }
        return builds.get(operator);
    }

    /**
     * The IntegrationPlatform's Maven repositories: none on a machine that reaches Maven Central; here, the folder
     * the pom's maven-extra profile names, with what this workplace's registry lacks.
     */
    private static List<String> platformRepositories() {
        String extra = System.getProperty("camelk.extra-repository", "");
        return extra.isBlank() ? List.of() : List.of(extra);
    }

    /**
     * One build for every version in {@code operators}, where their projects differ only in dependencies: the union
     * of their dependencies is built once (the pom of the first version, with the union), and it stands for each
     * version whose missing dependencies are all declared by the POM of one of its own, so that its own build
     * resolves them too. Any other version gets a build of its own, in a folder beside, named after it. The value of each
     * version is its fast-jar and what the shared build added to its own dependencies.
     */
    static Map<CamelKOperator, Built> build(JsonNode integration, List<JsonNode> kamelets, Path directory,
            List<String> repositories, List<CamelKOperator> operators) {
        Map<CamelKOperator, Set<String>> own = new TreeMap<>();
        Set<String> union = new TreeSet<>();
        for (CamelKOperator operator : operators) {
            own.put(operator, dependencies(integration, kamelets, operator));
            union.addAll(own.get(operator));
        }
        Path shared = build(directory, pom(operators.get(0), runtimeVersion(integration), union, repositories, false),
                integration, Map.of(), false);
        Map<CamelKOperator, Built> built = new TreeMap<>();
        for (CamelKOperator operator : operators) {
            Set<String> added = new TreeSet<>(union);
            added.removeAll(own.get(operator));
            if (declaredByOneOf(own.get(operator), added, shared)) {
                built.put(operator, new Built(shared, added));
            } else {
                Path apart = directory.resolveSibling(directory.getFileName() + "-" + operator.version);
                built.put(operator, new Built(build(integration, kamelets, apart, repositories, operator), Set.of()));
            }
        }
        return built;
    }

    /** A fast-jar that stands for a version's build, and the dependencies it has that the version would not list. */
    record Built(Path quarkusApp, Set<String> added) {
    }

    private static Path build(Path directory, String pom, JsonNode integration, Map<String, String> moreBuildProperties,
            boolean compileSources) {
        try {
            Path resources = Files.createDirectories(directory.resolve("src/main/resources"));
            Files.writeString(directory.resolve("pom.xml"), pom);
            if (compileSources) {
                Path java = Files.createDirectories(directory.resolve("src/main/java"));
                for (JsonNode source : integration.at("/spec/sources")) {
                    Files.writeString(java.resolve(source.path("name").asText()), source.path("content").asText());
                }
            }
            Map<String, String> all = new TreeMap<>(moreBuildProperties);
            all.putAll(buildProperties(integration));
            StringBuilder properties = new StringBuilder();
            all.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
            Files.writeString(resources.resolve("application.properties"), properties);

            List<String> command = new ArrayList<>(List.of(maven(), "-B", "package", "-Dmaven.test.skip=true"));
            String localRepository = System.getProperty("maven.repo.local", "");
            if (!localRepository.isBlank()) {
                command.add("-Dmaven.repo.local=" + localRepository);
            }
            Path log = directory.resolve("build.log");
            Process maven = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!maven.waitFor(20, TimeUnit.MINUTES)) {
                maven.destroyForcibly();
                throw new IllegalStateException("The operator-style build took over 20 minutes; see " + log);
            }
            if (maven.exitValue() != 0) {
                List<String> lines = Files.readAllLines(log);
                throw new IllegalStateException("The operator-style build failed (" + log + "):\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
            return directory.resolve("target/quarkus-app");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether each of {@code wanted} is a direct, required dependency in the POM of one of {@code own}, read from the
     * jars of the fast-jar ({@code lib/main/<group>.<artifact>-<version>.jar}, {@code META-INF/maven/.../pom.xml}).
     */
    private static boolean declaredByOneOf(Set<String> own, Set<String> wanted, Path quarkusApp) {
        Set<String> declared = new TreeSet<>();
        try (var jars = Files.list(quarkusApp.resolve("lib/main"))) {
            for (Path jar : jars.toList()) {
                for (String artifact : own) {
                    String[] ga = artifact.split(":");
                    if (jar.getFileName().toString().matches(Pattern.quote(ga[0] + "." + ga[1]) + "-\\d.*\\.jar")) {
                        declared.addAll(pomDependencies(jar, ga[0], ga[1]));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return declared.containsAll(wanted);
    }

    private static Set<String> pomDependencies(Path jar, String groupId, String artifactId) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry("META-INF/maven/" + groupId + "/" + artifactId + "/pom.xml");
            if (entry == null) {
                return Set.of();
            }
            Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(zip.getInputStream(entry))
                    .getDocumentElement();
            Set<String> dependencies = new TreeSet<>();
            for (Element list : children(project, "dependencies")) {
                for (Element dependency : children(list, "dependency")) {
                    String scope = text(dependency, "scope");
                    if (!"true".equals(text(dependency, "optional")) && !Set.of("test", "provided").contains(scope)) {
                        dependencies.add(text(dependency, "groupId") + ":" + text(dependency, "artifactId"));
                    }
                }
            }
            return dependencies;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("Unreadable POM in " + jar, e);
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> children = new ArrayList<>();
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && element.getTagName().equals(name)) {
                children.add(element);
            }
        }
        return children;
    }

    private static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? "" : found.get(0).getTextContent().strip();
    }

    /** The Maven running this build (Failsafe passes maven.home), else the one on the PATH. */
    private static String maven() {
        String home = System.getProperty("maven.home", "");
        Path mvn = Path.of(home, "bin", "mvn");
        return !home.isBlank() && Files.isExecutable(mvn) ? mvn.toString() : "mvn";
    }

    /** util/camel/camel_dependencies.go addDependencies: {@code camel:x} and {@code mvn:g:a[:v]}. */
    static String artifact(String dependency) {
        if (dependency.startsWith("camel:")) {
            String name = dependency.substring("camel:".length());
            return name.startsWith("camel-") ? "org.apache.camel.quarkus:" + name : CAMEL_QUARKUS + name;
        }
        if (dependency.startsWith("camel-quarkus:")) {
            return CAMEL_QUARKUS + dependency.substring("camel-quarkus:".length());
        }
        if (dependency.startsWith("mvn:")) {
            String[] gav = dependency.substring("mvn:".length()).split(":");
            return gav[0] + ":" + gav[1];
        }
        throw new IllegalStateException("The replay does not know the dependency " + dependency);
    }

    /** trait/util.go ExtractSourceLoaderDependencies, with the catalog's loaders. */
    private static String loader(String sourceName) {
        if (sourceName.endsWith(".java")) {
            return CAMEL_QUARKUS + "java-joor-dsl";
        }
        if (sourceName.endsWith(".yaml")) {
            return CAMEL_QUARKUS + "yaml-dsl";
        }
        throw new IllegalStateException("The replay knows no loader for " + sourceName);
    }

    private static Set<String> inspectJava(String content, CamelKOperator operator) {
        Set<String> found = new TreeSet<>();
        Matcher uri = JAVA_URI.matcher(content);
        while (uri.find()) {
            scheme(uri.group(1), operator).ifPresent(found::add);
        }
        if (content.lines().anyMatch(line -> JAVA_BEAN.matcher(line).matches())) {
            found.add(CAMEL_QUARKUS + "bean");
        }
        return found;
    }

    /** util/source/inspector_yaml.go, over a Kamelet template: endpoint URIs and languages. */
    private static Set<String> inspectYaml(JsonNode node, CamelKOperator operator) {
        Set<String> found = new TreeSet<>();
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                String key = field.getKey();
                JsonNode value = field.getValue();
                if (value.isTextual() && Set.of("uri", "to", "toD", "wireTap").contains(key) && !value.asText().startsWith("{{")) {
                    scheme(value.asText(), operator).ifPresent(found::add);
                } else if (YAML_LANGUAGES.containsKey(key)) {
                    found.add(CAMEL_QUARKUS + YAML_LANGUAGES.get(key));
                }
                found.addAll(inspectYaml(value, operator));
            }
        } else if (node.isArray()) {
            node.forEach(element -> found.addAll(inspectYaml(element, operator)));
        }
        return found;
    }

    /** The artifact of a URI's scheme; 2.10.1 fails on a scheme its catalog lacks, 2.11 leaves it to the user. */
    private static Optional<String> scheme(String uri, CamelKOperator operator) {
        String scheme = uri.substring(0, uri.indexOf(':'));
        String artifact = SCHEMES.get(scheme);
        if (artifact == null && operator.unknownSchemeFails) {
            throw new IllegalStateException("component not found for uri \"" + uri + "\" in this replay's catalog "
                    + "table: add its scheme from the operator's catalog");
        }
        return Optional.ofNullable(artifact).map(name -> CAMEL_QUARKUS + name);
    }
}
