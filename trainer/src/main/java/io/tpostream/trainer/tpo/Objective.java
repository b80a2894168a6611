package io.tpostream.trainer.tpo;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The training objective and the paper's ablations: which {@link TokenWeighting} each side of a pair gets
 * (s = visual-anchored token score, a = margin).
 *
 * <table>
 *   <caption>objectives</caption>
 *   <tr><th>name</th><th>chosen c</th><th>rejected c</th><th>in the paper</th></tr>
 *   <tr><td>tpo</td><td>sigmoid(s) + a</td><td>1 - sigmoid(s) + a</td><td>TPO, best</td></tr>
 *   <tr><td>tpo-chosen-only</td><td>sigmoid(s) + a</td><td>1</td><td>ablation</td></tr>
 *   <tr><td>tpo-rejected-only</td><td>1</td><td>1 - sigmoid(s) + a</td><td>ablation</td></tr>
 *   <tr><td>tpo-opposite</td><td>1 - sigmoid(s) + a</td><td>sigmoid(s) + a</td><td>anti-correlated ablation,
 *       worse than the base model</td></tr>
 *   <tr><td>dpo</td><td>1</td><td>1</td><td>DPO baseline</td></tr>
 * </table>
 */
public enum Objective {
    TPO("tpo", TokenWeighting.ANCHORED, TokenWeighting.ANTI_ANCHORED),
    DPO("dpo", TokenWeighting.UNIFORM, TokenWeighting.UNIFORM),
    TPO_CHOSEN_ONLY("tpo-chosen-only", TokenWeighting.ANCHORED, TokenWeighting.UNIFORM),
    TPO_REJECTED_ONLY("tpo-rejected-only", TokenWeighting.UNIFORM, TokenWeighting.ANTI_ANCHORED),
    TPO_OPPOSITE("tpo-opposite", TokenWeighting.ANTI_ANCHORED, TokenWeighting.ANCHORED);

    private final String configName;
    private final TokenWeighting chosen;
    private final TokenWeighting rejected;

    Objective(String configName, TokenWeighting chosen, TokenWeighting rejected) {
        this.configName = configName;
        this.chosen = chosen;
        this.rejected = rejected;
    }

    /** The name used in configuration, on the command line and in published model versions. */
    public String configName() {
        return configName;
    }

    public TokenWeighting chosenWeighting() {
        return chosen;
    }

    public TokenWeighting rejectedWeighting() {
        return rejected;
    }

    /** Whether the step needs forward passes on the corrupted image: only when some token weight uses a score. */
    public boolean needsCorruptedImage() {
        return chosen != TokenWeighting.UNIFORM || rejected != TokenWeighting.UNIFORM;
    }

    public static Objective fromName(String name) {
        String wanted = name == null ? null : name.trim().toLowerCase(Locale.ROOT);
        for (Objective objective : values()) {
            if (objective.configName.equals(wanted)) {
                return objective;
            }
        }
        throw new IllegalArgumentException("unknown objective '" + name + "'; valid objectives: "
                + Arrays.stream(values()).map(Objective::configName).collect(Collectors.joining(", ")));
    }
}
