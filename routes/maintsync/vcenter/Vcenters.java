package maintsync.vcenter;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLException;

import maintsync.edge.CallLimits;
import maintsync.edge.Hooks;
import maintsync.edge.Settings;
import maintsync.edge.Tls;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vCenters the integration reads, read-only, as the truth about each host: those {@code vcenter.names} lists,
 * each with {@code vcenter.<name>.url}, {@code .username}, its password ({@code .password-file} or the environment
 * variable {@code VCENTER_<NAME>_PASSWORD}), {@code .tls.ca-file} and {@code .tls.insecure}. An event belongs to the
 * vCenter whose URL has the host of the event's source. None configured: the integration trusts the events.
 */
public final class Vcenters {

    private static final Logger LOG = LoggerFactory.getLogger("vcenter-maintenance");

    private interface SoapCall<T> {
        T in(VcenterSoap.ServiceContent session) throws IOException;
    }

    private static final int HOSTS_PER_PAGE = 500;

    /**
     * A vCenter refused the integration: a configuration error to fix (the user, its role, the trust), never retried.
     * It has no cause: Camel's error handling would match the cause's type (an IOException) before this one's.
     */
    public static final class Refused extends SecurityException {
        public Refused(String message) {
            super(message);
        }
    }

    /** A vCenter could not be read now: unreachable, too slow, or an answer that is none. Worth retrying. */
    static final class Unavailable extends IOException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Which service a failure of an event is about, for the log and the metrics: {@code vcenter} or {@code vrops}. */
    public static String serviceOf(Throwable failure) {
        return failure instanceof Refused || failure instanceof Unavailable ? "vcenter" : "vrops";
    }

    /** A vCenter's session, shared by the calls of events and passes: at most one Login at a time. */
    private static final class Session {
        private final ReentrantLock login = new ReentrantLock();
        private volatile VcenterSoap.ServiceContent content;
    }

    /** One vCenter: its SOAP client, and the session, started on first use and again when vCenter forgets it. */
    public static final class Vcenter {
        private final String name;
        private final URI url;
        private final String username;
        private final String password;
        private final VcenterSoap soap;
        /** Whether hosts entering maintenance are told apart: only then are the tasks read. */
        private final boolean withTasks;
        private final long timeoutMillis;
        private final Session session;
        /** The end of the reconcile pass these calls belong to (of {@link System#nanoTime}); none for an event's. */
        private final Long passEnd;
        /** The watch's own client, for a session and a long poll apart from the calls of events and passes. */
        private final VcenterSoap watchSoap;
        private final VcenterWatch.Memory watched;

        private Vcenter(String name, URI url, String username, String password, VcenterSoap soap, boolean withTasks, long timeoutMillis,
                Session session, Long passEnd, VcenterSoap watchSoap, VcenterWatch.Memory watched) {
            this.watchSoap = watchSoap;
            this.watched = watched;
            this.withTasks = withTasks;
            this.name = name;
            this.url = url;
            this.username = username;
            this.password = password;
            this.soap = soap;
            this.timeoutMillis = timeoutMillis;
            this.session = session;
            this.passEnd = passEnd;
        }

        /**
         * This vCenter, in the same session, for the calls of a reconcile pass that ends at {@code passEnd} (of
         * {@link System#nanoTime}): none of them, a wait for another call's Login included, outlasts it.
         */
        public Vcenter until(long passEnd, long passTimeoutMillis) {
            return new Vcenter(name, url, username, password, soap.until(passEnd, "by the end of its reconcile pass (reconcile.pass-timeout-ms, "
                    + passTimeoutMillis + " ms)"), withTasks, timeoutMillis, session, passEnd, watchSoap, watched);
        }

        /** What the watch of this vCenter knows now, for the events of its hosts. */
        public VcenterWatch.Memory watched() {
            return watched;
        }

        VcenterSoap watchSoap() {
            return watchSoap;
        }

        /** A new session of the watch's own client, after forgetting the last: its ServiceContent. */
        VcenterSoap.ServiceContent watchSession() throws IOException {
            watchSoap.forgetSession();
            VcenterSoap.ServiceContent content = watchSoap.serviceContent();
            watchSoap.login(content, username, password);
            return content;
        }

        /**
         * The host as vCenter has it now; empty when vCenter has no such host. A refusal (login, permission,
         * certificate) is a {@link Refused}; an unreachable vCenter or an answer that is none an {@link Unavailable}.
         */
        public Optional<VcenterSoap.HostState> host(String hostMoref) throws IOException {
            try {
                return Optional.of(inSession(session -> soap.host(session, hostMoref, withTasks)));
            } catch (Unavailable failed) {
                if (failed.getCause() instanceof VcenterSoap.Fault fault && fault.type.equals("ManagedObjectNotFound")) {
                    return Optional.empty();
                }
                throw failed;
            }
        }

