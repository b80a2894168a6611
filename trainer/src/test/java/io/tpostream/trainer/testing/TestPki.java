package io.tpostream.trainer.testing;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and what a TLS listener on 127.0.0.1 (a Kafka broker, an HTTPS server) needs
 * from it, made with the JDK's own {@code keytool} (no network, no extra library): a CA key pair, a server key
 * signed by it, by default for {@code 127.0.0.1} and {@code localhost}, the server's PKCS#12 key store (key plus
 * chain) and a trust store holding only the CA.
 *
 * @param keyStore   the server's key store (PKCS#12)
 * @param trustStore what clients trust (PKCS#12): the CA's certificate
 * @param password   of both stores and of the server's key
 */
public record TestPki(Path keyStore, Path trustStore, String password) {

    private static final String TYPE = "PKCS12";

    /** Creates the CA, a server certificate for 127.0.0.1 and localhost, and both stores in {@code dir}. */
    public static TestPki create(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        return create(dir, "ip:127.0.0.1,dns:localhost");
    }

    /**
     * Creates the CA, a server certificate and both stores in {@code dir}.
     *
     * @param subjectAlternativeNames the names the certificate is valid for, as keytool's {@code san} extension
     *                                takes them ({@code ip:127.0.0.1,dns:localhost})
     */
    public static TestPki create(Path dir, String subjectAlternativeNames)
            throws IOException, InterruptedException, GeneralSecurityException {
        Files.createDirectories(dir);
        String password = "test-" + Long.toHexString(System.nanoTime());
        Path ca = dir.resolve("ca.p12");
        Path broker = dir.resolve("broker-key.p12");
        Path request = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.crt");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=tpo test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString(), "-storetype", TYPE, "-storepass", password);
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-keystore", broker.toString(), "-storetype", TYPE, "-storepass", password);
        keytool("-certreq", "-alias", "broker", "-keystore", broker.toString(), "-storepass", password,
                "-file", request.toString());
        // the client checks the name it dialled (ssl.endpoint.identification.algorithm=https): 127.0.0.1
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password,
                "-infile", request.toString(), "-outfile", signed.toString(), "-validity", "2",
                "-ext", "san=" + subjectAlternativeNames);

        char[] secret = password.toCharArray();
        KeyStore caStore = load(ca, secret);
        Certificate caCert = caStore.getCertificate("ca");
        Certificate brokerCert;
        try (InputStream in = Files.newInputStream(signed)) {
            brokerCert = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        PrivateKey brokerKey = (PrivateKey) load(broker, secret).getKey("broker", secret);

        KeyStore keys = KeyStore.getInstance(TYPE);
        keys.load(null, null);
        keys.setKeyEntry("broker", brokerKey, secret, new Certificate[] {brokerCert, caCert});
        KeyStore trust = KeyStore.getInstance(TYPE);
        trust.load(null, null);
        trust.setCertificateEntry("tpo-test-ca", caCert);
        Path keyStore = store(keys, dir.resolve("broker.p12"), secret);
        Path trustStore = store(trust, dir.resolve("truststore.p12"), secret);
        return new TestPki(keyStore, trustStore, password);
    }

    /** Broker settings for a TLS listener named {@code listener} that presents the signed certificate. */
    public Map<String, String> listenerSettings(String listener) {
        String prefix = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
        return Map.of(
                prefix + "ssl.keystore.type", TYPE,
                prefix + "ssl.keystore.location", keyStore.toString(),
                prefix + "ssl.keystore.password", password,
                prefix + "ssl.key.password", password);
    }

    /** What an HTTPS server needs to present the signed certificate. */
    public SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(keyStore, password.toCharArray()), password.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    /** What a client needs to trust the CA, and nothing else. */
    public SSLContext clientContext() throws IOException, GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(trustStore, password.toCharArray()));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** Client properties lines that trust the CA. */
    public List<String> clientTrust() {
        return List.of("ssl.truststore.type=" + TYPE, "ssl.truststore.location=" + propertiesPath(trustStore),
                "ssl.truststore.password=" + password);
    }

    /** A path as a properties-file value: backslashes (Windows) would be read as escapes. */
    private static String propertiesPath(Path p) {
        return p.toAbsolutePath().toString().replace('\\', '/');
    }

    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(TYPE);
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        return ks;
    }

    private static Path store(KeyStore ks, Path file, char[] password) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password);
        }
        return file;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool " + String.join(" ", args) + " failed:\n"
                    + new String(output, StandardCharsets.UTF_8));
        }
    }
}
