package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.SceneWorld;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PreferenceFlipsTest {

    @Test
    void flipsExactlyTheShareAndLeavesTheRestAlone() {
        List<ScenePair> pairs = RephrasedPairs.generate(SceneWorld.unbiased(), 2, 101, 0.2);
        List<ScenePair> noisy = PreferenceFlips.flip(pairs, 0.2, 9);
        int flipped = 0;
        for (int i = 0; i < pairs.size(); i++) {
            ScenePair a = pairs.get(i);
            ScenePair b = noisy.get(i);
            if (a.equals(b)) {
                continue;
            }
            assertEquals(a.chosen(), b.rejected());
            assertEquals(a.rejected(), b.chosen());
            assertEquals(a.scene(), b.scene());
            flipped++;
        }
        assertEquals(20, flipped, "round(0.2 * 101)");
        assertEquals(noisy, PreferenceFlips.flip(pairs, 0.2, 9), "the same seed flips the same pairs");
        assertEquals(pairs, PreferenceFlips.flip(pairs, 0, 9));
        assertThrows(IllegalArgumentException.class, () -> PreferenceFlips.flip(pairs, 1.5, 9));
    }
}
