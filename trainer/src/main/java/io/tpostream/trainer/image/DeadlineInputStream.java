package io.tpostream.trainer.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A socket's input that gives up at a deadline: before each read the socket's timeout is set to the time left. A
 * read timeout alone would not do: a server that sends one byte just before each timeout could hold a fetch
 * forever.
 */
final class DeadlineInputStream extends FilterInputStream {

    private final Socket socket;
    private final long deadlineNanos;

    /** @param deadlineNanos on the {@link System#nanoTime()} clock */
    DeadlineInputStream(Socket socket, long deadlineNanos) throws IOException {
        super(socket.getInputStream());
        this.socket = socket;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public int read() throws IOException {
        arm();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        arm();
        return super.read(b, off, len);
    }

    private void arm() throws IOException {
        socket.setSoTimeout(millisLeft(deadlineNanos));
    }

    /** Whole milliseconds left until the deadline, at least 1 (0 would mean no timeout at all). */
    static int millisLeft(long deadlineNanos) throws SocketTimeoutException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("the deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (left + 999_999) / 1_000_000));
    }
}
