package io.tpostream.trainer.image;

import java.util.List;
import java.util.Locale;

/**
 * The hosts the trainer may fetch images from: exact names ({@code images.example.com}), suffixes with a leading
 * dot ({@code .example.com}: any name below example.com, not example.com itself), address literals
 * ({@code 127.0.0.1}), or {@code *} for any host. Empty: no host at all. Pure. Which addresses a name may resolve
 * to is {@link AddressPolicy}'s question, asked whatever this list says.
 */
public record HostAllowlist(List<String> entries) {

    public HostAllowlist {
        entries = entries.stream().map(HostAllowlist::normalised).toList();
        for (String e : entries) {
            if (e.isEmpty() || e.equals(".") || e.contains("/") || e.contains("*") && !e.equals("*")) {
                throw new IllegalArgumentException("'" + e + "' is not a host allowlist entry: use a name "
                        + "(images.example.com), a suffix (.example.com), an address (10.1.2.3) or *");
            }
        }
    }

    public static HostAllowlist none() {
        return new HostAllowlist(List.of());
    }

    public boolean permits(String host) {
        String h = normalised(host);
        for (String e : entries) {
            if (e.equals("*") || e.equals(h) || e.startsWith(".") && h.endsWith(e)) {
                return true;
            }
        }
        return false;
    }

    /** Lower case, without IPv6 brackets or the root's trailing dot ({@code example.com.} is example.com). */
    private static String normalised(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.length() > 1 && h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
