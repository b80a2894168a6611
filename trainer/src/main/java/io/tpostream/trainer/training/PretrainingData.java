package io.tpostream.trainer.training;

import io.tpostream.trainer.eval.CooccurrenceBias;
import io.tpostream.trainer.eval.ObjectKind;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import io.tpostream.trainer.eval.Seeds;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Supervised examples from the scene world: captions and yes/no questions.
 *
 * <p>Two biases make the base model hallucinate the way large VLMs do. The world's images put an object's usual
 * partner beside it most of the time ({@link CooccurrenceBias}); and, like web captions written from what
 * annotators expect rather than what is visible, a caption mentions a present object's absent partner with
 * probability {@code partnerMentionRate}, and a question about that absent partner is answered "yes" with the same
 * probability. A model trained on this learns the prior "A implies B" beside what it sees, which is exactly the
 * failure visual-anchored preference training is meant to undo.
 */
public final class PretrainingData {

    /** Stream id for the choices made per example, apart from the world's own streams. */
    private static final long EXAMPLE_STREAM = 11;

    private final SceneWorld world;
    private final long seed;
    private final double captionShare;
    private final double partnerMentionRate;

    public PretrainingData(SceneWorld world, long seed, double captionShare, double partnerMentionRate) {
        if (captionShare < 0 || captionShare > 1 || partnerMentionRate < 0 || partnerMentionRate > 1) {
            throw new IllegalArgumentException("caption share and partner mention rate must be in [0, 1]");
        }
        this.world = world;
        this.seed = seed;
        this.captionShare = captionShare;
        this.partnerMentionRate = partnerMentionRate;
    }

    /** Example {@code index}: the same for the same seed, whatever else was drawn before. */
    public Example example(long index) {
        Scene scene = world.scene(seed, index);
        SplittableRandom rng = Seeds.random(seed, index, EXAMPLE_STREAM);
        Optional<ObjectKind[]> absentPartner = absentPartner(scene);
        if (rng.nextDouble() < captionShare) {
            List<ObjectKind> mentions = new ArrayList<>(scene.kinds());
            if (absentPartner.isPresent() && rng.nextDouble() < partnerMentionRate) {
                ObjectKind[] ab = absentPartner.get();
                mentions.add(mentions.indexOf(ab[0]) + 1, ab[1]);
            }
            return new Example(world.render(scene), SceneText.CAPTION_PROMPT, SceneText.caption(mentions));
        }
        String answer;
        ObjectKind asked;
        if (rng.nextBoolean()) {
            asked = scene.kinds().get(rng.nextInt(scene.kinds().size()));
            answer = SceneText.YES;
        } else if (absentPartner.isPresent() && rng.nextBoolean()) {
            asked = absentPartner.get()[1];
            answer = rng.nextDouble() < partnerMentionRate ? SceneText.YES : SceneText.NO;
        } else {
            List<ObjectKind> absent = scene.absentKinds();
            asked = absent.get(rng.nextInt(absent.size()));
            answer = SceneText.NO;
        }
        return new Example(world.render(scene), SceneText.question(asked), answer);
    }

    /** The first present object whose usual partner is absent, with that partner. */
    private static Optional<ObjectKind[]> absentPartner(Scene scene) {
        for (ObjectKind k : scene.kinds()) {
            Optional<ObjectKind> partner = CooccurrenceBias.partnerOf(k);
            if (partner.isPresent() && !scene.contains(partner.get())) {
                return Optional.of(new ObjectKind[] {k, partner.get()});
            }
        }
        return Optional.empty();
    }

    public List<Example> batch(long firstIndex, int size) {
        return java.util.stream.LongStream.range(firstIndex, firstIndex + size).mapToObj(this::example).toList();
    }
}
