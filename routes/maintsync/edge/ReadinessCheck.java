package maintsync.edge;

import org.apache.camel.health.HealthCheck;

/**
 * A part of readiness that liveness leaves out, named by its id, which is its group too. Camel's own base class for
 * checks is in camel-health, a dependency Camel K's catalog does not offer; this is the little of it the checks use.
 */
public abstract class ReadinessCheck implements HealthCheck {

    private final String id;
    private volatile boolean enabled = true;

    protected ReadinessCheck(String id) {
        this.id = id;
    }

    @Override
    public String getGroup() {
        return id;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** An outage of what it checks is no reason to restart the pod. */
    @Override
    public boolean isLiveness() {
        return false;
    }
}
