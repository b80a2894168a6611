package io.tpostream.trainer.tpo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectiveTest {

    @Test
    void namesRoundTripAndUnknownNamesListTheValidOnes() {
        for (Objective objective : Objective.values()) {
            assertEquals(objective, Objective.fromName(objective.configName()));
        }
        assertEquals(Objective.TPO_OPPOSITE, Objective.fromName(" TPO-Opposite "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Objective.fromName("ipo"));
        assertTrue(e.getMessage().contains("'ipo'"), e.getMessage());
        assertTrue(e.getMessage().contains("tpo, dpo, tpo-chosen-only, tpo-rejected-only, tpo-opposite"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Objective.fromName(null));
    }

    @Test
    void onlyDpoSkipsTheCorruptedImage() {
        assertFalse(Objective.DPO.needsCorruptedImage());
        assertTrue(Objective.TPO.needsCorruptedImage());
        assertTrue(Objective.TPO_CHOSEN_ONLY.needsCorruptedImage());
        assertTrue(Objective.TPO_REJECTED_ONLY.needsCorruptedImage());
        assertTrue(Objective.TPO_OPPOSITE.needsCorruptedImage());
    }

    @Test
    void weightRulesFollowTheFormulas() {
        double a = 0.5;
        double s = Math.log(3); // sigmoid(ln 3) = 3/4
        assertEquals(1.25, TokenWeighting.ANCHORED.weight(s, a), 1e-12);
        assertEquals(0.75, TokenWeighting.ANTI_ANCHORED.weight(s, a), 1e-12);
        assertEquals(1.0, TokenWeighting.UNIFORM.weight(s, a));
        assertEquals(1.0, TokenWeighting.ANCHORED.weight(0, a), 1e-12);
        assertEquals(1.0, TokenWeighting.ANTI_ANCHORED.weight(0, a), 1e-12);

        assertEquals(TokenWeighting.ANCHORED, Objective.TPO.chosenWeighting());
        assertEquals(TokenWeighting.ANTI_ANCHORED, Objective.TPO.rejectedWeighting());
        assertEquals(TokenWeighting.UNIFORM, Objective.TPO_CHOSEN_ONLY.rejectedWeighting());
        assertEquals(TokenWeighting.UNIFORM, Objective.TPO_REJECTED_ONLY.chosenWeighting());
        assertEquals(TokenWeighting.ANTI_ANCHORED, Objective.TPO_OPPOSITE.chosenWeighting());
        assertEquals(TokenWeighting.ANCHORED, Objective.TPO_OPPOSITE.rejectedWeighting());
    }

    @Test
    void configDefaultsAndValidation() {
        TpoLossConfig defaults = TpoLossConfig.defaults();
        assertEquals(0.1, defaults.beta());
        assertEquals(0.5, defaults.marginA());
        assertEquals(Objective.TPO, defaults.objective());
        assertEquals(Objective.DPO, defaults.withObjective(Objective.DPO).objective());
        assertThrows(IllegalArgumentException.class, () -> new TpoLossConfig(0, 0.5, Objective.TPO));
        assertThrows(IllegalArgumentException.class, () -> new TpoLossConfig(Double.NaN, 0.5, Objective.TPO));
        assertThrows(IllegalArgumentException.class, () -> new TpoLossConfig(0.1, -0.1, Objective.TPO));
        assertThrows(NullPointerException.class, () -> new TpoLossConfig(0.1, 0.5, null));
    }
}
