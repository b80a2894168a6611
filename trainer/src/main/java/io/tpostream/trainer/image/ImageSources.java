package io.tpostream.trainer.image;

import java.time.Duration;
import java.util.List;

/**
 * Where the trainer may take pair images from, and within which limits. Inline bytes and {@code file:} URIs are
 * always read; {@code http:} and {@code https:} only from {@code hosts}, and only at addresses {@link AddressPolicy}
 * allows.
 *
 * @param hosts           hosts images may be fetched from; {@link HostAllowlist#none()} (the default) fetches nothing
 * @param allowedNetworks special-purpose networks (private, loopback, ...) that may be reached anyway
 * @param connectTimeout  longest wait for a connection to one address
 * @param fetchTimeout    longest time for a whole fetch, from the first connection to the last byte of the body,
 *                        redirects included: a server that stalls or drips bytes mid-body is given up on
 * @param maxBytes        largest encoded image read from a file or a server
 * @param maxPixels       largest image decoded (width x height), checked from its header before decoding
 * @param cacheBytes      memory for fetched images, kept by sha-256 so that a pair's image is fetched once; 0: none
 */
public record ImageSources(HostAllowlist hosts, List<IpNetwork> allowedNetworks, Duration connectTimeout,
                           Duration fetchTimeout, long maxBytes, long maxPixels, long cacheBytes) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(20);
    public static final long DEFAULT_MAX_BYTES = 16L << 20;
    /** As the pairing app's default for inline images: 4096 x 4096. */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;
    public static final long DEFAULT_CACHE_BYTES = 64L << 20;
    /** An image is read into one array. */
    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    public ImageSources {
        allowedNetworks = List.copyOf(allowedNetworks);
        if (connectTimeout.isNegative() || connectTimeout.isZero() || fetchTimeout.isNegative()
                || fetchTimeout.isZero()) {
            throw new IllegalArgumentException("image timeouts must be positive");
        }
        if (maxBytes < 1 || maxBytes > MAX_ARRAY_BYTES || maxPixels < 1 || cacheBytes < 0) {
            throw new IllegalArgumentException("need 1 <= image max bytes <= " + MAX_ARRAY_BYTES
                    + ", max pixels >= 1 and cache bytes >= 0");
        }
    }

    /** Inline images and local files only, with the default limits. */
    public static ImageSources defaults() {
        return new ImageSources(HostAllowlist.none(), List.of(), DEFAULT_CONNECT_TIMEOUT, DEFAULT_FETCH_TIMEOUT,
                DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, DEFAULT_CACHE_BYTES);
    }

    public AddressPolicy addressPolicy() {
        return new AddressPolicy(allowedNetworks);
    }

    public ImageSources withHosts(HostAllowlist value) {
        return new ImageSources(value, allowedNetworks, connectTimeout, fetchTimeout, maxBytes, maxPixels, cacheBytes);
    }

    public ImageSources withAllowedNetworks(List<IpNetwork> value) {
        return new ImageSources(hosts, value, connectTimeout, fetchTimeout, maxBytes, maxPixels, cacheBytes);
    }

    public ImageSources withTimeouts(Duration connect, Duration fetch) {
        return new ImageSources(hosts, allowedNetworks, connect, fetch, maxBytes, maxPixels, cacheBytes);
    }

    public ImageSources withLimits(long bytes, long pixels) {
        return new ImageSources(hosts, allowedNetworks, connectTimeout, fetchTimeout, bytes, pixels, cacheBytes);
    }

    public ImageSources withCacheBytes(long value) {
        return new ImageSources(hosts, allowedNetworks, connectTimeout, fetchTimeout, maxBytes, maxPixels, value);
    }
}
