package io.tpostream.streams.pairing;

import io.tpostream.schema.ImageRef;

import java.nio.ByteBuffer;

/**
 * A held rating's content, with exactly what building a pair from it or accounting for it later needs, and nothing
 * of the raw record: its prompt and image sha are the key's, and an unpaired expiry is an outcome that points back at
 * the source offset rather than a copy of the bytes. Written once when the rating starts to be held; whether it
 * paired since is tracked in its key's {@link KeyState.Slot}, so that pairing never rewrites this.
 *
 * @param eventId      the rating's event id
 * @param timestamp    its Kafka record timestamp: the rating's position in stream time
 * @param rating       the score
 * @param occurredAt   its occurredAt, in epoch millis
 * @param response     the rated response text
 * @param partition    input partition it was read from
 * @param offset       input offset it was read from
 * @param modelName    the model that wrote the response (a pair names the newer side's)
 * @param tenant       its tenant
 * @param image        its image reference less the sha-256 (the key's): a pair carries the chosen side's
 */
public record HeldRating(String eventId, long timestamp, double rating, long occurredAt, String response,
                         int partition, long offset, String modelName, String tenant, Image image) {

    /**
     * An image reference without its sha-256. Inline bytes are kept when the record had them (the pair must carry
     * the same image); they are rare and capped by maxImageBytes.
     */
    public record Image(String uri, byte[] bytes, String mediaType, int width, int height) {

        static Image of(ImageRef ref) {
            ByteBuffer b = ref.getBytes();
            byte[] bytes = null;
            if (b != null) {
                bytes = new byte[b.remaining()];
                b.duplicate().get(bytes);
            }
            return new Image(ref.getUri(), bytes, ref.getMediaType(), ref.getWidth(), ref.getHeight());
        }

        ImageRef toRef(String sha256) {
            return ImageRef.newBuilder().setSha256(sha256).setUri(uri)
                    .setBytes(bytes == null ? null : ByteBuffer.wrap(bytes)).setMediaType(mediaType)
                    .setWidth(width).setHeight(height).build();
        }
    }

    /** What matching needs of it. */
    KeyState.Slot slot(boolean paired) {
        return new KeyState.Slot(KeyState.hash(eventId), timestamp, rating, KeyState.hash(response.strip()), paired);
    }
}
