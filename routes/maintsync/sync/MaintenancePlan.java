package maintsync.sync;

/**
 * The one decision of the integration, with a vCenter configured: what to do in vROps for one host, from what vCenter
 * and vROps say of it now. An event of the host and a reconcile pass decide alike, so they can never undo each other.
 * <p>
 * What the integration owns is told by vROps: it only ever sets timed maintenance ({@link VropsState#MAINTAINED}),
 * which it extends while vCenter keeps the host in maintenance and ends when vCenter has it back in service. Manual
 * maintenance ({@link VropsState#MAINTAINED_MANUAL}) was set by hand, or before a vCenter was configured: it is never
 * taken over, extended or ended. A state that is not known on either side changes nothing; a timed maintenance that
 * is no longer extended ends by itself within {@code reconcile.hold-minutes}, so monitoring resumes.
 */
public final class MaintenancePlan {

    private MaintenancePlan() {
    }

    /** A host as vCenter has it. */
    public enum VcenterState {
        IN_MAINTENANCE,
        /** Not yet in maintenance mode, but its enter task is queued or running ({@code events.entering-maintenance}). */
        ENTERING,
        IN_SERVICE,
        /** vCenter withheld the state (a {@code missingSet}, e.g. NoPermission) or did not answer for the host. */
        UNKNOWN;

        boolean silenced() {
            return this == IN_MAINTENANCE || this == ENTERING;
        }
    }

    /** A host as vROps has it. */
    public enum VropsState {
        /** Timed maintenance: the integration's own. */
        MAINTAINED,
        /** Manual maintenance: someone's by hand. */
        MAINTAINED_MANUAL,
        NOT_MAINTAINED,
        /** vROps does not know the host, or did not say. */
        UNKNOWN
    }

    enum Step {
        /** Timed maintenance, of {@code reconcile.hold-minutes}. */
        MARK,
        /** Timed maintenance again from now: the host is still in maintenance in vCenter. */
        EXTEND,
        UNMARK,
        NONE
    }

    /** A step and why, in words for the log and the host page. */
    record Decision(Step step, String why) {

        boolean changes() {
            return step == Step.MARK || step == Step.UNMARK;
        }
    }

    static Decision decide(VcenterState vcenter, VropsState vrops) {
        if (vcenter == VcenterState.UNKNOWN) {
            return new Decision(Step.NONE, "vCenter did not tell the host's state: nothing is changed, and maintenance the "
                    + "integration set ends by itself unless a later read sees the host in maintenance");
        }
        return switch (vrops) {
            case UNKNOWN -> new Decision(Step.NONE, "vROps does not know the host, or did not say whether it is maintained");
            case MAINTAINED_MANUAL -> new Decision(Step.NONE, "vROps has the host in maintenance set by hand (MAINTAINED_MANUAL): "
                    + "left as it is");
            case MAINTAINED -> vcenter.silenced()
                    ? new Decision(Step.EXTEND, "vCenter keeps the host in maintenance")
                    : new Decision(Step.UNMARK, "vCenter has the host back in service");
            case NOT_MAINTAINED -> vcenter.silenced()
                    ? new Decision(Step.MARK, vcenter == VcenterState.ENTERING
                            ? "vCenter's task is entering the host into maintenance mode" : "vCenter has the host in maintenance mode")
                    : new Decision(Step.NONE, "vROps has the host in service, as vCenter does");
        };
    }
}
