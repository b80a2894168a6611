package io.tpostream.trainer.image;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which addresses the trainer may connect to for an image. Whatever the host allowlist says, a URI must not make
 * the trainer reach what only its own network can: loopback, link-local (where cloud metadata services answer, at
 * 169.254.169.254), unspecified, multicast, private and other special-purpose addresses are refused, unless an
 * operator allowed their network explicitly (an image store inside the cluster). Pure: decides from the address
 * alone, never resolves a name.
 */
public final class AddressPolicy {

    /** Special-purpose IPv4 blocks that {@link InetAddress}'s own predicates do not cover, and what they are. */
    private static final Map<IpNetwork, String> OTHER_SPECIAL_IPV4 = Map.of(
            IpNetwork.parse("0.0.0.0/8"), "a 'this network' address",
            IpNetwork.parse("100.64.0.0/10"), "a shared (carrier-grade NAT) address",
            IpNetwork.parse("192.0.0.0/24"), "an IETF protocol address",
            IpNetwork.parse("198.18.0.0/15"), "a benchmarking address",
            IpNetwork.parse("240.0.0.0/4"), "a reserved or broadcast address");
    private static final IpNetwork UNIQUE_LOCAL = IpNetwork.parse("fc00::/7");
    private static final IpNetwork NAT64 = IpNetwork.parse("64:ff9b::/96");
    private static final IpNetwork SIX_TO_FOUR = IpNetwork.parse("2002::/16");

    private final List<IpNetwork> allowed;

    /** @param allowed networks reachable even though they are special-purpose (e.g. 127.0.0.1 in tests) */
    public AddressPolicy(List<IpNetwork> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** Why the trainer must not connect to {@code address}, or empty if it may. */
    public Optional<String> refusal(InetAddress address) {
        if (allowed.stream().anyMatch(n -> n.contains(address))) {
            return Optional.empty();
        }
        return specialPurpose(address);
    }

    private static Optional<String> specialPurpose(InetAddress a) {
        if (a instanceof Inet6Address v6) {
            Optional<InetAddress> embedded = embeddedIpv4(v6);
            if (embedded.isPresent()) {
                // an IPv6 form of an IPv4 address reaches that IPv4 address: judge that one
                return specialPurpose(embedded.get()).map(why -> why + " (" + embedded.get().getHostAddress()
                        + " inside an IPv6 address)");
            }
        }
        if (a.isAnyLocalAddress()) {
            return Optional.of("an unspecified (any-local) address");
        }
        if (a.isLoopbackAddress()) {
            return Optional.of("a loopback address");
        }
        if (a.isLinkLocalAddress()) {
            return Optional.of("a link-local address (where cloud metadata services answer)");
        }
        if (a.isSiteLocalAddress() || UNIQUE_LOCAL.contains(a)) {
            return Optional.of("a private address");
        }
        if (a.isMulticastAddress()) {
            return Optional.of("a multicast address");
        }
        return OTHER_SPECIAL_IPV4.entrySet().stream().filter(e -> e.getKey().contains(a)).map(Map.Entry::getValue)
                .findFirst();
    }

    /** The IPv4 address an IPv4-compatible, NAT64 or 6to4 address stands for. */
    private static Optional<InetAddress> embeddedIpv4(Inet6Address a) {
        byte[] b = a.getAddress();
        int from;
        boolean compatible = a.isIPv4CompatibleAddress() && !a.isLoopbackAddress() && !a.isAnyLocalAddress();
        if (compatible || NAT64.contains(a)) {
            from = 12;
        } else if (SIX_TO_FOUR.contains(a)) {
            from = 2;
        } else {
            return Optional.empty();
        }
        try {
            return Optional.of(Inet4Address.getByAddress(Arrays.copyOfRange(b, from, from + 4)));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }
}