        /** Every host of this vCenter and whether it is in maintenance mode, a few hundred per call. */
        public List<VcenterSoap.HostState> hosts() throws IOException {
            return inSession(session -> soap.hosts(session, HOSTS_PER_PAGE, withTasks));
        }

        /** The vCenter's instance UUID, what vROps keeps as each host's VMEntityVCID. */
        public String instanceUuid() throws IOException {
            return inSession(VcenterSoap.ServiceContent::instanceUuid);
        }

        public String name() {
            return name;
        }

        /** The host of its URL: what the source of its events has. */
        public String host() {
            return url.getHost().toLowerCase(Locale.ROOT);
        }

        /**
         * Runs the call in the session, and once more in a new one when vCenter has forgotten it. Its failure as what it
         * means: a refusal (no permission, a certificate not trusted) is {@link Refused}, anything else
         * {@link Unavailable}.
         */
        private <T> T inSession(SoapCall<T> call) throws IOException {
            try {
                VcenterSoap.ServiceContent current = session();
                try {
                    return call.in(current);
                } catch (VcenterSoap.Fault fault) {
                    if (!fault.type.equals("NotAuthenticated")) {
                        throw fault;
                    }
                    return call.in(renew(current));
                }
            } catch (Refused refused) {
                throw refused;
            } catch (VcenterSoap.Fault fault) {
                if (fault.type.equals("NoPermission") || fault.type.equals("NotAuthenticated") || fault.type.equals("InvalidLogin")) {
                    throw new Refused("vCenter " + name + " refused user " + username + " (" + fault.getMessage() + "): give it the "
                            + "Read-only role on the inventory (vcenter." + name + ".username)");
                }
                throw new Unavailable("vCenter " + name + " unavailable: " + fault.getMessage(), fault);
            } catch (SSLException untrusted) {
                throw new Refused("vCenter " + name + " at " + url.getHost() + " is not trusted (" + untrusted.getMessage()
                        + "): set vcenter." + name + ".tls.ca-file to the CA of its certificate");
            } catch (CallLimits.Exceeded limit) {
                throw new Unavailable(limit.getMessage(), limit); // it names the vCenter, the call and the setting
            } catch (IOException unreachable) {
                throw new Unavailable("vCenter " + name + " unavailable: " + (unreachable.getMessage() != null
                        ? unreachable.getMessage() : unreachable.toString()), unreachable);
            }
        }

        private VcenterSoap.ServiceContent session() throws IOException {
            VcenterSoap.ServiceContent current = session.content;
            return current != null ? current : renew(null);
        }

        /**
         * A new session, unless another call has made one since {@code expired} failed (null: there was none). A call
         * waits for another call's Login no longer than its own deadline.
         */
        private VcenterSoap.ServiceContent renew(VcenterSoap.ServiceContent expired) throws IOException {
            long passLeft = passEnd == null ? Long.MAX_VALUE : TimeUnit.NANOSECONDS.toMillis(passEnd - System.nanoTime());
            try {
                if (!session.login.tryLock(Math.min(timeoutMillis, passLeft), TimeUnit.MILLISECONDS)) {
                    throw new CallLimits.TooLate("vCenter " + name + ": another call's Login did not end " + (passLeft < timeoutMillis
                            ? "by the end of this reconcile pass (reconcile.pass-timeout-ms)" : "within vcenter.timeout-ms (" + timeoutMillis + " ms)"));
                }
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the Login to vCenter " + name);
            }
            try {
                if (session.content == null || session.content == expired) {
                    session.content = null;
                    // a clean session: vCenter refuses a Login that carries the cookie of one it has forgotten
                    soap.forgetSession();
                    VcenterSoap.ServiceContent fresh = soap.serviceContent();
                    try {
                        soap.login(fresh, username, password);
                    } catch (VcenterSoap.Fault refused) {
                        if (refused.type.equals("InvalidLogin")) {
                            throw new Refused("vCenter " + name + " refused user " + username + " (InvalidLogin): check vcenter." + name
                                    + ".username and its password");
                        }
                        throw refused;
                    }
                    session.content = fresh;
                    LOG.info("Logged in to vCenter {} ({}) as {}", name, url.getHost(), username);
                }
                return session.content;
            } finally {
                session.login.unlock();
            }
        }

        private void logout() {
            session.login.lock();
            try {
                if (session.content != null) {
                    soap.logout(session.content);
                    LOG.info("Logged out of vCenter {}", name);
                }
                soap.close();
                watchSoap.close();
            } catch (IOException e) {
                LOG.warn("Could not log out of vCenter {}: {}", name, e.getMessage());
            } finally {
                session.content = null;
                session.login.unlock();
            }
        }
    }

