package maintsync;

import java.util.Map;

import maintsync.vrops.VropsOpenApi;
import maintsync.vrops.VropsSimulator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The vROps simulator and the integration a test runs against, with their lifecycle: every request the integration
 * sent to vROps is checked against the vendor OpenAPI document after each test, and everything is stopped.
 * <p>
 * As a static {@code @RegisterExtension} field ({@link #sharedByTheClass()}) one integration with the default
 * settings serves every test of the class; as an instance field ({@link #perTest()}) each test starts its own with
 * the settings it needs.
 */
public final class IntegrationUnderTest implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private final boolean shared;
    private final Map<String, String> sharedSettings;
    private VropsSimulator vrops;
    private IntegrationHarness integration;

    private IntegrationUnderTest(boolean shared, Map<String, String> sharedSettings) {
        this.shared = shared;
        this.sharedSettings = sharedSettings;
    }

    public static IntegrationUnderTest sharedByTheClass() {
        return sharedByTheClass(Map.of());
    }

    /** One integration for the class, started with these settings over the defaults. */
    public static IntegrationUnderTest sharedByTheClass(Map<String, String> settings) {
        return new IntegrationUnderTest(true, settings);
    }

    public static IntegrationUnderTest perTest() {
        return new IntegrationUnderTest(false, Map.of());
    }

    /** The simulator, started on first use. */
    public VropsSimulator vrops() {
        if (vrops == null) {
            vrops = VropsSimulator.builder().start();
        }
        return vrops;
    }

    /** Starts the integration against {@link #vrops()} with these settings over the defaults. */
    public IntegrationHarness start(Map<String, String> settings) throws Exception {
        integration = IntegrationHarness.against(vrops(), settings);
        return integration;
    }

    public IntegrationHarness start() throws Exception {
        return start(Map.of());
    }

    /** The integration started last. */
    public IntegrationHarness integration() {
        return integration;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (shared) {
            start(sharedSettings);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!shared) {
            stop();
        } else if (vrops != null) {
            VropsOpenApi.load().assertRequestsValid(vrops.requests());
            vrops.clearRequests();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    private void stop() {
        if (integration != null) {
            integration.close();
            integration = null;
        }
        if (vrops != null) {
            try {
                VropsOpenApi.load().assertRequestsValid(vrops.requests());
            } finally {
                vrops.close();
                vrops = null;
            }
        }
    }
}
