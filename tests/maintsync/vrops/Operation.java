package maintsync.vrops;

/**
 * The suite-api operations the simulator serves, used to count requests and to aim faults.
 * {@link #UNKNOWN} stands for every request that matches none of them (wrong path or method).
 */
public enum Operation {
    ACQUIRE_TOKEN,
    RELEASE_TOKEN,
    CURRENT_USER,
    GET_RESOURCES,
    GET_RESOURCE,
    LOOKUP_BY_KIND,
    MARK_MAINTAINED,
    UNMARK_MAINTAINED,
    BULK_MARK_MAINTAINED,
    BULK_UNMARK_MAINTAINED,
    NODE_STATUS,
    UNKNOWN
}
