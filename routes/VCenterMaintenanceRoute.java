// camel-k: source=routes/VropsOperationsRoute.java
// camel-k: source=routes/maintsync/sync/MaintenanceSync.java
// camel-k: source=routes/maintsync/sync/MaintenanceEvent.java
// camel-k: source=routes/maintsync/sync/HostEventOrder.java
// camel-k: source=routes/maintsync/vrops/VropsConnection.java
// camel-k: source=routes/maintsync/vrops/VropsClient.java
// camel-k: source=routes/maintsync/vrops/VropsCalls.java
// camel-k: source=routes/maintsync/vrops/VropsReadiness.java
// camel-k: source=routes/maintsync/edge/Tls.java
// camel-k: source=routes/maintsync/edge/BrokerEdge.java
// camel-k: source=routes/maintsync/edge/LogLines.java
// camel-k: source=routes/maintsync/edge/Settings.java
// camel-k: source=routes/maintsync/vcenter/Vcenters.java
// camel-k: source=routes/maintsync/sync/MaintenancePlan.java
// camel-k: source=routes/maintsync/vcenter/VcenterSoap.java
// camel-k: source=routes/maintsync/sync/Reconciler.java
// camel-k: source=routes/maintsync/edge/Hooks.java
// camel-k: source=routes/maintsync/edge/HostStatus.java
// camel-k: source=routes/maintsync/edge/CallLimits.java
// camel-k: source=routes/maintsync/edge/ReadinessCheck.java
// camel-k: source=routes/maintsync/vcenter/VcenterWatch.java
import java.io.IOException;
import java.util.List;
import java.util.Objects;

import maintsync.edge.BrokerEdge;
import maintsync.edge.Hooks;
import maintsync.edge.HostStatus;
import maintsync.edge.LogLines;
import maintsync.edge.Settings;
import maintsync.sync.HostEventOrder;
import maintsync.sync.MaintenanceEvent;
import maintsync.sync.MaintenanceSync;
import maintsync.sync.Reconciler;
import maintsync.vcenter.VcenterWatch;
import maintsync.vcenter.Vcenters;
import maintsync.vrops.VropsConnection;
import maintsync.vrops.VropsReadiness;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cloudevents.CloudEvent;

/**
 * vCenter host maintenance mode, mirrored into vROps.
 * <p>
 * Trigger: an {@code EnteredMaintenanceModeEvent} or {@code ExitMaintenanceModeEvent} CloudEvent from a Knative Broker,
 * in the format of Tanzu Sources for Knative (VEBA 0.8 and later: one type per event class) or of the VMware Event
 * Router (VEBA up to 0.7: one type, the event class in {@code subject}); with {@code events.entering-maintenance}, also
 * {@code EnteringMaintenanceModeEvent}.
 * <p>
 * Effect: the host is marked as maintained in vROps, or unmarked ({@link MaintenanceSync}). With the event's vCenter
 * configured ({@link Vcenters}), the event only names the host and vROps is made to match what vCenter says, each
 * vCenter's hosts are watched ({@link VcenterWatch}: vROps follows within seconds, with or without events), and
 * every host is compared with vCenter periodically ({@link Reconciler}); without it, per host, only an event newer
 * than the last one applied is ({@link HostEventOrder}). An event that can never be applied is also sent to
 * {@code dead-letter.uri}.
 * <p>
 * Answer to the Broker, given only once vROps has answered: 204 when the host was marked or unmarked, or when vROps
 * does not know the host; 400 when the event can never be applied; 403 when vROps or the vCenter refuses the configured
 * user or its certificate is not trusted; 503 when vROps or the vCenter stays unavailable after a few retries, so that
 * the Broker retries later;
 * 500 for anything unexpected; requests no consumer takes are answered by {@link BrokerEdge}. Readiness includes
 * whether vROps answers, accepts the token and lets the user change maintenance ({@link VropsReadiness}).
 * <p>
 * The other files of {@code routes/} are part of this integration: {@code kamel run} reads the {@code camel-k:} lines
 * above, and {@code k8s/integration.yaml} lists them too.
 */
public class VCenterMaintenanceRoute extends RouteBuilder {

    private static final String DEAD_LETTER_TYPE = "io.github.maintsync.vcenter-maintenance.dead-letter.v1";
    private static final String LOG_NAME = "vcenter-maintenance";

