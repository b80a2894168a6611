package io.tpostream.trainer.online;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.tpostream.trainer.model.Checkpoint;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Where two checkpoints first differ, in words: the config, the tokenizer, a weight tensor (by name), an optimizer
 * tensor, or the trainer state. What a replay audit reports when the hashes do not match.
 */
public final class CheckpointDiff {

    private CheckpointDiff() {
    }

    /** Empty if the checkpoints hold the same content; otherwise the first difference. */
    public static Optional<String> firstDifference(Checkpoint expected, Checkpoint actual) {
        if (!expected.config().equals(actual.config())) {
            return Optional.of("config.json differs");
        }
        if (!Arrays.equals(expected.tokenizerJson(), actual.tokenizerJson())) {
            return Optional.of("tokenizer.json differs");
        }
        Optional<String> weights = firstDifference("weight", expected.weights(), actual.weights());
        if (weights.isPresent()) {
            return weights;
        }
        Optional<String> optimizer = firstDifference("optimizer tensor", expected.optimizerState(), actual.optimizerState());
        if (optimizer.isPresent()) {
            return optimizer;
        }
        if (!expected.trainerState().equals(actual.trainerState())) {
            return Optional.of("trainer-state.json differs: expected " + expected.trainerState() + ", got "
                    + actual.trainerState());
        }
        return Optional.empty();
    }

    private static Optional<String> firstDifference(String kind, Map<String, NDArray> expected,
                                                    Map<String, NDArray> actual) {
        TreeSet<String> names = new TreeSet<>(expected.keySet());
        names.addAll(actual.keySet());
        for (String name : names) {
            NDArray e = expected.get(name);
            NDArray a = actual.get(name);
            if (e == null || a == null) {
                return Optional.of(kind + " " + name + " is only in the " + (e == null ? "replayed" : "recorded")
                        + " checkpoint");
            }
            if (!e.getShape().equals(a.getShape()) || e.getDataType() != a.getDataType()) {
                return Optional.of(kind + " " + name + " is " + e.getDataType() + e.getShape() + " in the recorded and "
                        + a.getDataType() + a.getShape() + " in the replayed checkpoint");
            }
            if (!Arrays.equals(e.toByteArray(), a.toByteArray())) {
                return Optional.of(kind + " " + name + " differs" + howMuch(e, a));
            }
        }
        return Optional.empty();
    }

    private static String howMuch(NDArray expected, NDArray actual) {
        if (!expected.getDataType().isFloating()) {
            return "";
        }
        double[] e = expected.toType(DataType.FLOAT64, true).toDoubleArray();
        double[] a = actual.toType(DataType.FLOAT64, true).toDoubleArray();
        int differing = 0;
        double largest = 0;
        for (int i = 0; i < e.length; i++) {
            if (!Objects.equals(e[i], a[i])) {
                differing++;
                largest = Math.max(largest, Math.abs(e[i] - a[i]));
            }
        }
        return String.format(Locale.ROOT, ": %d of %d elements, largest |difference| %.3g", differing, e.length, largest);
    }
}
