package maintsync.vrops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The two media types the suite-api speaks. The appliance answers XML unless the client asks for
 * JSON, which is what catches clients that forget {@code Accept: application/json}.
 */
enum Representation {
    JSON("application/json;charset=UTF-8"),
    XML("application/xml;charset=UTF-8");

    private static final String OPS_NAMESPACE = "http://webservice.vmware.com/vRealizeOpsMgr/1.0/";
    private static final Set<String> XML_RANGES = Set.of("application/xml", "text/xml", "application/*", "*/*");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String contentType;

    Representation(String contentType) {
        this.contentType = contentType;
    }

    String contentType() {
        return contentType;
    }

    /** JSON if asked for by name, XML for no Accept or a range that covers XML, otherwise none (406). */
    static Optional<Representation> negotiate(List<String> acceptHeaders) {
        if (acceptHeaders == null || acceptHeaders.isEmpty()) {
            return Optional.of(XML);
        }
        List<String> ranges = acceptHeaders.stream()
                .flatMap(header -> List.of(header.split(",")).stream())
                .map(range -> range.split(";")[0].trim().toLowerCase(Locale.ROOT))
                .toList();
        if (ranges.contains("application/json")) {
            return Optional.of(JSON);
        }
        return ranges.stream().anyMatch(XML_RANGES::contains) ? Optional.of(XML) : Optional.empty();
    }

    byte[] render(JsonNode body, String rootName) {
        String text = this == JSON ? json(body) : xml(body, rootName);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String json(JsonNode body) {
        try {
            return MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A minimal {@code ops:} document: one element per field, array items repeated under the field's
     * name. Enough for clients that read XML by element name; not the appliance's exact layout,
     * which puts some fields in attributes.
     */
    private static String xml(JsonNode body, String rootName) {
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.setPrefix("ops", OPS_NAMESPACE);
            xml.writeStartElement("ops", rootName, OPS_NAMESPACE);
            xml.writeNamespace("ops", OPS_NAMESPACE);
            writeFields(xml, body);
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return text.toString();
    }

    private static void writeFields(XMLStreamWriter xml, JsonNode object) throws XMLStreamException {
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            writeValue(xml, field.getKey(), field.getValue());
        }
    }

    private static void writeValue(XMLStreamWriter xml, String name, JsonNode value) throws XMLStreamException {
        if (value.isArray()) {
            for (JsonNode item : value) {
                writeValue(xml, name, item);
            }
            return;
        }
        xml.writeStartElement(OPS_NAMESPACE, name);
        if (value.isObject()) {
            writeFields(xml, value);
        } else {
            xml.writeCharacters(value.asText());
        }
        xml.writeEndElement();
    }
}
