package maintsync.sync;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import maintsync.edge.LogLines;
import maintsync.vrops.VropsClient;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.cloudevents.CloudEvent;

/**
 * A vCenter maintenance mode event as the integration uses it, read once from the CloudEvent: which host, enter or
 * exit, and where it stands in its vCenter's history. Every check of the CloudEvent's attributes and data is in
 * {@link #of(Message)}: an event that cannot be read is an {@link IllegalArgumentException} whose message is the reason
 * the Broker is given.
 */
public record MaintenanceEvent(JsonNode data, VropsClient.Host host, boolean enter, Position position) {

    public static final String ENTERED_TYPE = "com.vmware.vsphere.EnteredMaintenanceModeEvent.v0";
    public static final String EXIT_TYPE = "com.vmware.vsphere.ExitMaintenanceModeEvent.v0";
    public static final String ENTERED_CLASS = "EnteredMaintenanceModeEvent";
    public static final String EXIT_CLASS = "ExitMaintenanceModeEvent";
    /** Opt-in ({@code events.entering-maintenance}): the host's evacuation has started. */
    public static final String ENTERING_TYPE = "com.vmware.vsphere.EnteringMaintenanceModeEvent.v0";
    public static final String ENTERING_CLASS = "EnteringMaintenanceModeEvent";

    /** One JSON value and nothing after it: data after the event means it was not written by a vCenter source. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Of a CloudEvent id, which is logged; vCenter sources send the event Key (Tanzu Sources) or a UUID (Event Router). */
    private static final int MAX_ID = 128;
    /** An attribute of nothing but blanks is not given. */
    private static final Pattern BLANK = Pattern.compile("\\s*");
    /** JSON, also as a structured suffix ({@code application/vnd.vmware+json}), with or without parameters. */
    private static final Pattern JSON_CONTENT_TYPE = Pattern.compile("(?i)application/([\\w.-]+\\+)?json.*");
    /** The headers the Knative consumer sets from the CloudEvent attributes, and the attributes' HTTP names. */
    private static final Map<String, String> ATTRIBUTES = Map.of(CloudEvent.CAMEL_CLOUD_EVENT_ID, "ce-id",
            CloudEvent.CAMEL_CLOUD_EVENT_SOURCE, "ce-source", CloudEvent.CAMEL_CLOUD_EVENT_TYPE, "ce-type",
            CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT, "ce-subject", CloudEvent.CAMEL_CLOUD_EVENT_VERSION, "ce-specversion");
    /**
     * The vCenter's host in a source such as https://vcsa01.lab.local:443/sdk or https://[fd00::5]/sdk (an IPv6 address
     * is in brackets), or alone, as Tanzu Sources sent it before 2023.
     */
    private static final Pattern VCENTER_IN_SOURCE = Pattern.compile("^(?:[a-z][a-z0-9+.-]*://)?(\\[[0-9a-f:.]+]|[^:/]*)");
    /** vCenter's host names are DNS names or IP addresses, which DNS limits to 255 characters. */
    private static final int MAX_HOST_NAME = 255;
    /** vCenter's managed object ids of hosts are short, such as host-21 or ha-host; 80 leaves room for any. */
    private static final int MAX_MOREF = 80;
    /**
     * What DNS names and IP addresses are made of, internationalised names included. No blank, control or format
     * character: they are invisible or break lines on a page, a log or a vROps query.
     */
    private static final Pattern HOST_NAME = Pattern.compile("[\\p{L}\\p{Nd}._:-]+");
    private static final String HOST_NAME_CHARACTERS = "letters, digits, '.', '-', '_' and ':'";
    /** The characters of vCenter's managed object ids; none needs escaping in a query or in XML. */
    private static final Pattern MOREF = Pattern.compile("[A-Za-z0-9._:-]+");

