package io.tpostream.ops.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them on a command line: {@code 250ms}, {@code 90s}, {@code 10m}, {@code 1h}, {@code 7d},
 * or ISO-8601 ({@code PT10M}). Whole numbers only, so that a value means exactly what it says.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    /** @throws TypeConversionException saying which forms are accepted */
    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(t);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            if (t.startsWith("p")) {
                return Duration.parse(text.trim());
            }
        } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
            // falls through to the message below
        }
        throw new TypeConversionException("'" + text + "' is not a duration: use a whole number with a unit, "
                + "e.g. 250ms, 90s, 10m, 1h, 7d (or ISO-8601 such as PT10M)");
    }

    /** The shortest of the forms above that is exact, e.g. 600000 ms as {@code 10m}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms != 0 && ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms != 0 && ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }
}
