package io.tpostream.trainer.experiment;

import io.tpostream.trainer.tpo.ImageCorruption;
import io.tpostream.trainer.tpo.Objective;
import io.tpostream.trainer.tpo.TpoLossConfig;
import io.tpostream.trainer.training.PreferenceConfig;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One trained arm of a study: an objective with its noise step k and weight offset a. The learning rate is not
 * part of the arm; the study picks it per arm and regime on validation seeds.
 *
 * <p>Named by its objective, with " k=" and " a=" only where they differ from the defaults, so the main table
 * reads "dpo", "tpo" and an ablation reads "tpo k=250".
 */
public record Arm(Objective objective, int noiseStep, double weightOffset) {

    public Arm {
        new ImageCorruption(noiseStep, ImageCorruption.DEFAULT_MODE);
        new TpoLossConfig(TpoLossConfig.DEFAULT_BETA, weightOffset, objective);
    }

    public static Arm of(Objective objective) {
        return new Arm(objective, ImageCorruption.DEFAULT_STEP, TpoLossConfig.DEFAULT_MARGIN_A);
    }

    public String name() {
        StringBuilder b = new StringBuilder(objective.configName());
        if (noiseStep != ImageCorruption.DEFAULT_STEP) {
            b.append(" k=").append(noiseStep);
        }
        if (weightOffset != TpoLossConfig.DEFAULT_MARGIN_A) {
            b.append(" a=").append(String.format(Locale.ROOT, "%s", weightOffset));
        }
        return b.toString();
    }

    /** The training settings of this arm: the project's defaults with this objective, k and a. */
    public PreferenceConfig settings() {
        PreferenceConfig d = PreferenceConfig.defaults(objective);
        return new PreferenceConfig(new TpoLossConfig(d.loss().beta(), weightOffset, objective),
                new ImageCorruption(noiseStep, d.corruption().mode()), d.learningRate(), d.optimizer(),
                d.trainVisionTower());
    }

    /**
     * The arms of a study, one factor at a time as the paper's ablations vary them: every objective at the default k
     * and a, then the swept objective with each other k (at the default a), then with each other a (at the default
     * k). The swept objective is plain tpo when it is listed, else every token-weighted objective listed. An
     * objective that never reads a token score (dpo) gets one arm only, since k and a cannot change what it does.
     * (A full cross product would be 4 objectives x 5 k x 4 a = 80 arms for the preregistered ablation; the
     * protocol names 12.)
     */
    public static List<Arm> grid(List<Objective> objectives, List<Integer> noiseSteps, List<Double> weightOffsets) {
        Set<Arm> arms = new LinkedHashSet<>();
        objectives.forEach(o -> arms.add(of(o)));
        List<Objective> swept = objectives.contains(Objective.TPO) ? List.of(Objective.TPO)
                : objectives.stream().filter(Objective::needsCorruptedImage).toList();
        for (Objective objective : swept) {
            noiseSteps.forEach(k -> arms.add(new Arm(objective, k, TpoLossConfig.DEFAULT_MARGIN_A)));
            weightOffsets.forEach(a -> arms.add(new Arm(objective, ImageCorruption.DEFAULT_STEP, a)));
        }
        return new ArrayList<>(arms);
    }

    @Override
    public String toString() {
        return name();
    }
}
