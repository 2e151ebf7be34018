package maintsync.k8s;

/** {@link PipeOperatorReplay} of Camel K 2.10.1. */
class PipeOperatorReplay210IT extends PipeOperatorReplay {

    PipeOperatorReplay210IT() {
        super(CamelKOperator.V2_10_1);
    }
}
