package io.tpostream.trainer.eval;

import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.CaptionGenerator;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.tpo.ImageCorruption;
import io.tpostream.trainer.tpo.ImageCorruptor;
import io.tpostream.trainer.training.TokenScorer;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Runs a model on a probe set the way the metrics expect: greedy captions for CHAIR (and the visual-anchored
 * score of their tokens), greedy yes/no answers for POPE. Deterministic: the same model and probe set always give
 * the same numbers.
 */
public final class Evaluator {

    private final int batchSize;
    private final int maxCaptionTokens;

    public Evaluator(int batchSize, int maxCaptionTokens) {
        this.batchSize = batchSize;
        this.maxCaptionTokens = maxCaptionTokens;
    }

    public static Evaluator defaults() {
        return new Evaluator(64, 24);
    }

    /** Evaluates; {@code progress} hears the number of items done (captions plus questions). */
    public EvalResult evaluate(ModelInstance model, ProbeSet set, IntConsumer progress) {
        CaptionGenerator captioner = new CaptionGenerator(model, maxCaptionTokens);
        CaptionGenerator answerer = new CaptionGenerator(model, 2);
        int done = 0;

        ChairMetric chair = new ChairMetric();
        List<EvalResult.CaptionAnswer> captions = new ArrayList<>();
        TokenCategories categories = new TokenCategories();
        TokenScorer scorer = new TokenScorer(model, new ImageCorruptor(ImageCorruption.defaults()));
        for (int from = 0; from < set.captions().size(); from += batchSize) {
            List<CaptionTruth> batch = set.captions().subList(from, Math.min(from + batchSize, set.captions().size()));
            List<RgbImage> images = batch.stream().map(c -> set.image(c.image())).toList();
            List<CaptionGenerator.Generation> written = captioner.generate(images, SceneText.CAPTION_PROMPT, 0, 0);
            List<TokenScorer.Request> requests = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                String caption = written.get(i).text();
                chair.add(caption, batch.get(i).objects());
                captions.add(new EvalResult.CaptionAnswer(batch.get(i).image(), caption));
                requests.add(new TokenScorer.Request(images.get(i), SceneText.CAPTION_PROMPT, caption, batch.get(i).image()));
            }
            for (TokenScorer.Scored s : scorer.score(requests)) {
                categories.addAll(s.tokens().toArray(String[]::new), s.scores());
            }
            done += batch.size();
            progress.accept(done);
        }

        PopeMetric pope = new PopeMetric();
        List<EvalResult.PopeAnswer> answers = new ArrayList<>();
        for (int from = 0; from < set.pope().size(); from += batchSize) {
            List<PopeProbe> batch = set.pope().subList(from, Math.min(from + batchSize, set.pope().size()));
            List<CaptionGenerator.Generation> replies = answerer.generate(
                    batch.stream().map(p -> set.image(p.image())).toList(),
                    batch.stream().map(PopeProbe::question).toList(), 0, 0);
            for (int i = 0; i < batch.size(); i++) {
                pope.add(batch.get(i), replies.get(i).text());
                answers.add(new EvalResult.PopeAnswer(batch.get(i), replies.get(i).text()));
            }
            done += batch.size();
            progress.accept(done);
        }

        Map<TokenCategory, Double> means = new EnumMap<>(TokenCategory.class);
        categories.means().forEach((category, mean) -> means.put(category, mean.mean()));
        return new EvalResult(chair.result(), pope, means, captions, answers);
    }

    public EvalResult evaluate(ModelInstance model, ProbeSet set) {
        return evaluate(model, set, done -> { });
    }
}
