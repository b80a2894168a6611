package io.tpostream.trainer.experiment;

import io.tpostream.trainer.tpo.Objective;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ArmTest {

    @Test
    void gridVariesOneFactorAtATimeOnTpoAndNamesOnlyWhatDiffersFromTheDefaults() {
        List<Arm> arms = Arm.grid(List.of(Objective.DPO, Objective.TPO, Objective.TPO_CHOSEN_ONLY),
                List.of(250, 500, 750), List.of(0.5, 1.0));
        assertEquals(List.of("dpo", "tpo", "tpo-chosen-only", "tpo k=250", "tpo k=750", "tpo a=1.0"),
                arms.stream().map(Arm::name).toList());
        Arm a = arms.get(3);
        assertEquals(250, a.settings().corruption().step());
        assertEquals(0.5, a.settings().loss().marginA());
        assertEquals(Objective.TPO, a.settings().loss().objective());
        assertEquals(1.0, arms.get(5).settings().loss().marginA());
    }

    @Test
    void withoutPlainTpoEveryTokenWeightedObjectiveIsSwept() {
        List<Arm> arms = Arm.grid(List.of(Objective.DPO, Objective.TPO_CHOSEN_ONLY), List.of(250), List.of(0.5));
        assertEquals(List.of("dpo", "tpo-chosen-only", "tpo-chosen-only k=250"), arms.stream().map(Arm::name).toList());
    }

    @Test
    void outOfRangeSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Arm(Objective.TPO, 1000, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Arm(Objective.TPO, 500, -0.1));
    }
}
