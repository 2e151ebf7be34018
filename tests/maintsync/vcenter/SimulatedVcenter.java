package maintsync.vcenter;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** A vCenter the tests run on loopback: VMware's simulator ({@link Vcsim}), or the tests' own ({@link HostileVcenter}). */
public interface SimulatedVcenter extends AutoCloseable {

    /** Its SDK URL, https://127.0.0.x:port/sdk. */
    URI sdk();

    /** The CA its certificate is signed by, as PEM. */
    Path caCertificatePem();

    /** Its {@code about.instanceUuid}, what vROps keeps as each host's VMEntityVCID. */
    String instanceUuid();

    List<Vcsim.Host> hosts();

    @Override
    void close();
}
