package io.tpostream.streams.pairing;

import io.tpostream.schema.ImageRef;

/**
 * A held rating's content: what building a pair from it, or accounting for it later, needs beyond its
 * {@link KeyState.Slot}, and nothing of the raw record. Its record time and score are in its slot; its prompt and
 * image sha-256 are its key's; its partition is its task's; an unpaired expiry is an outcome that points back at the
 * source offset rather than a copy of the bytes. Its image reference is kept only when it carries the image bytes
 * (rare, and capped by maxImageBytes): a pair prefers a reference with bytes, which always resolves, and otherwise
 * takes the newer record's, which names the same picture. Written once when the rating starts to be held; whether it
 * paired since is tracked in its slot, so that pairing never rewrites this.
 *
 * @param eventId    the rating's event id
 * @param occurredAt its occurredAt, in epoch millis
 * @param response   the rated response text
 * @param offset     input offset it was read from
 * @param modelName  the model that wrote the response (a pair names the newer side's)
 * @param modelVersion the version of it that wrote the response (a pair's policy version is the older side's)
 * @param tenant     its tenant (likewise)
 * @param inlineImage its image reference if that carries the bytes, else null
 */
public record HeldRating(String eventId, long occurredAt, String response, long offset, String modelName,
                         long modelVersion, String tenant, ImageRef inlineImage) {

    /** The reference, if it carries the image bytes; null otherwise. */
    static ImageRef ifInline(ImageRef image) {
        return image.getBytes() == null ? null : image;
    }
}
