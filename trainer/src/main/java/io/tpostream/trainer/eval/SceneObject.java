package io.tpostream.trainer.eval;

import java.util.Objects;

/**
 * One object of a scene. The jitter moves the shape inside its slot: 0 puts it at the slot's top/left margin,
 * just under 1 at the bottom/right one; keeping it as a fraction makes a scene independent of the image size.
 */
public record SceneObject(ObjectKind kind, Slot slot, double jitterX, double jitterY) {

    public SceneObject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(slot, "slot");
        if (!(jitterX >= 0 && jitterX < 1 && jitterY >= 0 && jitterY < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1): " + jitterX + ", " + jitterY);
        }
    }

    /** Centred in its slot. */
    public static SceneObject centred(ObjectKind kind, Slot slot) {
        return new SceneObject(kind, slot, 0.5, 0.5);
    }

    @Override
    public String toString() {
        return slot.label() + " " + kind.phrase();
    }
}
