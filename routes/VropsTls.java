import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

import javax.net.ssl.HostnameVerifier;

import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustAllTrustManager;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;

/**
 * The trust the vROps calls use, for the Kamelets' {@code sslContextParameters} and {@code hostnameVerifier}: the
 * JVM's default trust store, the CA bundle of {@code vrops.tls.ca-file} (vROps appliances ship a self-signed
 * certificate), or, for a lab only, no check at all.
 */
public record VropsTls(SSLContextParameters sslContextParameters, HostnameVerifier hostnameVerifier) {

    static VropsTls of(boolean insecure, String caFile) throws Exception {
        TrustManagersParameters trust = null;
        if (insecure) {
            trust = new TrustManagersParameters();
            trust.setTrustManager(TrustAllTrustManager.INSTANCE);
        } else if (!caFile.isBlank()) {
            KeyStoreParameters caStore = new KeyStoreParameters();
            caStore.setKeyStore(pemTrustStore(Path.of(caFile.strip())));
            trust = new TrustManagersParameters();
            trust.setKeyStore(caStore);
        }
        SSLContextParameters parameters = new SSLContextParameters();
        parameters.setTrustManagers(trust);
        return new VropsTls(parameters, insecure ? NoopHostnameVerifier.INSTANCE : new DefaultHostnameVerifier());
    }

    private static KeyStore pemTrustStore(Path caFile) throws Exception {
        if (!Files.isReadable(caFile)) {
            throw new IllegalStateException("vrops.tls.ca-file " + caFile + " is not a readable file");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream pem = Files.newInputStream(caFile)) {
            int index = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                store.setCertificateEntry("vrops-ca-" + index++, certificate);
            }
        }
        if (store.size() == 0) {
            throw new IllegalStateException("vrops.tls.ca-file " + caFile + " holds no PEM certificate");
        }
        return store;
    }
}
