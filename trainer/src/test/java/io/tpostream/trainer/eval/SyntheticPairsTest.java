package io.tpostream.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticPairsTest {

    /** Unbiased scenes: partners are mostly absent, so most extra objects can be partners. */
    private static final SceneWorld WORLD = SceneWorld.unbiased();

    @Test
    void chosenIsTheTruthAndRejectedHasExactlyOneHallucinatedMention() {
        List<SyntheticPair> pairs = SyntheticPairs.generate(WORLD, 21, 200);
        int partnerHallucinations = 0;
        int extraObjects = 0;
        for (SyntheticPair p : pairs) {
            assertEquals(SceneText.CAPTION_PROMPT, p.prompt());
            assertEquals(SceneText.caption(p.scene()), p.chosen());
            assertEquals(WORLD.render(p.scene()), p.image());
            ChairMetric.CaptionScore chosen = ChairMetric.score(p.chosen(), p.scene());
            assertFalse(chosen.hallucinates());
            assertTrue(chosen.missed().isEmpty());

            ChairMetric.CaptionScore rejected = ChairMetric.score(p.rejected(), p.scene());
            assertEquals(1, rejected.hallucinated().size(), p.rejected());
            ObjectKind wrong = rejected.hallucinated().get(0);
            if (p.corruption() == SyntheticPair.Corruption.EXTRA_OBJECT) {
                extraObjects++;
                assertTrue(rejected.missed().isEmpty());
                boolean isPartner = p.scene().kinds().stream()
                        .anyMatch(k -> CooccurrenceBias.partnerOf(k).equals(Optional.of(wrong)));
                partnerHallucinations += isPartner ? 1 : 0;
            } else {
                assertEquals(1, rejected.missed().size());
                assertEquals(wrong.shape(), rejected.missed().iterator().next().shape());
            }
        }
        double wrongAttributeShare = 1 - extraObjects / 200.0;
        assertTrue(wrongAttributeShare > 0.1 && wrongAttributeShare < 0.3, "share " + wrongAttributeShare);
        assertTrue(partnerHallucinations > extraObjects / 2, partnerHallucinations + " of " + extraObjects);
    }

    @Test
    void pairsAreDeterministicAndIndependentOfHowManyAreDrawn() {
        List<SyntheticPair> ten = SyntheticPairs.generate(WORLD, 8, 10);
        List<SyntheticPair> five = SyntheticPairs.generate(WORLD, 8, 5);
        assertEquals(ten.subList(0, 5), five);
        assertEquals(ten.get(7), SyntheticPairs.pair(WORLD, 8, 7, SyntheticPairs.DEFAULT_WRONG_ATTRIBUTE_RATE));
    }

    @Test
    void rateOneGivesOnlyWrongAttributes() {
        SyntheticPairs.generate(WORLD, 2, 30, 1.0)
                .forEach(p -> assertEquals(SyntheticPair.Corruption.WRONG_ATTRIBUTE, p.corruption()));
    }
}
