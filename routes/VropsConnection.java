import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The integration's connection to vROps, set up from the {@code vrops.*} settings: the trust its calls use (bound as
 * {@code vropsSslContextParameters} and {@code vropsHostnameVerifier} for the Kamelets), the calls, the session with
 * its token, the readiness check, and the token's release when the integration stops.
 */
public final class VropsConnection {

    private static final Logger LOG = LoggerFactory.getLogger("vcenter-maintenance");

    private final VropsCalls calls;
    private final VropsSession session;

    private VropsConnection(VropsCalls calls, VropsSession session) {
        this.calls = calls;
        this.session = session;
    }

    /** A configured vCenter's own instance UUID wins over {@code vrops.vcenter-uuids}: it is what vROps keeps. */
    static VropsConnection configure(CamelContext context, Vcenters vcenters) throws Exception {
        String username = Settings.required(context, "vrops.username");
        requireHttps(Settings.required(context, "vrops.url"));
        String password = Settings.password(context, "vrops.password", "vrops.password-file", "VROPS_PASSWORD");

        boolean insecure = Boolean.parseBoolean(Settings.get(context, "vrops.tls.insecure", "false"));
        if (insecure) {
            LOG.warn("vrops.tls.insecure=true: the vROps certificate and host name are NOT verified. Use vrops.tls.ca-file outside a lab.");
        }
        Tls tls = Tls.of("vrops.tls.ca-file", insecure, Settings.get(context, "vrops.tls.ca-file", ""));
        context.getRegistry().bind("vropsSslContextParameters", tls.sslContextParameters());
        context.getRegistry().bind("vropsHostnameVerifier", tls.hostnameVerifier());

        VropsCalls calls = new VropsCalls(context, username, password, Settings.get(context, "vrops.auth-source", "LOCAL"));
        Map<String, String> uuids = VropsSession.parseVcenterUuids(Settings.get(context, "vrops.vcenter-uuids", ""));
        VropsSession.VcenterUuids vcenterUuids = vcenter -> {
            Optional<Vcenters.Vcenter> known = vcenters.of(vcenter);
            return known.isPresent() ? known.get().instanceUuid() : uuids.get(vcenter);
        };
        VropsConnection connection = new VropsConnection(calls, new VropsSession(calls, vcenterUuids));
        connection.registerReadiness(context);
        connection.releaseTokenWhenStopping(context);
        return connection;
    }

    VropsCalls calls() {
        return calls;
    }

    VropsSession session() {
        return session;
    }

    private void registerReadiness(CamelContext context) throws Exception {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            LOG.warn("Camel health checks are off: readiness does not include vROps");
            return;
        }
        VropsReadiness readiness = new VropsReadiness(context, () -> session.withToken(token -> {
                    calls.checkToken(token);
                    return null;
                }),
                Long.parseLong(Settings.get(context, "vrops.readiness.check-interval-ms", "10000")),
                Integer.parseInt(Settings.get(context, "vrops.readiness.failure-threshold", "3")),
                Long.parseLong(Settings.get(context, "vrops.readiness.refusal-hold-ms", "300000")));
        registry.register(readiness);
        calls.reportMaintenanceRightsTo(readiness);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // a probe starts the check only once the context has started
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                readiness.checkNow();
            }
        });
    }

    /** Each acquired token is a session on the vROps appliance: it is released, not left to expire in 6 hours. */
    private void releaseTokenWhenStopping(CamelContext context) {
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext stopping) {
                try {
                    session.release();
                } catch (Exception e) {
                    LOG.warn("Could not release the vROps token: {}", e.getMessage());
                }
            }
        });
    }

    /**
     * vROps serves its API over HTTPS only, and the token request carries the password: an http:// URL is refused
     * rather than spoken in clear text. (It would not be spoken as written anyway: Camel's HTTP component turns an
     * http:// call with TLS settings into TLS, which then fails against a plain HTTP port.)
     */
    private static void requireHttps(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("vrops.url " + url + " is no URL: " + e.getMessage());
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalStateException("vrops.url " + url + " is no https:// URL: vROps serves its API over HTTPS only, "
                    + "and the password must not cross the network in clear text");
        }
    }
}
