import org.apache.camel.builder.RouteBuilder;

/**
 * The vROps operations the integration uses, one Kamelet each, as literal endpoints so that Camel K finds and mounts
 * the Kamelets. {@code maintsync.vrops.VropsCalls} calls these routes with exchanges of their own. They have no error handling: a
 * failure goes back to the caller as it is, which decides what it means.
 */
public class VropsOperationsRoute extends RouteBuilder {

    @Override
    public void configure() {
        errorHandler(noErrorHandler());

        from("direct:vrops-acquire-token").routeId("vrops-acquire-token").to("kamelet:vrops-token-action?operation=acquire&credentialsFrom=body");
        from("direct:vrops-release-token").routeId("vrops-release-token").to("kamelet:vrops-token-action?operation=release");
        from("direct:vrops-current-user").routeId("vrops-current-user").to("kamelet:vrops-current-user-action");
        from("direct:vrops-lookup-host").routeId("vrops-lookup-host").to("kamelet:vrops-host-lookup-action");
        from("direct:vrops-mark-maintained").routeId("vrops-mark-maintained").to("kamelet:vrops-maintenance-sink?action=enter");
        from("direct:vrops-hold-maintained").routeId("vrops-hold-maintained")
                .to("kamelet:vrops-maintenance-sink?action=enter&maintenanceMinutes={{reconcile.hold-minutes}}");
        // 500 a page: about 0.5 MB and 50,000 tokens of JSON, well within what one answer may be (VropsClient.MAX_TOKENS)
        from("direct:vrops-hosts").routeId("vrops-hosts").to("kamelet:vrops-hosts-action?pageSize=500");
        from("direct:vrops-hold-maintained-many").routeId("vrops-hold-maintained-many")
                .to("kamelet:vrops-timed-maintenance-action?maintenanceMinutes={{reconcile.hold-minutes}}");
        from("direct:vrops-unmark-maintained").routeId("vrops-unmark-maintained").to("kamelet:vrops-maintenance-sink?action=exit");
        from("direct:vrops-unmark-maintained-many").routeId("vrops-unmark-maintained-many").to("kamelet:vrops-end-maintenance-action");
    }
}
