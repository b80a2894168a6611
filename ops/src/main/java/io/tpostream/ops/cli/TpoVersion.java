package io.tpostream.ops.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** {@code tpo --version}: this build, and the versions of what it runs on. */
final class TpoVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        Properties build = buildProperties();
        return new String[] {
                "tpo " + build.getProperty("version", "(development build)"),
                "Kafka client " + build.getProperty("kafka.version", "(unknown)"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }

    /** Written by the build (resource filtering), so it is right whether run from a jar or from classes. */
    private static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream in = TpoVersion.class.getResourceAsStream("/io/tpostream/ops/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
