package io.tpostream.trainer.image;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * A block of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}), or one address. Parsing never
 * asks DNS: only address literals are taken.
 */
public record IpNetwork(byte[] base, int prefixLength) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public IpNetwork {
        if (prefixLength < 0 || prefixLength > base.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " does not fit a "
                    + base.length * 8 + "-bit address");
        }
        base = masked(base, prefixLength);
    }

    /**
     * @param cidr an address literal, optionally followed by {@code /prefix}
     * @throws IllegalArgumentException if it is not one
     */
    public static IpNetwork parse(String cidr) {
        String text = cidr.strip();
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = literal(address).getAddress();
        int prefix;
        try {
            prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + cidr + "' has no prefix length after the /");
        }
        return new IpNetwork(bytes, prefix);
    }

    /** An IP address literal as an address, without a DNS lookup; brackets around IPv6 literals are allowed. */
    public static InetAddress literal(String text) {
        String address = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        // a name, or digits beyond 255, would make the JDK ask DNS instead of parsing
        boolean ipv4 = IPV4.matcher(address).matches()
                && Arrays.stream(address.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255);
        if (!ipv4 && !address.contains(":")) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address (like 10.0.0.0/8 or fd00::/8)");
        }
        try {
            return InetAddress.getByName(address); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address: " + e.getMessage());
        }
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return a.length == base.length && Arrays.equals(masked(a, prefixLength), base);
    }

    private static byte[] masked(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xFF << (8 - keep));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpNetwork n && prefixLength == n.prefixLength && Arrays.equals(base, n.base);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(base) + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(base).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address", e);
        }
    }
}
