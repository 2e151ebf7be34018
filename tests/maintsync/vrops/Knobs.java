package maintsync.vrops;

import java.time.Duration;
import java.util.Objects;

/**
 * Behaviour the vendor leaves undocumented, with the simulator's default first and the
 * alternatives a real appliance might show selectable, so a client can be tested against each.
 * Thread-safe; changes apply to the next request. Which users may not change maintenance (403) is
 * part of the {@link Inventory} ({@code readOnly}), not a knob.
 */
public final class Knobs {

    /** How {@code name} filters {@code GET /api/resources}; the spec does not say. */
    public enum NameMatch { SUBSTRING_IGNORE_CASE, EXACT }

    private volatile boolean acceptOpsToken;
    private volatile int unknownAuthSourceStatus;
    private volatile int unmarkNotMaintainedStatus;
    private volatile int unknownIdStatus;
    private volatile boolean requireAllUniquenessIdentifiers;
    private volatile boolean bulkAppliesKnownIds;
    private volatile NameMatch resourcesNameMatch;
    private volatile Duration stateVisibilityDelay;

    Knobs() {
        reset();
    }

    /** Back to the defaults. */
    public Knobs reset() {
        acceptOpsToken = true;
        unknownAuthSourceStatus = 400;
        unmarkNotMaintainedStatus = 200;
        unknownIdStatus = 404;
        requireAllUniquenessIdentifiers = false;
        bulkAppliesKnownIds = false;
        resourcesNameMatch = NameMatch.SUBSTRING_IGNORE_CASE;
        stateVisibilityDelay = Duration.ZERO;
        return this;
    }

    /** Whether {@code Authorization: OpsToken ...} works besides {@code vRealizeOpsToken}; off emulates 8.6. */
    public Knobs acceptOpsToken(boolean accept) {
        acceptOpsToken = accept;
        return this;
    }

    /** Status for an {@code authSource} the appliance does not know (400, or 401 on some versions). */
    public Knobs unknownAuthSourceStatus(int status) {
        unknownAuthSourceStatus = errorStatus(status);
        return this;
    }

    /** Status for ending maintenance of a resource that is not in maintenance; 200 makes it a no-op. */
    public Knobs unmarkNotMaintainedStatus(int status) {
        if (status != 200) {
            errorStatus(status);
        }
        unmarkNotMaintainedStatus = status;
        return this;
    }

    /** Status for a resource id the appliance does not know (404, or 500 on some versions). */
    public Knobs unknownIdStatus(int status) {
        unknownIdStatus = errorStatus(status);
        return this;
    }

    /** Whether an identifiers lookup must name every uniquely identifying identifier (else 400). */
    public Knobs requireAllUniquenessIdentifiers(boolean require) {
        requireAllUniquenessIdentifiers = require;
        return this;
    }

    /** Whether a bulk maintained call with some unknown ids applies the known ones instead of none. */
    public Knobs bulkAppliesKnownIds(boolean apply) {
        bulkAppliesKnownIds = apply;
        return this;
    }

    public Knobs resourcesNameMatch(NameMatch match) {
        resourcesNameMatch = Objects.requireNonNull(match);
        return this;
    }

    /** How long reads keep showing the old state after a maintained PUT or DELETE. */
    public Knobs stateVisibilityDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("Negative delay " + delay);
        }
        stateVisibilityDelay = delay;
        return this;
    }

    boolean acceptOpsToken() {
        return acceptOpsToken;
    }

    int unknownAuthSourceStatus() {
        return unknownAuthSourceStatus;
    }

    int unmarkNotMaintainedStatus() {
        return unmarkNotMaintainedStatus;
    }

    int unknownIdStatus() {
        return unknownIdStatus;
    }

    boolean requireAllUniquenessIdentifiers() {
        return requireAllUniquenessIdentifiers;
    }

    boolean bulkAppliesKnownIds() {
        return bulkAppliesKnownIds;
    }

    NameMatch resourcesNameMatch() {
        return resourcesNameMatch;
    }

    Duration stateVisibilityDelay() {
        return stateVisibilityDelay;
    }

    static int errorStatus(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("Not an error status: " + status);
        }
        return status;
    }
}
