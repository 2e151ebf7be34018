package maintsync;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A vCenter event as a Knative Broker delivers it in binary mode: {@code ce-*} headers plus the vCenter event as
 * the JSON body. Built from the fixtures in {@code tests/resources/events}, in the Tanzu Sources format unless
 * {@link #eventRouterFormat()} turns it into the VMware Event Router one.
 */
public final class VcenterEvent {

    public static final String ENTERED_TYPE = "com.vmware.vsphere.EnteredMaintenanceModeEvent.v0";
    public static final String EXIT_TYPE = "com.vmware.vsphere.ExitMaintenanceModeEvent.v0";
    public static final String ENTERING_TYPE = "com.vmware.vsphere.EnteringMaintenanceModeEvent.v0";
    public static final String EVENT_ROUTER_TYPE = "com.vmware.event.router/event";
    public static final String VCSA01 = "https://vcsa01.lab.local/sdk";
    public static final String VCSA01_UUID = "5f1a0f0e-6a5b-4a43-9c1e-0a1b2c3d4e01";
    public static final String VCSA02 = "https://vcsa02.lab.local:443/sdk";
    public static final String VCSA02_UUID = "5f1a0f0e-6a5b-4a43-9c1e-0a1b2c3d4e02";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong KEYS = new AtomicLong(100_000);

    private final Map<String, String> headers = new LinkedHashMap<>();
    private String body;

    private VcenterEvent(String type, ObjectNode data) {
        long key = KEYS.incrementAndGet();
        data.put("Key", key);
        headers.put("ce-specversion", "1.0");
        headers.put("ce-id", Long.toString(key));
        headers.put("ce-source", VCSA01);
        headers.put("ce-type", type);
        headers.put("ce-time", data.path("CreatedTime").asText());
        headers.put("ce-eventclass", "event");
        headers.put("ce-vsphereapiversion", "8.0.2.0");
        headers.put("Content-Type", "application/json");
        body = data.toString();
    }

    /** The host entered maintenance mode. */
    public static VcenterEvent entered(String hostName, String moref) {
        return new VcenterEvent(ENTERED_TYPE, fixture("entered-maintenance-mode.json", hostName, moref));
    }

    /** The host started to enter maintenance mode: the same HostEvent fields as Entered, vCenter's message differs. */
    public static VcenterEvent entering(String hostName, String moref) {
        ObjectNode data = fixture("entered-maintenance-mode.json", hostName, moref);
        data.put("FullFormattedMessage", "Host " + hostName + " in Datacenter is entering maintenance mode");
        return new VcenterEvent(ENTERING_TYPE, data);
    }

    /** The host exited maintenance mode. */
    public static VcenterEvent exited(String hostName, String moref) {
        return new VcenterEvent(EXIT_TYPE, fixture("exit-maintenance-mode.json", hostName, moref));
    }

    /** The same event as the VMware Event Router sent it: one type, the class in subject, a random id. */
    public VcenterEvent eventRouterFormat() {
        String type = headers.get("ce-type");
        headers.put("ce-subject", type.substring("com.vmware.vsphere.".length(), type.length() - ".v0".length()));
        headers.put("ce-type", EVENT_ROUTER_TYPE);
        headers.put("ce-id", java.util.UUID.randomUUID().toString());
        headers.remove("ce-eventclass");
        return this;
    }

    /** Sets the vCenter event Key, and the CloudEvent id with it where the format derives one from the other. */
    public VcenterEvent key(long key) {
        try {
            ObjectNode data = (ObjectNode) JSON.readTree(body);
            data.put("Key", key);
            body = data.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!EVENT_ROUTER_TYPE.equals(headers.get("ce-type"))) {
            headers.put("ce-id", Long.toString(key));
        }
        return this;
    }

    public VcenterEvent source(String source) {
        return header("ce-source", source);
    }

    /** Sets a header, or removes it when the value is null. */
    public VcenterEvent header(String name, String value) {
        if (value == null) {
            headers.remove(name);
        } else {
            headers.put(name, value);
        }
        return this;
    }

    public VcenterEvent body(String body) {
        this.body = body;
        return this;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public String body() {
        return body;
    }

    public String id() {
        return headers.get("ce-id");
    }

    public static String fixtureText(String name) {
        try (InputStream in = VcenterEvent.class.getResourceAsStream("/events/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture events/" + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode fixture(String name, String hostName, String moref) {
        try {
            ObjectNode data = (ObjectNode) JSON.readTree(fixtureText(name));
            ObjectNode host = (ObjectNode) data.get("Host");
            host.put("Name", hostName);
            ((ObjectNode) host.get("Host")).put("Value", moref);
            data.put("FullFormattedMessage", data.get("FullFormattedMessage").asText().replace("esx01.lab.local", hostName));
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
