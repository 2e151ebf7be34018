package maintsync.k8s;

/** {@link OperatorReplay} of Camel K 2.11.0, the operator users install today. */
class OperatorReplay211IT extends OperatorReplay {

    OperatorReplay211IT() {
        super(CamelKOperator.V2_11_0);
    }
}
