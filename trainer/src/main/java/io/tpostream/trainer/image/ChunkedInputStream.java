package io.tpostream.trainer.image;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;

/** A body sent with {@code Transfer-Encoding: chunked}, decoded (chunk extensions and trailers skipped). */
final class ChunkedInputStream extends InputStream {

    private final InputStream in;
    private long leftInChunk;
    private boolean started;
    private boolean ended;

    ChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (leftInChunk == 0 && !nextChunk()) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, leftInChunk));
        if (n < 0) {
            throw new EOFException("the connection closed inside a chunk of the body");
        }
        leftInChunk -= n;
        return n;
    }

    /** Reads the next chunk's size line; false at the last chunk (its trailer fields are read and dropped). */
    private boolean nextChunk() throws IOException {
        if (ended) {
            return false;
        }
        if (started && !HttpResponseHead.readLine(in).isEmpty()) {
            throw new ProtocolException("a chunk is longer than its size says");
        }
        started = true;
        String line = HttpResponseHead.readLine(in);
        int extension = line.indexOf(';');
        String size = (extension < 0 ? line : line.substring(0, extension)).strip();
        if (!size.matches("[0-9A-Fa-f]{1,15}")) {
            throw new ProtocolException("'" + size + "' is not a chunk size");
        }
        leftInChunk = Long.parseLong(size, 16);
        if (leftInChunk == 0) {
            while (!HttpResponseHead.readLine(in).isEmpty()) {
                // trailer fields: nothing here needs them
            }
            ended = true;
            return false;
        }
        return true;
    }
}
