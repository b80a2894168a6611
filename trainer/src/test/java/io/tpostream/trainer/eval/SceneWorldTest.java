package io.tpostream.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SceneWorldTest {

    @Test
    void sceneIsAFunctionOfSeedAndIndex() {
        SceneWorld world = SceneWorld.training();
        assertEquals(world.scene(7, 3), world.scene(7, 3));
        assertEquals(world.render(world.scene(7, 3)), world.render(world.scene(7, 3)));
        assertNotEquals(world.scene(7, 3), world.scene(7, 4));
        assertNotEquals(world.scene(7, 3), world.scene(8, 3));
    }

    @Test
    void scenesHaveOneToFourObjectsOfDistinctKindsAndTheConfiguredSize() {
        SceneWorld world = SceneWorld.of(BiasMode.TRAIN, 48);
        int[] counts = new int[5];
        for (int i = 0; i < 2000; i++) {
            Scene s = world.scene(1, i);
            assertEquals(48, s.imageSize());
            counts[s.objects().size()]++;
        }
        for (int n = 1; n <= 4; n++) {
            assertTrue(counts[n] > 0, "no scene with " + n + " objects");
        }
        assertEquals(48, world.render(world.scene(1, 0)).width());
    }

    @Test
    void imageSizeOutside32To64IsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SceneWorld.Config.defaults().withImageSize(31));
        assertThrows(IllegalArgumentException.class, () -> SceneWorld.Config.defaults().withImageSize(65));
    }

    @Test
    void trainModeMakesPartnersCooccurAndNoneModeDoesNot() {
        assertTrue(partnerRate(SceneWorld.training()) > 0.75, "train partner rate");
        assertTrue(partnerRate(SceneWorld.unbiased()) < 0.25, "none partner rate");
    }

    /** P(partner present | a kind with a partner present), over kind occurrences. */
    private static double partnerRate(SceneWorld world) {
        int withPartner = 0;
        int occurrences = 0;
        for (int i = 0; i < 3000; i++) {
            Scene s = world.scene(11, i);
            for (ObjectKind k : s.kinds()) {
                var partner = CooccurrenceBias.partnerOf(k);
                if (partner.isPresent()) {
                    occurrences++;
                    withPartner += s.contains(partner.get()) ? 1 : 0;
                }
            }
        }
        return (double) withPartner / occurrences;
    }

    @Test
    void exactKindFrequenciesMatchSampledOnes() {
        for (SceneWorld world : new SceneWorld[]{SceneWorld.training(), SceneWorld.unbiased()}) {
            int samples = 20_000;
            int[] seen = new int[ObjectKind.COUNT];
            SplittableRandom rng = new SplittableRandom(99);
            for (int i = 0; i < samples; i++) {
                for (ObjectKind k : world.sample(rng).kinds()) {
                    seen[k.index()]++;
                }
            }
            double[] exact = world.kindFrequencies();
            for (ObjectKind k : ObjectKind.ALL) {
                double f = exact[k.index()];
                double sigma = Math.sqrt(f * (1 - f) / samples);
                assertEquals(f, (double) seen[k.index()] / samples, 5 * sigma, world.config().mode() + " " + k);
            }
        }
    }

    @Test
    void popularityPutsPartneredAndHeavyKindsFirstInTrainAndIsFlatInNone() {
        double[] train = SceneWorld.training().kindFrequencies();
        double[] none = SceneWorld.unbiased().kindFrequencies();
        ObjectKind first = SceneWorld.training().popularity().get(0);
        ObjectKind last = SceneWorld.training().popularity().get(ObjectKind.COUNT - 1);
        assertTrue(train[first.index()] > 2 * train[last.index()]);
        // uniform prior, no partners: every kind is equally likely
        for (ObjectKind k : ObjectKind.ALL) {
            assertEquals(none[0], none[k.index()], 1e-12);
        }
        // expected objects per scene: (1 + 2 + 3 + 4) / 4 without partners
        assertEquals(2.5, java.util.Arrays.stream(none).sum(), 1e-9);
    }

    @Test
    void describeNamesThePairsAndFrequencies() {
        String d = SceneWorld.training().describe();
        assertTrue(d.contains("red circle <-> blue square"), d);
        assertTrue(d.contains("bias train"), d);
        assertTrue(SceneWorld.training().scene(1, 1).describe().contains("top-left"));
    }
}
