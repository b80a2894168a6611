package io.tpostream.ops.cli;

import io.tpostream.ops.json.Json;
import io.tpostream.trainer.experiment.Arm;
import io.tpostream.trainer.experiment.ExperimentResult;
import io.tpostream.trainer.tpo.Objective;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A study's results as a JSON file (every run, the chosen learning rates, the token-weight diagnosis), and several
 * such files read back as one study: parts of a study run side by side (one process per regime) report together.
 */
final class StudyFiles {

    private StudyFiles() {
    }

    static void write(Path file, ExperimentResult result) throws IOException {
        Files.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
    }

    static ExperimentResult read(Path file) throws IOException {
        return Json.mapper().readValue(Files.readString(file), ExperimentResult.class);
    }

    /**
     * The learning rate an earlier validation run chose for each arm: its own selection, or for an ablation of tpo
     * (another objective of the family, another k or a) the rate chosen for plain tpo, as the protocol says.
     */
    static Map<String, Double> chosenRates(List<Path> files, List<Arm> arms) throws IOException {
        Map<String, Double> chosen = new HashMap<>();
        merge(files).selections().forEach(s -> chosen.put(s.arm(), s.learningRate()));
        Map<String, Double> out = new LinkedHashMap<>();
        for (Arm arm : arms) {
            Double rate = chosen.get(arm.name());
            if (rate == null && arm.objective().needsCorruptedImage()) {
                rate = chosen.get(Arm.of(Objective.TPO).name());
            }
            if (rate == null) {
                throw new IllegalArgumentException(files + " chose no learning rate for " + arm.name() + " (they have "
                        + chosen + ")");
            }
            out.put(arm.name(), rate);
        }
        return out;
    }

    /** The base's runs once per seed and role (every part evaluates the same base); everything else as it is. */
    static ExperimentResult merge(List<Path> files) throws IOException {
        List<ExperimentResult.Run> runs = new ArrayList<>();
        List<ExperimentResult.Selection> selections = new ArrayList<>();
        List<ExperimentResult.Diagnosis> diagnoses = new ArrayList<>();
        Set<String> bases = new HashSet<>();
        for (Path file : files) {
            ExperimentResult part = read(file);
            for (ExperimentResult.Run r : part.runs()) {
                if (!r.arm().equals(ExperimentResult.BASE) || bases.add(r.seed() + "/" + r.role())) {
                    runs.add(r);
                }
            }
            selections.addAll(part.selections());
            diagnoses.addAll(part.diagnoses());
        }
        return new ExperimentResult(runs, selections, diagnoses);
    }
}
