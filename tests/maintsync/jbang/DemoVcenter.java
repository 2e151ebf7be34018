package maintsync.jbang;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import maintsync.vcenter.Vcsim;
import maintsync.vrops.Inventory;

/**
 * jbang/demo's hands on the vCenter simulator it started (tests/vcsim), as an administrator in the vSphere Client
 * would act: the password in the environment variable {@code VCENTER_LAB_PASSWORD}, as the integration reads it.
 * <ul>
 * <li>{@code inventory SDK CA OUT}: writes the simulator's hosts under its instance UUID, for the vROps simulator's
 * {@code --more-hosts}, and prints the two hosts the demo uses, {@code name moref name moref};</li>
 * <li>{@code enter SDK CA NAME MOREF}, {@code exit SDK CA NAME MOREF}: runs vCenter's maintenance task on the host;</li>
 * <li>{@code state SDK CA NAME MOREF}: prints {@code in_maintenance} or {@code in_service}.</li>
 * </ul>
 */
public final class DemoVcenter {

    private DemoVcenter() {
    }

    public static void main(String... args) throws Exception {
        if (args.length < 3) {
            System.err.println("Usage: DemoVcenter inventory|enter|exit|state SDK_URL CA_PEM [OUT | NAME MOREF]");
            System.exit(2);
        }
        String password = System.getenv("VCENTER_LAB_PASSWORD");
        if (password == null) {
            throw new IllegalStateException("VCENTER_LAB_PASSWORD is not set");
        }
        URI sdk = URI.create(args[1]);
        try (Vcsim vcenter = Vcsim.connect(sdk, Path.of(args[2]), password)) {
            switch (args[0]) {
                case "inventory" -> {
                    List<Inventory.Host> hosts = new ArrayList<>();
                    List<Vcsim.Host> simulated = vcenter.hosts();
                    simulated.forEach(host -> hosts.add(new Inventory.Host(host.name(), host.moref(), sdk.getHost())));
                    Files.writeString(Path.of(args[3]), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(
                            new Inventory(List.of(), List.of(new Inventory.VCenter(sdk.getHost(), vcenter.instanceUuid())), hosts)));
                    System.out.println(simulated.get(0).name() + " " + simulated.get(0).moref() + " " + simulated.get(1).name() + " "
                            + simulated.get(1).moref());
                }
                case "enter" -> vcenter.enterMaintenanceMode(new Vcsim.Host(args[3], args[4]));
                case "exit" -> vcenter.exitMaintenanceMode(new Vcsim.Host(args[3], args[4]));
                case "state" -> System.out.println(vcenter.inMaintenanceMode(new Vcsim.Host(args[3], args[4])) ? "in_maintenance" : "in_service");
                default -> throw new IllegalArgumentException("no command " + args[0]);
            }
        }
    }
}