    /**
     * What became of an event: {@code applied}, or another outcome with the reason; and what it showed of the host's
     * state in vCenter and in vROps after it, each null where it showed nothing.
     */
    public record Outcome(String name, String reason, String resourceId, MaintenancePlan.VcenterState inVcenter,
            MaintenancePlan.VropsState inVrops) {

        static Outcome applied(String resourceId) {
            return new Outcome("applied", null, resourceId, null, null);
        }

        static Outcome skipped(String name, String reason) {
            return new Outcome(name, reason, null, null, null);
        }

        /** The same, with the host's states as the event left them. */
        Outcome showing(MaintenancePlan.VcenterState vcenter, MaintenancePlan.VropsState vrops) {
            return new Outcome(name, reason, resourceId, vcenter, vrops);
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

    /**
     * The event of a CloudEvent as the Knative consumer gives it, its attributes as headers and its data as the body;
     * or the first reason it cannot be used. Each attribute must be given once, the id, the source and specversion 1.0
     * are required, the data must be JSON, and then the data must be a maintenance mode event of a host.
     */
    static MaintenanceEvent of(Message message) {
        requireEachAttributeOnce(message);
        String id = message.getHeader(CloudEvent.CAMEL_CLOUD_EVENT_ID, String.class);
        if (id == null || BLANK.matcher(id).matches()) {
            throw new IllegalArgumentException("the CloudEvent has no id");
        }
        if (id.length() > MAX_ID) {
            throw new IllegalArgumentException("the CloudEvent id is longer than " + MAX_ID + " characters: a vCenter source's is the event Key or a UUID");
        }
        String source = message.getHeader(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE, String.class);
        if (source == null || BLANK.matcher(source).matches()) {
            throw new IllegalArgumentException("the CloudEvent has no source");
        }
        String version = message.getHeader(CloudEvent.CAMEL_CLOUD_EVENT_VERSION, String.class);
        if (!"1.0".equals(version)) {
            throw new IllegalArgumentException("CloudEvents specversion " + (version == null ? "" : version) + " is not supported");
        }
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, String.class);
        if (contentType != null && !JSON_CONTENT_TYPE.matcher(contentType).matches()) {
            throw new IllegalArgumentException("datacontenttype " + contentType + " is not JSON; the VSphereSource must use payloadEncoding application/json");
        }
        return read(message.getBody(byte[].class), message.getHeader(CloudEvent.CAMEL_CLOUD_EVENT_TYPE, String.class),
                message.getHeader(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT, String.class), source);
    }

    /** Reads the event data of a CloudEvent of this type (Tanzu Sources) or subject (VMware Event Router). */
    private static MaintenanceEvent read(byte[] data, String type, String subject, String source) {
        JsonNode event;
        try {
            event = data == null ? null : JSON.readTree(data);
        } catch (MismatchedInputException mismatch) {
            if (String.valueOf(mismatch.getOriginalMessage()).startsWith("Trailing token")) {
                throw new IllegalArgumentException("event data holds more than the vCenter event: data follows its JSON value");
            }
            event = null;
        } catch (IOException notJson) {
            event = null;
        }
        if (event == null || !event.isObject()) {
            throw new IllegalArgumentException("event data is not a vCenter event in JSON");
        }
        String name = hostName(event);
        boolean enter;
        if (ENTERED_TYPE.equals(type) || ENTERED_CLASS.equals(subject) || ENTERING_TYPE.equals(type) || ENTERING_CLASS.equals(subject)) {
            enter = true;
        } else if (EXIT_TYPE.equals(type) || EXIT_CLASS.equals(subject)) {
            enter = false;
        } else {
            throw new IllegalArgumentException("event type " + type + " is not a maintenance mode event");
        }
        return new MaintenanceEvent(event, new VropsClient.Host(vcenter(source), moref(event), name), enter, position(event));
    }

    /**
     * The host's name, without blanks around it (vCenter has no host name with blanks around it; a name copied with
     * them still means the host), and written back so, so that the vROps lookup asks for the same name. A name that
     * no vCenter host has is refused: it could only be shown, logged and looked up, and some would break a vROps query.
     */
    private static String hostName(JsonNode event) {
        String name = withoutBlanksAround(event.path("Host").path("Name").asText(""));
        if (name.isEmpty()) {
            throw new IllegalArgumentException("event data has no Host.Name");
        }
        if (name.length() > MAX_HOST_NAME) {
            throw new IllegalArgumentException("event data Host.Name has " + name.length() + " characters: a host name has at most " + MAX_HOST_NAME);
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("event data Host.Name \"" + LogLines.escape(name) + "\" is no host name: it holds control characters");
        }
        if (!HOST_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("event data Host.Name \"" + LogLines.escape(name) + "\" is no host name: it holds "
                    + firstOutside(name, HOST_NAME) + "; a DNS name or IP address holds only " + HOST_NAME_CHARACTERS);
        }
        ((ObjectNode) event.get("Host")).put("Name", name);
        return name;
    }

    /** Blanks of any kind: {@link String#strip()} leaves the no-break spaces. */
    private static String withoutBlanksAround(String text) {
        int from = 0;
        int to = text.length();
        while (from < to && isBlank(text.charAt(from))) {
            from++;
        }
        while (to > from && isBlank(text.charAt(to - 1))) {
            to--;
        }
        return text.substring(from, to);
    }

    private static boolean isBlank(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** The managed object id, when the event has one: 1 to {@link #MAX_MOREF} of vCenter's characters. */
    private static String moref(JsonNode event) {
        String moref = event.path("Host").path("Host").path("Value").asText(null);
        if (moref == null) {
            return null;
        }
        if (moref.isEmpty() || moref.length() > MAX_MOREF) {
            throw new IllegalArgumentException("event data Host.Host.Value has " + moref.length()
                    + " characters: a managed object id has 1 to " + MAX_MOREF);
        }
        if (!MOREF.matcher(moref).matches()) {
            throw new IllegalArgumentException("event data Host.Host.Value \"" + LogLines.escape(moref) + "\" is no managed object id: it holds "
                    + firstOutside(moref, MOREF) + "; vCenter's ids (host-21, ha-host) hold only ASCII letters, digits, '.', '-', '_' and ':'");
        }
        return moref;
    }

    /** The vCenter's host, lower case, from the CloudEvent source: a DNS name or IP address, as a host's name is. */
    private static String vcenter(String source) {
        Matcher host = VCENTER_IN_SOURCE.matcher(source == null ? "" : source.toLowerCase(Locale.ROOT));
        String vcenter = host.lookingAt() ? host.group(1) : "";
        if (vcenter.isEmpty() || vcenter.length() > MAX_HOST_NAME || !(vcenter.startsWith("[") || HOST_NAME.matcher(vcenter).matches())) {
            throw new IllegalArgumentException("the CloudEvent source \"" + LogLines.escape(abbreviated(source)) + "\" names no vCenter: its host is "
                    + "1 to " + MAX_HOST_NAME + " " + HOST_NAME_CHARACTERS);
        }
        return vcenter;
    }

    /** The first character of {@code text} that {@code allowed} does not take, as U+XXXX. */
    private static String firstOutside(String text, Pattern allowed) {
        int outside = text.codePoints().filter(c -> !allowed.matcher(Character.toString(c)).matches()).findFirst().orElseThrow();
        return String.format("U+%04X", outside);
    }

    /** A CloudEvent attribute given twice arrives as a list of values: which one the source meant is unknown. */
    private static void requireEachAttributeOnce(Message message) {
        ATTRIBUTES.forEach((header, attribute) -> {
            if (message.getHeader(header) instanceof List<?> values) {
                throw new IllegalArgumentException(attribute + " is given " + values.size() + " times");
            }
        });
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

    /**
     * A vCenter event Key is an integer, as vCenter writes it. Any other Key is refused rather than guessed at (rounded,
     * parsed or left out for the creation time): ordering by a Key that is not vCenter's could apply an older event
     * over a newer one, silently.
     */
    private static Position position(JsonNode event) {
        JsonNode keyField = event.path("Key");
        if (!keyField.isMissingNode() && !keyField.isNull() && !(keyField.isIntegralNumber() && keyField.canConvertToLong())) {
            throw new IllegalArgumentException("event Key " + abbreviated(keyField.toString()) + " is not a 64-bit integer");
        }
        Long key = keyField.isIntegralNumber() ? keyField.asLong() : null;
        Instant created = null;
        try {
            created = createdTime(event.path("CreatedTime").asText(""));
        } catch (DateTimeParseException noTime) {
            // ordered by Key alone
        }
        return key == null && created == null ? null : new Position(key, created);
    }

    /**
     * {@link Instant#parse}, which costs about as much as the rest of reading the event: the shape vCenter writes,
     * {@code 2026-12-01T10:00:00.123Z} (UTC, up to 9 digits of fraction), is read here, any other text, and any with a
     * field out of range, by {@link Instant#parse}, which then reads or refuses it as it always did.
     */
    static Instant createdTime(String text) {
        int length = text.length();
        if (length < 20 || length == 21 || length > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(length - 1) != 'Z' || length > 20 && text.charAt(19) != '.') {
            return Instant.parse(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int fraction = length > 20 ? digits(text, 20, length - 1) : 0;
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year)) || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 59 || fraction < 0) {
            return Instant.parse(text);
        }
        int nanos = fraction;
        for (int digits = Math.max(0, length - 21); digits < 9; digits++) {
            nanos *= 10;
        }
        long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3_600L + minute * 60L + second;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** The decimal number of {@code text} from {@code from} to {@code to}, or -1 when a character is no ASCII digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static String abbreviated(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
