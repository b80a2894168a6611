package io.tpostream.ops.cli;

import io.tpostream.trainer.image.HostAllowlist;
import io.tpostream.trainer.image.ImageSources;
import io.tpostream.trainer.image.IpNetwork;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageSourceOptionsTest {

    @Command(name = "probe")
    static final class Probe implements Callable<Integer> {
        @Mixin
        ImageSourceOptions images;
        ImageSources sources;
        int exitCode;

        @Override
        public Integer call() {
            sources = images.sources();
            return 0;
        }
    }

    private static Probe run(StringWriter err, String... args) {
        Probe probe = new Probe();
        CommandLine cli = new CommandLine(probe);
        cli.setErr(new PrintWriter(err));
        probe.exitCode = cli.execute(args);
        return probe;
    }

    @Test
    void theDefaultsAreTheImageSourceDefaults() {
        Probe p = run(new StringWriter());
        assertEquals(0, p.exitCode);
        assertEquals(ImageSources.defaults(), p.sources);
    }

    @Test
    void everyOptionReachesTheSettings() {
        Probe p = run(new StringWriter(), "--image-hosts", "images.example.com,.cdn.example.net",
                "--image-allow-network", "10.20.0.0/16", "--image-allow-network", "127.0.0.1",
                "--image-connect-timeout", "2s", "--image-fetch-timeout", "1m", "--image-max-bytes", "1000",
                "--image-max-pixels", "4096", "--image-cache-bytes", "0");
        assertEquals(0, p.exitCode);
        assertEquals(new ImageSources(new HostAllowlist(List.of("images.example.com", ".cdn.example.net")),
                List.of(IpNetwork.parse("10.20.0.0/16"), IpNetwork.parse("127.0.0.1/32")), Duration.ofSeconds(2),
                Duration.ofMinutes(1), 1000, 4096, 0), p.sources);
    }

    @Test
    void anEntryThatIsNoHostOrNetworkIsAUsageError() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "--image-allow-network", "intranet.example.com").exitCode);
        assertTrue(err.toString().contains("'intranet.example.com' is not an IP address"), err.toString());
        StringWriter err2 = new StringWriter();
        assertEquals(2, run(err2, "--image-hosts", "https://images.example.com").exitCode);
        assertTrue(err2.toString().contains("is not a host allowlist entry"), err2.toString());
    }
}
