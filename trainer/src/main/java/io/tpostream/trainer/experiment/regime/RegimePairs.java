package io.tpostream.trainer.experiment.regime;

import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;
import io.tpostream.trainer.eval.SyntheticPair;
import io.tpostream.trainer.eval.SyntheticPairs;
import io.tpostream.trainer.model.ModelInstance;

import java.util.ArrayList;
import java.util.List;

/**
 * The pairs of one seed under one regime: exactly {@code n} of them, of which {@link #questionCount} are the same
 * yes/no answer pairs in every regime and the rest are caption pairs in the regime's form. The minimal regime is
 * the original experiment's mix (half written minimal edits, half the base's own captions and their corrections),
 * drawn from the same random streams, so its figures compare with earlier runs.
 */
public final class RegimePairs {

    private static final long CORRECTION_STREAM = 21;
    private static final long QUESTION_STREAM = 22;
    private static final long WRITTEN_STREAM = 23;
    private static final long FLIP_STREAM = 24;

    private RegimePairs() {
    }

    /** Answer pairs among {@code n}: a share of the first half, as in the original experiment. */
    public static int questionCount(int n, double questionShare) {
        return (int) Math.round((n / 2) * questionShare);
    }

    /**
     * @param policy the model whose captions on-policy regimes sample (and minimal corrects); round 0 is the base
     * @param round  0 for the pairs every objective shares; on-policy regimes draw round r afresh from each
     *               objective's own policy before epoch r
     */
    public static List<ScenePair> build(PairRegime regime, ModelInstance policy, SceneWorld world, long seed,
                                        int round, int n, RegimeSettings settings) {
        int questions = questionCount(n, settings.questionShare());
        List<ScenePair> out = new ArrayList<>(n);
        switch (regime) {
            case MINIMAL -> {
                int synthetic = n / 2;
                for (SyntheticPair p : SyntheticPairs.generate(world, seed, synthetic - questions,
                        settings.wrongAttributeRate())) {
                    out.add(new ScenePair(p.scene(), p.image(), p.prompt(), p.chosen(), p.rejected()));
                }
                out.addAll(questions(world, seed, questions));
                long correctionSeed = Seeds.derive(seed, 0, CORRECTION_STREAM);
                out.addAll(CorrectionPairs.generate(policy, world, correctionSeed, n - synthetic, CORRECTION_STREAM));
            }
            case REPHRASED -> {
                out.addAll(RephrasedPairs.generate(world, Seeds.derive(seed, 0, WRITTEN_STREAM), n - questions,
                        settings.wrongAttributeRate()));
                out.addAll(questions(world, seed, questions));
            }
            case STYLE -> {
                out.addAll(StylePairs.generate(world, Seeds.derive(seed, 0, WRITTEN_STREAM), n - questions,
                        settings.wrongAttributeRate()));
                out.addAll(questions(world, seed, questions));
            }
            case ON_POLICY, NOISY -> {
                out.addAll(OnPolicyPairs.sample(policy, world, seed, round, n - questions, settings.samples(),
                        settings.temperature()));
                out.addAll(questions(world, seed, questions));
                if (regime == PairRegime.NOISY) {
                    return PreferenceFlips.flip(out, settings.flipShare(), Seeds.derive(seed, round, FLIP_STREAM));
                }
            }
            default -> throw new IllegalStateException("unhandled regime " + regime);
        }
        return out;
    }

    private static List<ScenePair> questions(SceneWorld world, long seed, int n) {
        return QuestionPairs.generate(world, Seeds.derive(seed, 0, QUESTION_STREAM), n, QUESTION_STREAM);
    }
}
