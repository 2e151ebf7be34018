package maintsync.k8s;

/** {@link OperatorReplay} of Camel K 2.10.1, the oldest operator the manifests support with Camel Quarkus 3.31. */
class OperatorReplay210IT extends OperatorReplay {

    OperatorReplay210IT() {
        super(CamelKOperator.V2_10_1);
    }
}
