package io.tpostream.trainer.experiment;

import io.tpostream.trainer.tpo.Objective;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ArmTest {

    @Test
    void gridGivesDpoOneArmAndNamesOnlyWhatDiffersFromTheDefaults() {
        List<Arm> arms = Arm.grid(List.of(Objective.DPO, Objective.TPO), List.of(250, 500), List.of(0.5, 1.0));
        assertEquals(List.of("dpo", "tpo k=250", "tpo k=250 a=1.0", "tpo", "tpo a=1.0"),
                arms.stream().map(Arm::name).toList());
        Arm a = arms.get(2);
        assertEquals(250, a.settings().corruption().step());
        assertEquals(1.0, a.settings().loss().marginA());
        assertEquals(Objective.TPO, a.settings().loss().objective());
    }

    @Test
    void outOfRangeSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Arm(Objective.TPO, 1000, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Arm(Objective.TPO, 500, -0.1));
    }
}
