package maintsync.edge;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

import javax.net.ssl.HostnameVerifier;

import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustAllTrustManager;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust the calls to vROps (the Kamelets' {@code sslContextParameters} and {@code hostnameVerifier}) or to a
 * vCenter use: the JVM's default trust store, the CA bundle of a {@code *.tls.ca-file} setting (vROps and vCenter
 * appliances ship self-signed certificates), or, for a lab only, no check at all.
 */
public record Tls(SSLContextParameters sslContextParameters, HostnameVerifier hostnameVerifier) {

    private static final Logger LOG = LoggerFactory.getLogger("vcenter-maintenance");

    /** From the settings {@code <prefix>tls.insecure} and {@code <prefix>tls.ca-file}, e.g. prefix {@code vrops.}. */
    public static Tls of(CamelContext context, String prefix) throws Exception {
        boolean insecure = Settings.flag(context, prefix + "tls.insecure", false);
        String setting = prefix + "tls.ca-file";
        String caFile = Settings.get(context, setting, "");
        if (insecure) {
            LOG.warn("{}tls.insecure=true: the certificate and host name are NOT verified. Use {} outside a lab.", prefix, setting);
        }
        TrustManagersParameters trust = null;
        if (insecure) {
            trust = new TrustManagersParameters();
            trust.setTrustManager(TrustAllTrustManager.INSTANCE);
        } else if (!caFile.isBlank()) {
            KeyStoreParameters caStore = new KeyStoreParameters();
            caStore.setKeyStore(pemTrustStore(setting, Path.of(caFile.strip())));
            trust = new TrustManagersParameters();
            trust.setKeyStore(caStore);
        }
        SSLContextParameters parameters = new SSLContextParameters();
        parameters.setTrustManagers(trust);
        return new Tls(parameters, insecure ? NoopHostnameVerifier.INSTANCE : new DefaultHostnameVerifier());
    }

    private static KeyStore pemTrustStore(String setting, Path caFile) throws Exception {
        if (!Files.isReadable(caFile)) {
            throw new IllegalStateException(setting + " " + caFile + " is not a readable file");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream pem = Files.newInputStream(caFile)) {
            int index = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                store.setCertificateEntry("ca-" + index++, certificate);
            }
        }
        if (store.size() == 0) {
            throw new IllegalStateException(setting + " " + caFile + " holds no PEM certificate");
        }
        return store;
    }
}
