package io.tpostream.streams.validation;

import io.tpostream.schema.Sha256;
import io.tpostream.streams.RejectReason;
import io.tpostream.streams.TestEvents;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The remembered verdicts must never change an answer, only save decoding. */
class ImageInspectorTest {

    private final ImageInspector inspector = new ImageInspector(1 << 20, 4096L * 4096L);

    private Optional<RejectReason> inspect(byte[] bytes) {
        return inspect(bytes, Sha256.hex(bytes));
    }

    private Optional<RejectReason> inspect(byte[] bytes, String declared) {
        return inspector.inspect(bytes, declared).map(Rejection::reason);
    }

    @Test
    void aVerifiedImageIsAcceptedAgainAndOnlyForItsOwnBytes() {
        byte[] png = TestEvents.png(8, 8, 1);
        assertEquals(Optional.empty(), inspect(png));
        assertEquals(Optional.empty(), inspect(png), "the same bytes again");

        byte[] truncated = Arrays.copyOf(png, png.length / 2);
        assertEquals(Optional.of(RejectReason.IMAGE_UNDECODABLE), inspect(truncated), "other bytes are decoded");
        assertEquals(Optional.of(RejectReason.IMAGE_SHA_MISMATCH), inspect(truncated, Sha256.hex(png)),
                "a verified digest vouches only for bytes that hash to it");
        assertEquals(Optional.of(RejectReason.IMAGE_TOO_LARGE), inspect(TestEvents.pngDeclaring(100_000, 100_000)));
    }

    @Test
    void theMemoryIsBoundedAndForgottenImagesAreCheckedAgain() {
        byte[] first = TestEvents.png(2, 2, 0);
        assertEquals(Optional.empty(), inspect(first));
        for (int i = 1; i <= ImageInspector.VERIFIED_CACHE_SIZE; i++) {
            assertEquals(Optional.empty(), inspect(TestEvents.png(2, 2, i)));
        }
        assertEquals(Optional.empty(), inspect(first), "evicted, decoded again, still fine");
    }
}