    @Override
    public void configure() throws Exception {
        // first, so that a stop answers the events in flight before the hooks below release what they use
        BrokerEdge.install(getContext(), Settings.number(getContext(), "events.body-timeout-ms", 10_000, 1, Integer.MAX_VALUE));
        Vcenters vcenters = Vcenters.configure(getContext());
        VropsConnection vrops = VropsConnection.configure(getContext(), vcenters);
        HostStatus status = HostStatus.served(getContext());
        // Every event's counts go to the meters directly: a micrometer: endpoint matches a regular expression against each
        // header of the exchange, a third of what an event allocated. The rare dead letters below keep their endpoints.
        Hooks.Counts received = new Hooks.Counts(getContext(), "vcenter.maintenance.events.received");
        Hooks.Counts outcomes = new Hooks.Counts(getContext(), "vcenter.maintenance.events");
        Hooks.Counts failures = new Hooks.Counts(getContext(), "vcenter.maintenance.failures");
        MaintenanceSync sync = new MaintenanceSync(new HostEventOrder(), vrops.client(), vcenters, status,
                Settings.number(getContext(), "vrops.maintenance-minutes", 0, 0, Integer.MAX_VALUE) > 0);
        Reconciler reconciler = Reconciler.schedule(getContext(), vcenters, vrops.client(), status);
        VcenterWatch.start(getContext(), vcenters, reconciler, sync, status);
        // after the reconciler and the watches, which stop first
        vcenters.logOutWhenStopping(getContext());
        // The log lines below quote the event: each stays one line, whatever it holds.
        getContext().getCamelContextExtension().addLogListener(new LogLines());
        // at most 10: the last retry then waits about 4 minutes with the default delay, far beyond a Broker's timeout
        int retries = (int) Settings.number(getContext(), "vrops.retries", 2, 0, 10);
        long retryDelayMillis = Settings.number(getContext(), "vrops.retry-delay-ms", 500, 0, 60_000);
        List<String> maintenanceClasses = vcenters.enteringMaintenance()
                ? List.of(MaintenanceEvent.ENTERING_CLASS, MaintenanceEvent.ENTERED_CLASS, MaintenanceEvent.EXIT_CLASS)
                : List.of(MaintenanceEvent.ENTERED_CLASS, MaintenanceEvent.EXIT_CLASS);

        // The Broker reads the status code: 4xx drops or dead-letters the event, 5xx and 429 make it retry.
        // Permanent failures also go to the dead letter: VEBA's RabbitMQ Broker takes a 4xx as success and keeps nothing.
        onException(IllegalArgumentException.class)
                .handled(true)
                .log(LoggingLevel.WARN, LOG_NAME, "Rejected event ${header.CamelCloudEventID} from ${header.CamelCloudEventSource}: ${exception.message}")
                .to("direct:dead-letter")
                .process(exchange -> count(outcomes, exchange, "rejected"))
                .process(BrokerEdge.answer(400, simple("${exception.message}")));

        // A refusal by vROps or a vCenter (user, role, certificate): nothing changes until someone fixes the settings.
        onException(SecurityException.class)
                .handled(true)
                .log(LoggingLevel.ERROR, LOG_NAME, "Configuration error for event ${header.CamelCloudEventID}: ${exception.message}")
                .to("direct:dead-letter")
                .process(exchange -> count(outcomes, exchange, "refused"))
                .process(exchange -> countFailure(failures, exchange, "refused"))
                .process(BrokerEdge.answer(403, simple("${exception.message}")));

        // Transient: vROps or the vCenter unreachable, too slow, or vROps answered 408, 429 or 5xx. Retried here a few
        // times, quickly enough to answer well within the Broker's timeout, then handed back to the Broker to retry later.
        onException(IOException.class)
                .maximumRedeliveries(retries)
                .redeliveryDelay(retryDelayMillis)
                .useExponentialBackOff()
                .retryAttemptedLogLevel(LoggingLevel.DEBUG)
                .handled(true)
                .log(LoggingLevel.WARN, LOG_NAME, "Event ${header.CamelCloudEventID} not applied after " + retries + " retries: ${exception.message}")
                .process(exchange -> count(outcomes, exchange, "unavailable"))
                .process(exchange -> countFailure(failures, exchange, "unavailable"))
                .process(BrokerEdge.answer(503, simple("${exception.message}")));

        onException(Exception.class)
                .handled(true)
                .log(LoggingLevel.ERROR, LOG_NAME, "Failed event ${header.CamelCloudEventID}: ${exception}")
                .process(exchange -> count(outcomes, exchange, "failed"))
                .process(BrokerEdge.answer(500, simple("${exception.message}")));

        // With a vCenter, a pass over each is due every reconcile.interval-ms: the schedule is Camel's, seen and stopped with
        // the other routes; the passes themselves run on each vCenter's own thread (Reconciler). The first tick comes
        // after the Kamelets' routes have started.
        if (reconciler != null) {
            from("timer:reconcile-passes?period={{reconcile.interval-ms:300000}}&delay=1000")
                    .routeId("reconcile-passes")
                    .process(exchange -> reconciler.passesDue());
        }

        // The Triggers of k8s/ deliver each type to the path its consumer listens at (jbang/knative.json). The URIs stay
        // literal: Camel K finds the components to build in by them. A vCenter event is a few KB: a body over 1 MiB is
        // refused with 413 before it is read.
        from("knative:event/com.vmware.vsphere.EnteredMaintenanceModeEvent.v0?reply=true&transport.maxBodySize=1048576")
                .routeId("vsphere-entered-maintenance")
                .process(exchange -> received.increment("format", "tanzu-sources"))
                .to("direct:apply-maintenance");

        from("knative:event/com.vmware.vsphere.ExitMaintenanceModeEvent.v0?reply=true&transport.maxBodySize=1048576")
                .routeId("vsphere-exit-maintenance")
                .process(exchange -> received.increment("format", "tanzu-sources"))
                .to("direct:apply-maintenance");

        // Opt-in, with a vCenter only: silences the host once its evacuation starts, which raises alerts already. vCenter
        // tells whether its enter task still runs, so a failed or cancelled one cannot leave the host silenced.
        from("knative:event/com.vmware.vsphere.EnteringMaintenanceModeEvent.v0?reply=true&transport.maxBodySize=1048576")
                .routeId("vsphere-entering-maintenance")
                .autoStartup(vcenters.enteringMaintenance())
                .process(exchange -> received.increment("format", "tanzu-sources"))
                .to("direct:apply-maintenance");

        // The Event Router sends every event class under one type: its Triggers in k8s/ filter on type and subject.
        from("knative:endpoint/vcenter-event-router?reply=true&transport.maxBodySize=1048576&filter.ce-type=com.vmware.event.router/event")
                .routeId("event-router-maintenance")
                .process(exchange -> received.increment("format", "event-router"))
                .choice()
                    .when(header(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT).in(maintenanceClasses.toArray()))
                        .to("direct:apply-maintenance")
                    .otherwise()
                        .log(LoggingLevel.WARN, LOG_NAME, "Ignored Event Router event ${header.CamelCloudEventID}: subject ${header.CamelCloudEventSubject} is no maintenance mode event; check the Trigger filters")
                        .process(exchange -> count(outcomes, exchange, "ignored"))
                        .process(BrokerEdge.answer(204));

        from("direct:apply-maintenance")
                .routeId("apply-maintenance")
                // reads the event (MaintenanceEvent.of: an unusable one is an IllegalArgumentException, answered 400) and applies it
                .process(sync::apply)
                .choice()
                    .when(variable("vropsOutcome").isEqualTo("applied"))
                        .log(LoggingLevel.INFO, LOG_NAME, "Event ${header.CamelCloudEventID} from ${header.CamelCloudEventSource}: ${variable.vropsAction} maintenance of vROps resource ${variable.vropsResourceId}")
                    .otherwise()
                        .log(LoggingLevel.INFO, LOG_NAME, "Event ${header.CamelCloudEventID} from ${header.CamelCloudEventSource} ${variable.vropsOutcome}: ${variable.vropsSkipReason}")
                .end()
                .process(exchange -> count(outcomes, exchange, exchange.getVariable("vropsOutcome", String.class)))
                .process(BrokerEdge.answer(204));

        // One line per permanent failure, and the event with its reason to dead-letter.uri when one is configured.
        from("direct:dead-letter")
                .routeId("dead-letter")
                .setVariable("deadLetterReason", simple("${exception.message}"))
                .log(LoggingLevel.WARN, LOG_NAME, "dead-letter id=${header.CamelCloudEventID} source=${header.CamelCloudEventSource} type=${header.CamelCloudEventType} subject=${header.CamelCloudEventSubject} reason=\"${variable.deadLetterReason}\"")
                .to("micrometer:counter:vcenter.maintenance.dead.letters")
                .filter(simple("${properties:dead-letter.uri:} != ''"))
                    .doTry()
                        .setHeader("ce-specversion", constant("1.0"))
                        .setHeader("ce-id", simple("${header.CamelCloudEventID}-dead-letter"))
                        .setHeader("ce-source", constant("/vcenter-maintenance"))
                        .setHeader("ce-type", constant(DEAD_LETTER_TYPE))
                        .setHeader("ce-deadletterreason", variable("deadLetterReason"))
                        .setHeader("ce-originalid", header(CloudEvent.CAMEL_CLOUD_EVENT_ID))
                        .setHeader("ce-originalsource", header(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE))
                        .setHeader("ce-originaltype", header(CloudEvent.CAMEL_CLOUD_EVENT_TYPE))
                        .setHeader("ce-originalsubject", header(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT))
                        .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                        .removeHeaders("CamelHttp(Uri|Path|Query)")
                        .toD("${properties:dead-letter.uri}")
                    .doCatch(Exception.class)
                        .log(LoggingLevel.ERROR, LOG_NAME, "Could not deliver the dead letter of event ${header.CamelCloudEventID} to {{dead-letter.uri:}}: ${exception.message}")
                        .to("micrometer:counter:vcenter.maintenance.dead.letter.failures")
                    .end()
                    .removeHeaders("ce-*")
                .end();
    }

    /** The event in {@code vcenter.maintenance.events}, by its action (empty when it could not be read) and outcome. */
    private static void count(Hooks.Counts outcomes, Exchange exchange, String outcome) {
        outcomes.increment("action", Objects.toString(exchange.getVariable("vropsAction"), ""), "outcome", outcome);
    }

    /** The failure being handled in {@code vcenter.maintenance.failures}, by the service it is about and the outcome. */
    private static void countFailure(Hooks.Counts failures, Exchange exchange, String outcome) {
        failures.increment("service", Vcenters.serviceOf(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)), "outcome", outcome);
    }
}
