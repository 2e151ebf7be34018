package maintsync.vrops;

import java.util.Map;

import maintsync.edge.CallLimits;
import maintsync.edge.Hooks;
import maintsync.edge.Settings;
import maintsync.edge.Tls;
import maintsync.vcenter.Vcenters;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The integration's connection to vROps, set up from the {@code vrops.*} settings: the trust its calls use (bound as
 * {@code vropsSslContextParameters} and {@code vropsHostnameVerifier} for the Kamelets) and their limits
 * ({@code vropsHttpClientConfigurer}), the client, the readiness check, and the token's release when the integration
 * stops.
 */
public final class VropsConnection {

    private static final Logger LOG = LoggerFactory.getLogger("vcenter-maintenance");

    private final VropsCalls calls;
    private final VropsClient client;

    private VropsConnection(VropsCalls calls, VropsClient client) {
        this.calls = calls;
        this.client = client;
    }

    /** A configured vCenter's own instance UUID wins over {@code vrops.vcenter-uuids}: it is what vROps keeps. */
    public static VropsConnection configure(CamelContext context, Vcenters vcenters) throws Exception {
        String username = Settings.required(context, "vrops.username");
        // (Camel's HTTP component would even turn an http:// call with TLS settings into TLS)
        Settings.httpsUrl(context, "vrops.url", "vROps serves its API over HTTPS only, and the password must not cross the network in clear text");
        String password = Settings.password(context, "vrops.password", "vrops.password-file", "VROPS_PASSWORD");

        Tls tls = Tls.of(context, "vrops.");
        context.getRegistry().bind("vropsSslContextParameters", tls.sslContextParameters());
        context.getRegistry().bind("vropsHostnameVerifier", tls.hostnameVerifier());
        context.getRegistry().bind("vropsHttpClientConfigurer", limits(context));

        VropsCalls calls = new VropsCalls(context, username, password, Settings.get(context, "vrops.auth-source", "LOCAL"));
        Map<String, String> uuids = VropsClient.parseVcenterUuids(Settings.get(context, "vrops.vcenter-uuids", ""));
        VropsConnection connection = new VropsConnection(calls, new VropsClient(calls, vcenters::instanceUuidOf, uuids));
        connection.registerReadiness(context);
        connection.releaseTokenWhenStopping(context);
        return connection;
    }

    /**
     * Bounds every call of the Kamelets: its answer to {@code vrops.max-answer-bytes}, and the whole call, from the
     * wait for a connection to the answer's last byte, to {@code vrops.connect-timeout-ms} plus
     * {@code vrops.response-timeout-ms}, which otherwise bound a connection and each read only, not a vROps that
     * sends a byte now and then.
     */
    private static HttpClientConfigurer limits(CamelContext context) {
        long connect = Settings.number(context, "vrops.connect-timeout-ms", 3000, 1, Integer.MAX_VALUE);
        long response = Settings.number(context, "vrops.response-timeout-ms", 10_000, 1, Integer.MAX_VALUE);
        CallLimits limits = new CallLimits("vROps", Settings.number(context, "vrops.max-answer-bytes", 4 << 20, 1, Integer.MAX_VALUE),
                "vrops.max-answer-bytes", context.getExecutorServiceManager().newSingleThreadScheduledExecutor(VropsConnection.class, "vrops-call-deadlines"));
        ExecChainHandler eachCall = limits.eachCall(connect + response,
                "within " + (connect + response) + " ms (vrops.connect-timeout-ms + vrops.response-timeout-ms)");
        return builder -> builder.addExecInterceptorFirst("vrops-call-limits", eachCall);
    }

    public VropsClient client() {
        return client;
    }

    private void registerReadiness(CamelContext context) throws Exception {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            LOG.warn("Camel health checks are off: readiness does not include vROps");
            return;
        }
        VropsReadiness readiness = new VropsReadiness(context, client::checkToken,
                Settings.number(context, "vrops.readiness.check-interval-ms", 10_000, 0, Integer.MAX_VALUE),
                (int) Settings.number(context, "vrops.readiness.failure-threshold", 3, 1, 1000),
                Settings.number(context, "vrops.readiness.refusal-hold-ms", 300_000, 0, Integer.MAX_VALUE));
        registry.register(readiness);
        calls.reportMaintenanceRightsTo(readiness);
        // the first check without waiting for a probe, which could start it only once the context has started
        Hooks.whenStarted(context, readiness::checkNow);
        // read at each scrape, which also starts a check when one is due, as a probe would
        Hooks.gauge(context, "vcenter.maintenance.vrops.ready", () -> readiness.notReadyBecause() == null ? 1 : 0);
    }

    /** Each acquired token is a session on the vROps appliance: it is released, not left to expire in 6 hours. */
    private void releaseTokenWhenStopping(CamelContext context) {
        Hooks.whenStopping(context, () -> {
            try {
                client.release();
            } catch (Exception e) {
                LOG.warn("Could not release the vROps token: {}", e.getMessage());
            }
        });
    }
}
