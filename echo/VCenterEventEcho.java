import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;

/**
 * Every vCenter event the Broker carries, written to the log: the Camel counterpart of VEBA's kn-ps-echo, for seeing
 * which events a vCenter sends and what they contain before writing a Trigger for them.
 * <p>
 * Trigger: every event of the Broker (the consumer names no type, so Camel K's Trigger has no filter), at /; the
 * paths /events/&lt;type&gt; where Camel K subscribes typed events (and jbang/send-event posts) are served too.
 * Effect: one log entry per event, its CloudEvent attributes on the first line and its data, pretty-printed, below;
 * in binary mode (ce-* headers) and in structured mode (the whole event as JSON) alike.
 * Answer: 204, always; nothing is applied anywhere.
 */
public class VCenterEventEcho extends RouteBuilder {

    /** The attributes of the first line, as Camel names them and as a structured event names them. */
    private static final Map<String, String> ATTRIBUTES = attributes();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void configure() {
        from("knative:event")
                .routeId("vcenter-event-echo")
                .to("direct:echo");
        from("knative:endpoint/typed-events")
                .routeId("vcenter-event-echo-typed")
                .to("direct:echo");
        from("direct:echo")
                .routeId("vcenter-event-echo-log")
                .process(VCenterEventEcho::readStructuredMode)
                .log(LoggingLevel.INFO, "vcenter-event-echo",
                        "type=${header.CamelCloudEventType} subject=${header.CamelCloudEventSubject} id=${header.CamelCloudEventID}"
                                + " source=${header.CamelCloudEventSource} time=${header.CamelCloudEventTime}"
                                + " datacontenttype=${header.Content-Type}\n${prettyBody}");
    }

    /**
     * A structured event as the binary one is shown: its attributes as Camel's headers, its data as the body, in JSON.
     * Camel's Knative consumer reads a structured event itself only when its content type carries no parameter, and
     * then leaves JSON data as a Java Map, which would be logged as {@code {Key=1}}.
     */
    static void readStructuredMode(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase(Locale.ROOT);
        if (contentType.startsWith("application/cloudevents+json") && message.getHeader("CamelCloudEventType") == null) {
            JsonNode event = JSON.readTree(message.getBody(byte[].class));
            ATTRIBUTES.forEach((header, attribute) -> {
                if (event.hasNonNull(attribute)) {
                    message.setHeader(header, event.get(attribute).asText());
                }
            });
            message.setHeader(Exchange.CONTENT_TYPE, event.path("datacontenttype").asText(null));
            message.setBody(data(event));
        } else if (message.getBody() instanceof Map || message.getBody() instanceof List) {
            message.setBody(JSON.writeValueAsString(message.getBody()));
        }
    }

    /** The data of a structured event: JSON as JSON, text as it is, data_base64 decoded as UTF-8 text. */
    private static String data(JsonNode event) throws Exception {
        if (event.hasNonNull("data_base64")) {
            return new String(Base64.getDecoder().decode(event.get("data_base64").asText()), StandardCharsets.UTF_8);
        }
        JsonNode data = event.path("data");
        if (data.isMissingNode() || data.isNull()) {
            return "";
        }
        return data.isTextual() ? data.asText() : JSON.writeValueAsString(data);
    }

    private static Map<String, String> attributes() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("CamelCloudEventType", "type");
        attributes.put("CamelCloudEventSubject", "subject");
        attributes.put("CamelCloudEventID", "id");
        attributes.put("CamelCloudEventSource", "source");
        attributes.put("CamelCloudEventTime", "time");
        return attributes;
    }
}
