import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A vCenter maintenance mode event as the integration uses it, read once from the CloudEvent: which host, enter or
 * exit, and where it stands in its vCenter's history. An event that cannot be read is an
 * {@link IllegalArgumentException} whose message is the reason the Broker is given.
 */
public record MaintenanceEvent(JsonNode data, VropsSession.Host host, boolean enter, Position position) {

    public static final String ENTERED_TYPE = "com.vmware.vsphere.EnteredMaintenanceModeEvent.v0";
    public static final String EXIT_TYPE = "com.vmware.vsphere.ExitMaintenanceModeEvent.v0";
    public static final String ENTERED_CLASS = "EnteredMaintenanceModeEvent";
    public static final String EXIT_CLASS = "ExitMaintenanceModeEvent";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What is not the vCenter's host name in a source such as https://vcsa01.lab.local:443/sdk. */
    private static final Pattern SCHEME_AND_PATH = Pattern.compile("^[a-z]+://|[:/].*$");

    /** What became of an event: {@code applied}, or another outcome with the reason. */
    public record Outcome(String name, String reason, String resourceId) {

        static Outcome applied(String resourceId) {
            return new Outcome("applied", null, resourceId);
        }

        static Outcome skipped(String name, String reason) {
            return new Outcome(name, reason, null);
        }

        boolean applied() {
            return name.equals("applied");
        }
    }

    /** Where an event stands in its vCenter's history: its Key and its creation time. */
    public record Position(Long key, Instant created) implements Comparable<Position> {

        @Override
        public int compareTo(Position other) {
            if (key != null && other.key != null) {
                return Long.compare(key, other.key);
            }
            if (created != null && other.created != null) {
                return created.compareTo(other.created);
            }
            return 1;
        }

        @Override
        public String toString() {
            return key != null ? "Key " + key : "created " + created;
        }
    }

    /** Reads the event data of a CloudEvent of this type (Tanzu Sources) or subject (VMware Event Router). */
    static MaintenanceEvent read(byte[] data, String type, String subject, String source) {
        JsonNode event;
        try {
            event = data == null ? null : JSON.readTree(data);
        } catch (IOException notJson) {
            event = null;
        }
        if (event == null || !event.isObject()) {
            throw new IllegalArgumentException("event data is not a vCenter event in JSON");
        }
        String name = event.path("Host").path("Name").asText("");
        if (name.isBlank()) {
            throw new IllegalArgumentException("event data has no Host.Name");
        }
        boolean enter;
        if (ENTERED_TYPE.equals(type) || ENTERED_CLASS.equals(subject)) {
            enter = true;
        } else if (EXIT_TYPE.equals(type) || EXIT_CLASS.equals(subject)) {
            enter = false;
        } else {
            throw new IllegalArgumentException("event type " + type + " is not a maintenance mode event");
        }
        String vcenter = SCHEME_AND_PATH.matcher(source == null ? "" : source.toLowerCase(Locale.ROOT)).replaceAll("");
        String moref = event.path("Host").path("Host").path("Value").asText(null);
        return new MaintenanceEvent(event, new VropsSession.Host(vcenter, moref, name), enter, position(event));
    }

    /** The event data as JSON text, for a host lookup; written only then. */
    String json() {
        return data.toString();
    }

    /** The host's key for ordering: its vCenter and its managed object id, else its name. */
    String hostKey() {
        return host.vcenter() + "|" + (host.moref() != null ? host.moref() : "name:" + host.name());
    }

    String action() {
        return enter ? "enter" : "exit";
    }

    private static Position position(JsonNode event) {
        Long key = event.path("Key").canConvertToLong() ? event.path("Key").asLong() : null;
        Instant created = null;
        try {
            created = Instant.parse(event.path("CreatedTime").asText(""));
        } catch (DateTimeParseException noTime) {
            // ordered by Key alone
        }
        return key == null && created == null ? null : new Position(key, created);
    }
}
