package io.tpostream.trainer.image;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The status line and header fields of an HTTP/1.x response, read within limits: a server cannot make the trainer
 * hold an endless line or endless headers.
 *
 * @param headers field values by lower-case name, in the order received
 */
record HttpResponseHead(int status, String reason, Map<String, List<String>> headers) {

    static final int MAX_LINE_BYTES = 8 << 10;
    static final int MAX_FIELDS = 100;

    static HttpResponseHead read(InputStream in) throws IOException {
        String statusLine = readLine(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
            throw new ProtocolException("not an HTTP/1.x status line: '" + abbreviate(statusLine) + "'");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("not a header field: '" + abbreviate(line) + "'");
            }
            if (headers.size() == MAX_FIELDS) {
                throw new ProtocolException("more than " + MAX_FIELDS + " header fields");
            }
            headers.computeIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).strip());
        }
        return new HttpResponseHead(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", headers);
    }

    /** One line without its CR LF, as ISO-8859-1 (what HTTP/1.1 header fields are). */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the connection closed in the middle of the response head");
            }
            if (line.size() == MAX_LINE_BYTES) {
                throw new ProtocolException("a response line longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    /** The field's value; a field given twice with different values is a broken response. */
    Optional<String> field(String name) throws ProtocolException {
        List<String> values = headers.getOrDefault(name, List.of());
        if (values.stream().distinct().count() > 1) {
            throw new ProtocolException("conflicting " + name + " fields: " + values);
        }
        return values.stream().findFirst();
    }

    OptionalLong contentLength() throws ProtocolException {
        Optional<String> value = field("content-length");
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        if (!value.get().matches("\\d{1,18}")) {
            throw new ProtocolException("Content-Length '" + abbreviate(value.get()) + "' is not a length");
        }
        return OptionalLong.of(Long.parseLong(value.get()));
    }

    boolean isRedirect() {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
