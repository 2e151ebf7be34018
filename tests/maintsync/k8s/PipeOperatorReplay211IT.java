package maintsync.k8s;

/** {@link PipeOperatorReplay} of Camel K 2.11. */
class PipeOperatorReplay211IT extends PipeOperatorReplay {

    PipeOperatorReplay211IT() {
        super(CamelKOperator.V2_11_0);
    }
}
