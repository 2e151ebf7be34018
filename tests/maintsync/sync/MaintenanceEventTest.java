package maintsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import maintsync.vrops.VropsClient;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.cloudevents.CloudEvent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultMessage;
import org.junit.jupiter.api.Test;

/** What the integration reads from a CloudEvent, and the reasons it gives for one it cannot use. */
class MaintenanceEventTest {

    /** For the type converter of the messages: never started. */
    private static final CamelContext CONTEXT = new DefaultCamelContext();
    private static final String ENTERED = "{\"Key\": 7301, \"CreatedTime\": \"2026-12-01T10:00:00Z\", "
            + "\"Host\": {\"Name\": \"esx01.lab.local\", \"Host\": {\"Type\": \"HostSystem\", \"Value\": \"host-21\"}}}";

    @Test
    void theHostTheActionAndThePositionAreReadOnce() {
        MaintenanceEvent event = read(ENTERED, MaintenanceEvent.ENTERED_TYPE, null, "https://VCSA01.lab.local:443/sdk");

        assertThat(event.host()).isEqualTo(new VropsClient.Host("vcsa01.lab.local", "host-21", "esx01.lab.local"));
        assertThat(event.enter()).isTrue();
        assertThat(event.position()).hasToString("Key 7301");
        assertThat(event.hostKey()).isEqualTo("vcsa01.lab.local|host-21");
    }

