package io.tpostream.ops.cli;

import io.tpostream.trainer.image.HostAllowlist;
import io.tpostream.trainer.image.ImageSources;
import io.tpostream.trainer.image.IpNetwork;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where pair images may come from and within which limits, as options of every command that reads them
 * ({@code train}, {@code replay}). Every default is {@link ImageSources#defaults()}'s ({@code ImageSourceOptionsTest}
 * checks that they agree): inline images and local files only.
 */
public final class ImageSourceOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--image-hosts", paramLabel = "HOST", split = ",",
            description = "Hosts pair images may be fetched from over http(s), comma-separated: names "
                    + "(images.example.com), suffixes with a leading dot (.example.com: every name below it), "
                    + "addresses, or * for any host. Default: none, so a pair whose image is only a URL is "
                    + "dead-lettered as IMAGE_HOST_REFUSED.")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--image-allow-network", paramLabel = "CIDR", split = ",",
            description = "Networks images may be fetched from although they are private, loopback, link-local or "
                    + "otherwise special (e.g. 10.20.0.0/16 for an image store inside the cluster). Addresses like "
                    + "these are refused whatever --image-hosts says, so that a URL cannot point the trainer at its "
                    + "own network or a cloud metadata service.")
    List<String> allowedNetworks = new ArrayList<>();

    @Option(names = "--image-connect-timeout", paramLabel = "DURATION", defaultValue = "5s",
            converter = DurationConverter.class, description = "Longest wait for a connection to an image server.")
    Duration connectTimeout;

    @Option(names = "--image-fetch-timeout", paramLabel = "DURATION", defaultValue = "20s",
            converter = DurationConverter.class,
            description = "Longest time for one image fetch, redirects and the whole body included: a server that "
                    + "stalls or drips bytes is given up on (IMAGE_FETCH_TIMEOUT).")
    Duration fetchTimeout;

    @Option(names = "--image-max-bytes", paramLabel = "BYTES", defaultValue = "16777216",
            description = "Largest image read from a file or a server; a larger body is not read to its end.")
    long maxBytes;

    @Option(names = "--image-max-pixels", paramLabel = "N", defaultValue = "16777216",
            description = "Largest image decoded, width x height, checked from its header before decoding.")
    long maxPixels;

    @Option(names = "--image-cache-bytes", paramLabel = "BYTES", defaultValue = "67108864",
            description = "Memory for fetched images, kept by sha-256 so that each is fetched once; 0: no cache.")
    long cacheBytes;

    /** @throws ParameterException (exit code 2) for an entry that is no host or network, or limits out of range */
    public ImageSources sources() {
        try {
            List<IpNetwork> networks = new ArrayList<>();
            for (String cidr : allowedNetworks) {
                networks.add(IpNetwork.parse(cidr));
            }
            return new ImageSources(new HostAllowlist(hosts), networks, connectTimeout, fetchTimeout, maxBytes,
                    maxPixels, cacheBytes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage(), e);
        }
    }
}
