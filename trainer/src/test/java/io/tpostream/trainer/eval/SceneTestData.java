package io.tpostream.trainer.eval;

import java.util.ArrayList;
import java.util.List;

/** Hand-built scenes for tests: objects placed in slot order at the slot centres. */
final class SceneTestData {

    private SceneTestData() {
    }

    /** A 32×32 scene with these kinds ("red circle", ...) in slots top-left, top-right, ... */
    static Scene scene(String... kinds) {
        List<SceneObject> objects = new ArrayList<>();
        for (int i = 0; i < kinds.length; i++) {
            objects.add(SceneObject.centred(ObjectKind.parse(kinds[i]), Slot.values()[i]));
        }
        return new Scene(32, objects, 0);
    }

    static ObjectKind kind(String phrase) {
        return ObjectKind.parse(phrase);
    }
}