    @Test
    void theAttributesAreCheckedBeforeTheData() {
        Message message = cloudEvent("{", MaintenanceEvent.ENTERED_TYPE, null, "https://vcsa01/sdk");
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_ID, List.of("7301", "7302"));
        assertThatThrownBy(() -> MaintenanceEvent.of(message)).isInstanceOf(IllegalArgumentException.class).hasMessage("ce-id is given 2 times");
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_ID, " \t");
        assertThatThrownBy(() -> MaintenanceEvent.of(message)).hasMessage("the CloudEvent has no id");
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_ID, "7".repeat(129));
        assertThatThrownBy(() -> MaintenanceEvent.of(message))
                .hasMessage("the CloudEvent id is longer than 128 characters: a vCenter source's is the event Key or a UUID");
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_ID, "7".repeat(128));
        message.removeHeader(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE);
        assertThatThrownBy(() -> MaintenanceEvent.of(message)).hasMessage("the CloudEvent has no source");
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE, "https://vcsa01/sdk");
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_VERSION, "0.3");
        assertThatThrownBy(() -> MaintenanceEvent.of(message)).hasMessage("CloudEvents specversion 0.3 is not supported");
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_VERSION, "1.0");
        message.setHeader(Exchange.CONTENT_TYPE, "application/xml");
        assertThatThrownBy(() -> MaintenanceEvent.of(message))
                .hasMessage("datacontenttype application/xml is not JSON; the VSphereSource must use payloadEncoding application/json");
        message.setHeader(Exchange.CONTENT_TYPE, "application/vnd.vmware+JSON; charset=utf-8");
        assertThatThrownBy(() -> MaintenanceEvent.of(message)).hasMessage("event data is not a vCenter event in JSON");
    }

    @Test
    void theEventRouterNamesTheClassInTheSubject() {
        assertThat(read(ENTERED, "com.vmware.event.router/event", MaintenanceEvent.EXIT_CLASS, "https://vcsa01/sdk").action())
                .isEqualTo("exit");
    }

    @Test
    void anUnusableEventIsRejectedWithTheReason() {
        assertThatThrownBy(() -> read("{", MaintenanceEvent.ENTERED_TYPE, null, "s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("event data is not a vCenter event in JSON");
        assertThatThrownBy(() -> read("[1]", MaintenanceEvent.ENTERED_TYPE, null, "s"))
                .hasMessage("event data is not a vCenter event in JSON");
        assertThatThrownBy(() -> read("{\"Host\": {\"Name\": \" \"}}", MaintenanceEvent.ENTERED_TYPE, null, "s"))
                .hasMessage("event data has no Host.Name");
        assertThatThrownBy(() -> read(ENTERED, "com.vmware.vsphere.VmPoweredOnEvent.v0", null, "s"))
                .hasMessage("event type com.vmware.vsphere.VmPoweredOnEvent.v0 is not a maintenance mode event");
    }

    @Test
    void everyFieldKeptFromTheEventIsLimited() {
        assertThatThrownBy(() -> read(withHost("x".repeat(256), "host-21"), MaintenanceEvent.ENTERED_TYPE, null, "s"))
                .hasMessage("event data Host.Name has 256 characters: a host name has at most 255");
        assertThatThrownBy(() -> read(withHost("esx01", "h".repeat(1024 * 1024)), MaintenanceEvent.ENTERED_TYPE, null, "s"))
                .hasMessage("event data Host.Host.Value has 1048576 characters: a managed object id has 1 to 80");
        assertThatThrownBy(() -> read(withHost("esx01", ""), MaintenanceEvent.ENTERED_TYPE, null, "s"))
                .hasMessage("event data Host.Host.Value has 0 characters: a managed object id has 1 to 80");
        assertThatThrownBy(() -> read(withHost("esx01", "host-21\\n\\r\\u001b[2K"), MaintenanceEvent.ENTERED_TYPE, null, "s"))
                .hasMessage("event data Host.Host.Value \"host-21\\n\\r\\u001b[2K\" is no managed object id: it holds U+000A; "
                        + "vCenter's ids (host-21, ha-host) hold only ASCII letters, digits, '.', '-', '_' and ':'");
        assertThatThrownBy(() -> read(ENTERED, MaintenanceEvent.ENTERED_TYPE, null, "https://vcsa01\n\r\u001b[2K/sdk"))
                .hasMessage("the CloudEvent source \"https://vcsa01\\n\\r\\u001b[2K/sdk\" names no vCenter: "
                        + "its host is 1 to 255 letters, digits, '.', '-', '_' and ':'");
        assertThatThrownBy(() -> read(ENTERED, MaintenanceEvent.ENTERED_TYPE, null, "https://" + "v".repeat(256) + "/sdk"))
                .hasMessageStartingWith("the CloudEvent source \"https://vvv");
    }

    @Test
    void aNameWithBlanksOrInvisibleCharactersInsideIsNoHostName() {
        for (String inside : new String[] {"\\u00a0", "\\u2007", "\\u3000", "\\u2028", "\\u2029", "\\u200b", "\\u202e", " ", "'"}) {
            assertThatThrownBy(() -> read(withHost("esx01" + inside + ".lab.local", "host-21"), MaintenanceEvent.ENTERED_TYPE, null, "s"))
                    .as(inside).hasMessageContaining("is no host name: it holds U+")
                    .hasMessageEndingWith("; a DNS name or IP address holds only letters, digits, '.', '-', '_' and ':'");
        }
        assertThatThrownBy(() -> read(withHost("esx01\\u00a0.lab.local", "host-21"), MaintenanceEvent.ENTERED_TYPE, null, "s"))
                .hasMessageStartingWith("event data Host.Name \"esx01\\u00a0.lab.local\" is no host name: it holds U+00A0;");
    }

    @Test
    void blanksAroundTheNameAreDroppedAlsoForTheLookup() {
        MaintenanceEvent event = read(withHost("\\u00a0 esx-m\u00fcnchen-01.lab.local\\t\\u3000", "host-31"), MaintenanceEvent.ENTERED_TYPE, null, "s");

        assertThat(event.host().name()).isEqualTo("esx-m\u00fcnchen-01.lab.local");
        assertThat(event.json()).contains("\"Name\":\"esx-m\u00fcnchen-01.lab.local\"");
    }

    @Test
    void theVcenterIsTheHostOfTheSourceAnIpv6AddressToo() {
        assertThat(read(ENTERED, MaintenanceEvent.ENTERED_TYPE, null, "https://[FD00::5]:443/sdk").host().vcenter()).isEqualTo("[fd00::5]");
        assertThat(read(ENTERED, MaintenanceEvent.ENTERED_TYPE, null, "vcsim.default.svc.cluster.local").host().vcenter())
                .isEqualTo("vcsim.default.svc.cluster.local");
    }

    @Test
    void withoutKeyAndTimeTheEventHasNoPosition() {
        assertThat(read("{\"Host\": {\"Name\": \"esx\"}}", MaintenanceEvent.EXIT_TYPE, null, "s").position()).isNull();
    }

    /** The Entered event of a host of this name and managed object id, both as JSON string contents. */
    private static String withHost(String name, String moref) {
        return ENTERED.replace("esx01.lab.local", name).replace("host-21", moref);
    }

    /** The event of a CloudEvent as the Knative consumer gives it, with this data and these attributes. */
    private static MaintenanceEvent read(String data, String type, String subject, String source) {
        return MaintenanceEvent.of(cloudEvent(data, type, subject, source));
    }

    private static Message cloudEvent(String data, String type, String subject, String source) {
        Message message = new DefaultMessage(CONTEXT);
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_VERSION, "1.0");
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_ID, "7301");
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_SOURCE, source);
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_TYPE, type);
        message.setHeader(CloudEvent.CAMEL_CLOUD_EVENT_SUBJECT, subject);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(data.getBytes(StandardCharsets.UTF_8));
        return message;
    }

    /** vCenter's shape is read without Instant.parse; every text, read or refused, ends as Instant.parse has it. */
    @Test
    void theCreatedTimeIsReadAsInstantParseReadsIt() {
        List<String> texts = List.of("2026-12-01T10:00:00Z", "2026-12-01T10:00:00.1Z", "2026-12-01T10:00:00.123Z",
                "2026-12-01T10:00:00.123456789Z", "2024-02-29T23:59:59.999999999Z", "0000-01-01T00:00:00Z", "1969-12-31T23:59:59.5Z",
                "2026-12-01T10:00:00.Z", "2026-12-01T10:00:00.1234567890Z", "2025-02-29T10:00:00Z", "2026-04-31T10:00:00Z",
                "2026-13-01T10:00:00Z", "2026-00-01T10:00:00Z", "2026-12-00T10:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T10:60:00Z",
                "2026-12-01T23:59:60Z", "2026-12-01t10:00:00z", "2026-12-01T10:00:00+01:00", "2026-12-01T10:00:00", "2026-12-01 10:00:00Z",
                "2026-1a-01T10:00:00Z", "+2026-12-01T10:00:00Z", "12026-12-01T10:00:00Z", "2026-12-01T10:00:00,5Z", "", "x");
        for (String text : texts) {
            Object expected;
            try {
                expected = Instant.parse(text);
            } catch (DateTimeParseException refused) {
                expected = DateTimeParseException.class;
            }
            Object read;
            try {
                read = MaintenanceEvent.createdTime(text);
            } catch (DateTimeParseException refused) {
                read = DateTimeParseException.class;
            }
            assertThat(read).as(text).isEqualTo(expected);
        }
        assertThat(MaintenanceEvent.createdTime("2026-12-01T10:00:00.25Z")).isEqualTo(Instant.parse("2026-12-01T10:00:00.250Z"));
    }
}
