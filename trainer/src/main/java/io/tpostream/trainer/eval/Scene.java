package io.tpostream.trainer.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The ground truth of one image: its size, 1 to 4 objects of distinct kinds in distinct slots (kept in slot
 * order, which is caption order), and the seed of its pixel noise. Rendering it is a pure function of this record.
 */
public record Scene(int imageSize, List<SceneObject> objects, long noiseSeed) {

    public static final int MIN_IMAGE_SIZE = 32;
    public static final int MAX_IMAGE_SIZE = 64;
    public static final int MAX_OBJECTS = Slot.values().length;

    public Scene {
        if (imageSize < MIN_IMAGE_SIZE || imageSize > MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException(
                    "image size must be in " + MIN_IMAGE_SIZE + ".." + MAX_IMAGE_SIZE + ": " + imageSize);
        }
        if (objects.isEmpty() || objects.size() > MAX_OBJECTS) {
            throw new IllegalArgumentException("a scene has 1.." + MAX_OBJECTS + " objects: " + objects.size());
        }
        Set<Slot> slots = EnumSet.noneOf(Slot.class);
        Set<ObjectKind> kinds = new HashSet<>();
        for (SceneObject o : objects) {
            if (!slots.add(o.slot())) {
                throw new IllegalArgumentException("two objects in slot " + o.slot().label());
            }
            if (!kinds.add(o.kind())) {
                throw new IllegalArgumentException("two objects of kind " + o.kind());
            }
        }
        List<SceneObject> sorted = new ArrayList<>(objects);
        sorted.sort(Comparator.comparing(SceneObject::slot));
        objects = List.copyOf(sorted);
    }

    /** The kinds present, in slot order. */
    public List<ObjectKind> kinds() {
        return objects.stream().map(SceneObject::kind).toList();
    }

    public boolean contains(ObjectKind kind) {
        return objects.stream().anyMatch(o -> o.kind().equals(kind));
    }

    /** The kinds not present, in {@link ObjectKind#ALL} order. */
    public List<ObjectKind> absentKinds() {
        return ObjectKind.ALL.stream().filter(k -> !contains(k)).toList();
    }

    public Optional<SceneObject> at(Slot slot) {
        return objects.stream().filter(o -> o.slot() == slot).findFirst();
    }

    /** A multi-line picture of the scene, one line per slot. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("scene ").append(imageSize).append('x').append(imageSize)
                .append(", noise seed ").append(noiseSeed).append('\n');
        for (Slot slot : Slot.values()) {
            sb.append(String.format("  %-12s %s%n", slot.label(),
                    at(slot).map(o -> String.format("%s (jitter %.2f, %.2f)", o.kind(), o.jitterX(), o.jitterY()))
                            .orElse("-")));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Scene[" + imageSize + "px: "
                + objects.stream().map(SceneObject::toString).collect(Collectors.joining(", ")) + "]";
    }
}
