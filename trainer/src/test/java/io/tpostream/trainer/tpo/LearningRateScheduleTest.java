package io.tpostream.trainer.tpo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearningRateScheduleTest {

    @Test
    void constantIsConstant() {
        LearningRateSchedule schedule = LearningRateSchedule.constant(3e-4);
        assertEquals(3e-4, schedule.at(0));
        assertEquals(3e-4, schedule.at(1_000_000));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(-1));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(Double.NaN));
    }

    @Test
    void warmsUpLinearlyThenFollowsHalfACosineToTheFloor() {
        LearningRateSchedule schedule = LearningRateSchedule.warmupCosine(1e-3, 20, 100, 1e-5);
        assertEquals(0.0, schedule.at(0));
        assertEquals(5e-4, schedule.at(10), 1e-15);
        assertEquals(9.5e-4, schedule.at(19), 1e-15);
        assertEquals(1e-3, schedule.at(20), 1e-15);                       // cos(0) = 1
        assertEquals(1e-5 + (1e-3 - 1e-5) / 2, schedule.at(60), 1e-15);  // halfway: cos(pi/2) = 0
        // a quarter of the way: (1 + cos(pi/4)) / 2
        assertEquals(1e-5 + (1e-3 - 1e-5) * (1 + Math.sqrt(0.5)) / 2, schedule.at(40), 1e-15);
        assertEquals(1e-5, schedule.at(100), 1e-15);
        assertEquals(1e-5, schedule.at(10_000), 1e-15);
        for (long step = 21; step <= 100; step++) {
            assertTrue(schedule.at(step) <= schedule.at(step - 1), "decays at " + step);
        }
    }

    @Test
    void theReferenceRunDecaysToZeroAndCanSkipWarmUp() {
        LearningRateSchedule reference = LearningRateSchedule.warmupCosine(5e-8, 20, 1000, 0);
        assertEquals(0.0, reference.at(1000));
        LearningRateSchedule noWarmUp = LearningRateSchedule.warmupCosine(1e-3, 0, 10, 0);
        assertEquals(1e-3, noWarmUp.at(0));
        assertEquals(0.0, LearningRateSchedule.warmupCosine(1e-3, 5, 5, 0).at(5));
    }

    @Test
    void inconsistentSchedulesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.warmupCosine(1e-3, 20, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.warmupCosine(1e-3, -1, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.warmupCosine(1e-3, 0, 10, 1e-2));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.warmupCosine(1e-3, 0, 10, 0).at(-1));
    }
}
