import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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

    static VropsConnection configure(CamelContext context) throws Exception {
        String username = required(context, "vrops.username");
        requireHttps(required(context, "vrops.url"));
        String password = password(context);

        boolean insecure = Boolean.parseBoolean(setting(context, "vrops.tls.insecure", "false"));
        if (insecure) {
            LOG.warn("vrops.tls.insecure=true: the vROps certificate and host name are NOT verified. Use vrops.tls.ca-file outside a lab.");
        }
        VropsTls tls = VropsTls.of(insecure, setting(context, "vrops.tls.ca-file", ""));
        context.getRegistry().bind("vropsSslContextParameters", tls.sslContextParameters());
        context.getRegistry().bind("vropsHostnameVerifier", tls.hostnameVerifier());

        VropsCalls calls = new VropsCalls(context, username, password, setting(context, "vrops.auth-source", "LOCAL"));
        Map<String, String> uuids = VropsSession.parseVcenterUuids(setting(context, "vrops.vcenter-uuids", ""));
        VropsConnection connection = new VropsConnection(calls, new VropsSession(calls, uuids));
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
                Long.parseLong(setting(context, "vrops.readiness.check-interval-ms", "10000")),
                Integer.parseInt(setting(context, "vrops.readiness.failure-threshold", "3")),
                Long.parseLong(setting(context, "vrops.readiness.refusal-hold-ms", "300000")));
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
     * The password, from the file {@code vrops.password-file} names (a mounted Kubernetes Secret) or else from the
     * environment variable {@code VROPS_PASSWORD}, read here and never through Camel's properties: their placeholders
     * would take {@code {{...}}} in a password for a property to look up and drop some of its backslashes, and every
     * property is listed by Camel's properties console and Camel JBang's status file. One final line break of the
     * file is not part of the password.
     */
    private static String password(CamelContext context) {
        if (context.getPropertiesComponent().loadProperties(key -> key.equals("vrops.password")).containsKey("vrops.password")) {
            throw new IllegalStateException("vrops.password is not read: give the password in the environment variable "
                    + "VROPS_PASSWORD or in the file vrops.password-file names (see docs/configuration.md)");
        }
        String file = setting(context, "vrops.password-file", "");
        String password;
        if (!file.isBlank()) {
            try {
                password = Files.readString(Path.of(file), StandardCharsets.UTF_8).replaceFirst("\\r?\\n\\z", "");
            } catch (IOException e) {
                throw new IllegalStateException("vrops.password-file " + file + " cannot be read: " + e, e);
            }
        } else {
            password = System.getenv("VROPS_PASSWORD");
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalStateException(file.isBlank()
                    ? "No vROps password: set the environment variable VROPS_PASSWORD, or vrops.password-file"
                    : "vrops.password-file " + file + " is empty");
        }
        return password;
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

    private static String required(CamelContext context, String key) {
        String value = setting(context, key, "");
        if (value.isBlank()) {
            throw new IllegalStateException(key + " is not set: see application.properties");
        }
        return value;
    }

    private static String setting(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).orElse(defaultValue);
    }
}
