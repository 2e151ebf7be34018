package maintsync.vrops;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import maintsync.edge.ReadinessCheck;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ready while vROps answers, accepts the token and lets the user change maintenance. The check is one authenticated
 * call, acquiring a token when none is held; the first runs when the integration starts, and until one has succeeded
 * the pod is not ready. A probe never waits for vROps, whose answer may take longer than the probe's timeout: it gets
 * the outcome of the checks so far, and starts the next one in the background once the last is older than the
 * interval. One failed check is a blip; only {@code failureThreshold} failures in a row make the pod not ready, and
 * the first success makes it ready again.
 * <p>
 * Whether the user may change maintenance is not something vROps tells: the privilege is not documented, and no call
 * tests it without changing a host. So the maintenance calls tell: one refused with 403 makes the pod not ready for
 * {@code refusalHoldMillis}, with the reason, after which it is ready again for the next event to try (the Broker
 * holds and retries the events meanwhile); one that succeeds ends it at once. Liveness leaves vROps out: an outage is
 * no reason to restart the pod.
 */
public final class VropsReadiness extends ReadinessCheck implements VropsCalls.MaintenanceRights {

    private static final Logger LOG = LoggerFactory.getLogger("vcenter-maintenance");

    /** The check itself: throws when vROps does not answer or refuses the token. */
    interface Check {
        void run() throws Exception;
    }

    private final CamelContext context;
    private final Check check;
    private final ExecutorService checker;
    private final long intervalNanos;
    private final int failureThreshold;
    private final AtomicBoolean checking = new AtomicBoolean();
    private long lastStarted;
    private boolean started;
    private volatile int failuresInARow;
    private volatile String lastFailure;
    private volatile Instant lastSuccess;
    private final long refusalHoldNanos;
    private volatile String refusal;
    private volatile long refusedAt;

    VropsReadiness(CamelContext context, Check check, long intervalMillis, int failureThreshold, long refusalHoldMillis) {
        super("vrops");
        this.context = context;
        this.check = check;
        this.checker = context.getExecutorServiceManager().newSingleThreadExecutor(this, "vrops-readiness");
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.failureThreshold = failureThreshold;
        this.refusalHoldNanos = TimeUnit.MILLISECONDS.toNanos(refusalHoldMillis);
    }

    /** Starts the first check, without waiting for a probe to ask. */
    void checkNow() {
        startCheckIfDue();
    }

    @Override
    public void refused(String reason) {
        if (refusal == null) {
            LOG.warn("vROps refuses the maintenance calls, not ready for {} s: {}", TimeUnit.NANOSECONDS.toSeconds(refusalHoldNanos), reason);
        }
        refusedAt = System.nanoTime();
        refusal = reason;
    }

    @Override
    public void granted() {
        if (refusal != null) {
            LOG.info("vROps accepts the maintenance calls again: ready");
            refusal = null;
        }
    }

    @Override
    public Result call(Map<String, Object> options) {
        HealthCheckResultBuilder result = HealthCheckResultBuilder.on(this)
                .detail("vrops.failures.in.a.row", failuresInARow)
                .detail("vrops.failure.threshold", failureThreshold);
        if (lastSuccess != null) {
            result.detail("vrops.last.success", lastSuccess.toString());
        }
        String reason = notReadyBecause();
        // the reason goes into the message and the details: Camel Main shows the one, Camel Quarkus the other
        return reason == null ? result.up().build() : result.detail("vrops.reason", reason).down().message(reason).build();
    }

    /** Why the integration is not ready, or null when it is; starts a check when one is due. */
    String notReadyBecause() {
        startCheckIfDue();
        String refused = refusal;
        if (refused != null && System.nanoTime() - refusedAt < refusalHoldNanos) {
            return refused + ": give the user a role that may start and end maintenance";
        }
        if (lastSuccess == null) {
            return lastFailure != null ? lastFailure : "the first vROps check has not finished yet";
        }
        return failuresInARow >= failureThreshold ? lastFailure : null;
    }

    private void startCheckIfDue() {
        if (!context.isStarted() || !checking.compareAndSet(false, true)) {
            return;
        }
        long now = System.nanoTime();
        if (started && now - lastStarted < intervalNanos) {
            checking.set(false);
            return;
        }
        started = true;
        lastStarted = now;
        checker.execute(this::runCheck);
    }

    private void runCheck() {
        try {
            check.run();
            if (failuresInARow >= failureThreshold) {
                LOG.info("vROps answers again: ready");
            }
            failuresInARow = 0;
            lastSuccess = Instant.now();
        } catch (Exception failure) {
            lastFailure = failure.getMessage();
            if (++failuresInARow == failureThreshold) {
                LOG.warn("vROps check failed {} times in a row, not ready: {}", failuresInARow, lastFailure);
            }
        } finally {
            checking.set(false);
        }
    }
}
