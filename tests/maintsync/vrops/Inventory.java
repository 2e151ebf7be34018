package maintsync.vrops;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * What the simulated vROps knows: its users, the vCenters it collects from and their ESXi hosts.
 * Kept in a readable JSON file ({@code users}, {@code vcenters}, {@code hosts}) so that demos and
 * tests can bring their own.
 */
public record Inventory(List<User> users, List<VCenter> vcenters, List<Host> hosts) {

    private static final String DEFAULT_RESOURCE = "/vrops/inventory.json";
    private static final String LOCAL = "LOCAL";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A vROps account; {@code authSource} defaults to the local user store. */
    public record User(String username, String password, String authSource, boolean readOnly) {
        public User {
            require(username, "user.username");
            require(password, "user.password");
            authSource = authSource == null ? LOCAL : authSource;
        }

        @Override
        public String toString() {
            return "User[" + username + "@" + authSource + (readOnly ? ", read-only]" : "]");
        }
    }

    public record VCenter(String name, String instanceUuid) {
        public VCenter {
            require(name, "vcenter.name");
            UUID.fromString(require(instanceUuid, "vcenter.instanceUuid"));
        }
    }

    /** An ESXi host, named as vCenter names it, with its managed object reference. */
    public record Host(String name, String moref, String vcenter) {
        public Host {
            require(name, "host.name");
            require(moref, "host.moref");
            require(vcenter, "host.vcenter");
        }
    }

    public Inventory {
        users = List.copyOf(users);
        vcenters = List.copyOf(vcenters);
        hosts = List.copyOf(hosts);
        Set<String> hostKeys = new HashSet<>();
        for (Host host : hosts) {
            String key = find(vcenters, host.vcenter()).instanceUuid().toLowerCase(Locale.ROOT) + "/" + host.moref();
            if (!hostKeys.add(key)) {
                throw new IllegalArgumentException(
                        "Host " + host.moref() + " appears twice on vCenter " + host.vcenter());
            }
        }
    }

    public static Inventory load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return JSON.readValue(in, Inventory.class);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read inventory " + file, e);
        }
    }

    /** The inventory in {@code tests/resources/vrops/inventory.json}. */
    public static Inventory defaults() {
        try (InputStream in = Inventory.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_RESOURCE + " is not on the classpath");
            }
            return JSON.readValue(in, Inventory.class);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + DEFAULT_RESOURCE, e);
        }
    }

    /**
     * A large inventory for load and chaos tests, with the default users. Host {@code n} of vCenter
     * {@code v} is {@code esx-<v>-<nnn>.gen.local} with moref {@code host-<n>}, so every moref exists
     * on every vCenter, as it does in real multi-vCenter setups.
     */
    public static Inventory generated(int vcenterCount, int hostsPerVcenter) {
        List<VCenter> vcenters = new ArrayList<>();
        List<Host> hosts = new ArrayList<>();
        for (int v = 1; v <= vcenterCount; v++) {
            String name = "vcsa-" + v + ".gen.local";
            UUID uuid = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
            vcenters.add(new VCenter(name, uuid.toString()));
            for (int n = 1; n <= hostsPerVcenter; n++) {
                hosts.add(new Host(String.format("esx-%d-%03d.gen.local", v, n), "host-" + n, name));
            }
        }
        return new Inventory(defaults().users(), vcenters, hosts);
    }

    public VCenter vcenter(String name) {
        return find(vcenters, name);
    }

    private static VCenter find(List<VCenter> vcenters, String name) {
        return vcenters.stream()
                .filter(vcenter -> vcenter.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown vCenter " + name));
    }

    private static String require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Inventory field " + field + " is missing");
        }
        return value;
    }
}