    private final Map<String, Vcenter> byHost;
    private final boolean enteringMaintenance;
    private final boolean watch;
    private final long timeoutMillis;

    private Vcenters(Map<String, Vcenter> byHost, boolean enteringMaintenance, boolean watch, long timeoutMillis) {
        this.byHost = byHost;
        this.enteringMaintenance = enteringMaintenance;
        this.watch = watch;
        this.timeoutMillis = timeoutMillis;
    }

    public static Vcenters configure(CamelContext context) throws Exception {
        Map<String, Vcenter> byHost = new LinkedHashMap<>();
        boolean entering = Settings.flag(context, "events.entering-maintenance", false);
        // every vSphere API call, by vCenter, method and HTTP status
        Hooks.Counts calls = new Hooks.Counts(context, "vcenter.calls");
        long timeoutMillis = Settings.number(context, "vcenter.timeout-ms", 10_000, 1, Integer.MAX_VALUE);
        long maxAnswerBytes = Settings.number(context, "vcenter.max-answer-bytes", 2 << 20, 1, Integer.MAX_VALUE);
        // aborts the calls that reach their deadline; made with the first vCenter
        ScheduledExecutorService deadlines = null;
        for (String name : Settings.get(context, "vcenter.names", "").split(",")) {
            if (name.isBlank()) {
                continue;
            }
            String prefix = "vcenter." + name.strip() + ".";
            URI url = sdk(Settings.httpsUrl(context, prefix + "url", "the session carries a password"));
            Tls tls = Tls.of(context, prefix);
            String password = Settings.password(context, prefix + "password", prefix + "password-file",
                    "VCENTER_" + name.strip().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_PASSWORD");
            String label = name.strip();
            if (deadlines == null) {
                deadlines = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(Vcenters.class, "vcenter-call-deadlines");
            }
            CallLimits limits = new CallLimits("vCenter " + label, maxAnswerBytes, "vcenter.max-answer-bytes", deadlines);
            VcenterSoap soap = new VcenterSoap(url, tls.sslContextParameters().createSSLContext(context), tls.hostnameVerifier(), timeoutMillis,
                    limits, (method, status) -> calls.increment("vcenter", label, "call", method, "status", status));
            VcenterSoap watchSoap = new VcenterSoap(url, tls.sslContextParameters().createSSLContext(context), tls.hostnameVerifier(), timeoutMillis,
                    limits, (method, status) -> calls.increment("vcenter", label, "call", method, "status", status));
            byHost.put(url.getHost().toLowerCase(Locale.ROOT), new Vcenter(label, url, Settings.required(context, prefix + "username"), password, soap,
                    entering, timeoutMillis, new Session(), null, watchSoap, new VcenterWatch.Memory()));
        }
        if (entering && byHost.isEmpty()) {
            // an event alone cannot tell a failed or cancelled enter task: the host would stay silenced
            throw new IllegalStateException("events.entering-maintenance=true needs a vCenter (vcenter.names), which tells when the host's "
                    + "enter task failed or was cancelled");
        }
        return new Vcenters(Map.copyOf(byHost), entering, Settings.flag(context, "vcenter.watch", true), timeoutMillis);
    }

    /** Logs out of every vCenter when the integration stops, after what was registered to stop before. */
    public void logOutWhenStopping(CamelContext context) {
        Hooks.whenStopping(context, () -> byHost.values().forEach(Vcenter::logout));
    }

    /** The vCenter of an event whose source has this host, e.g. vcsa01.lab.local. */
    public Optional<Vcenter> of(String vcenterHost) {
        return Optional.ofNullable(byHost.get(vcenterHost));
    }

    /** The instance UUID of the configured vCenter of this host name; null when none is configured. */
    public String instanceUuidOf(String vcenterHost) throws IOException {
        Optional<Vcenter> vcenter = of(vcenterHost);
        return vcenter.isPresent() ? vcenter.get().instanceUuid() : null;
    }

    /** {@code vcenter.watch}: whether each vCenter's hosts are watched ({@link VcenterWatch}). */
    public boolean watch() {
        return watch;
    }

    /** {@code vcenter.timeout-ms}: how long a vCenter call may take, beyond a long poll's own wait. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** {@code events.entering-maintenance}: whether EnteringMaintenanceModeEvent is consumed and tasks are read. */
    public boolean enteringMaintenance() {
        return enteringMaintenance;
    }

    public Collection<Vcenter> all() {
        return byHost.values();
    }

    /** vCenter's SOAP endpoint: /sdk, added to a URL that names the host only. */
    private static URI sdk(URI url) {
        return url.getPath() == null || url.getPath().isEmpty() || url.getPath().equals("/") ? url.resolve("/sdk") : url;
    }
}
