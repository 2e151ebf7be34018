import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * Every vCenter event the Broker carries, written to the log: the Camel counterpart of VEBA's kn-ps-echo, for seeing
 * which events a vCenter sends and what they contain before writing a Trigger for them.
 * <p>
 * Trigger: every event of the Broker (the consumer names no type, so Camel K's Trigger has no filter).
 * Effect: one log entry per event, its CloudEvent attributes on the first line and its data, pretty-printed, below.
 * Answer: 204, always; nothing is applied anywhere.
 */
public class VCenterEventEcho extends RouteBuilder {

    @Override
    public void configure() {
        from("knative:event")
                .routeId("vcenter-event-echo")
                .log(LoggingLevel.INFO, "vcenter-event-echo",
                        "type=${header.CamelCloudEventType} subject=${header.CamelCloudEventSubject} id=${header.CamelCloudEventID}"
                                + " source=${header.CamelCloudEventSource} time=${header.CamelCloudEventTime}"
                                + " datacontenttype=${header.Content-Type}\n${prettyBody}");
    }
}
