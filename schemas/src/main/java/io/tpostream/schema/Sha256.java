package io.tpostream.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 as lower-case hex: the identity of images, pairs and model artifacts across the system. */
public final class Sha256 {

    private static final Pattern HEX_64 = Pattern.compile("[0-9a-f]{64}");

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
        return hex != null && HEX_64.matcher(hex).matches();
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
