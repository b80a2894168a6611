package io.tpostream.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as lower-case hex: the identity of images, pairs and model artifacts across the system. */
public final class Sha256 {

    private Sha256() {
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** True for a well-formed digest as this system writes it: 64 lower-case hex characters. */
    public static boolean isWellFormed(String hex) {
        // a loop, not a regular expression: the streams app checks every record, and the regex cost 5 % of its CPU
        if (hex == null || hex.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = hex.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * The deterministic id of a preference pair: the same image, prompt, chosen and rejected text always give the
     * same id, whichever feedback produced them. Fields are separated by a NUL so that no two field splits collide.
     */
    public static String pairId(String imageSha256, String prompt, String chosen, String rejected) {
        MessageDigest d = newDigest();
        for (String part : new String[] {imageSha256, prompt, chosen, rejected}) {
            d.update(part.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
        }
        return hex(d);
    }
}
