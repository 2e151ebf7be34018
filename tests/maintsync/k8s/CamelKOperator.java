package maintsync.k8s;

import java.util.List;

/**
 * The Camel K operator versions the replay follows, and what each does differently with a plain-quarkus Integration.
 * Every fact names the operator source it was read from (apache/camel-k at {@link #tag}, paths under {@code pkg/});
 * {@link OperatorBuild} and {@link OperatorPod} do the rest, which the two tags do alike, the same way for both.
 */
public enum CamelKOperator {

    /**
     * Released 2026-05-14. Its plain-quarkus catalog's runtime dependencies:
     * controller/integrationplatform/monitor.go addPlainQuarkusCatalog.
     */
    V2_10_1("2.10.1", "v2.10.1", List.of("org.apache.camel.quarkus:camel-quarkus-core"), false, true, 0, "/q/health", true),

    /**
     * Released 2026-09, read at tag {@code v2.11.0-nightly} (2026-08-22), the newest to be had; the 2.11.0 release
     * notes name the same changes. Its plain-quarkus catalog's runtime dependencies: controller/catalog/initialize.go
     * addPlainQuarkusCatalog, which adds camel-quarkus-observability-services to every Integration.
     */
    V2_11_0("2.11.0", "v2.11.0-nightly",
            List.of("org.apache.camel.quarkus:camel-quarkus-core", "org.apache.camel.quarkus:camel-quarkus-observability-services"),
            true, false, 9876, "/observe/health", false);

    /** The serving port of the integration container: trait/container.go {@code defaultContainerPort}, both versions. */
    static final int CONTAINER_PORT = 8080;

    /** {@code util/defaults/defaults.go Version}, which the operator writes into the pom and {@code CAMEL_K_VERSION}. */
    final String version;
    /** The tag of apache/camel-k this version's facts were read at. */
    final String tag;
    /** The runtime dependencies of the plain-quarkus catalog, which every Integration gets. */
    final List<String> runtimeDependencies;
    /** trait/health.go Configure: whether the health trait is on when the Integration does not say. */
    final boolean healthByDefault;
    /** trait/health.go Apply: whether the trait adds the catalog's health capability (camel-quarkus-microprofile-health). */
    final boolean healthCapability;
    /** trait/health.go setProbesValues: the probes' default port; 0 for the integration container's port. */
    final int probesPort;
    /** trait/health.go: the default base path of the probes, before {@code /live} and {@code /ready}. */
    final String probesBasePath;
    /** util/source/inspector.go addDependencies: whether a URI scheme the catalog lacks fails the Integration. */
    final boolean unknownSchemeFails;

    CamelKOperator(String version, String tag, List<String> runtimeDependencies, boolean healthByDefault,
            boolean healthCapability, int probesPort, String probesBasePath, boolean unknownSchemeFails) {
        this.version = version;
        this.tag = tag;
        this.runtimeDependencies = runtimeDependencies;
        this.healthByDefault = healthByDefault;
        this.healthCapability = healthCapability;
        this.probesPort = probesPort;
        this.probesBasePath = probesBasePath;
        this.unknownSchemeFails = unknownSchemeFails;
    }

    @Override
    public String toString() {
        return "Camel K " + version + " (" + tag + ")";
    }
}
