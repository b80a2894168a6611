package io.tpostream.trainer.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything a study measured: held-out metrics of every run (the base once per seed, each arm per regime and
 * seed, validation runs included and marked), the learning rate chosen for each arm and regime, and where each
 * arm's token weights landed.
 */
public record ExperimentResult(List<Run> runs, List<Selection> selections, List<Diagnosis> diagnoses) {

    public static final String BASE = "base";

    /** Whether a run is reported or only used to choose a learning rate. */
    public enum Role { REPORTED, VALIDATION }

    /** One arm on one seed under one regime (the base has regime "" : it does not depend on one). */
    public record Run(String regime, String arm, long seed, double learningRate, Role role,
                      Map<String, Double> metrics, double medianStepMillis) {
    }

    /** The learning rate chosen for an arm under a regime, with each candidate's mean validation score. */
    public record Selection(String regime, String arm, double learningRate, Map<Double, Double> scores) {
    }

    /** Mean token score s and weight c per token group, under the base and under the trained policy. */
    public record Diagnosis(String regime, String arm, long seed, Map<String, Double> values) {
    }

    public ExperimentResult {
        runs = List.copyOf(runs);
        selections = List.copyOf(selections);
        diagnoses = List.copyOf(diagnoses);
    }

    public List<String> regimes() {
        return distinct(runs.stream().filter(r -> !r.regime().isEmpty()).map(Run::regime).toList());
    }

    /** The arms in the order they ran, the base first. */
    public List<String> arms() {
        List<String> arms = new ArrayList<>(List.of(BASE));
        arms.addAll(runs.stream().map(Run::arm).toList());
        return distinct(arms);
    }

    /** The reported runs of an arm under a regime (the base's reported runs for any regime), in seed order. */
    public List<Run> reported(String regime, String arm) {
        return runs.stream().filter(r -> r.role() == Role.REPORTED && r.arm().equals(arm)
                && (arm.equals(BASE) || r.regime().equals(regime))).toList();
    }

    private static List<String> distinct(List<String> items) {
        return items.stream().distinct().toList();
    }
}
