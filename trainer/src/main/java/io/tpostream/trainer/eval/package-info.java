/**
 * The evaluation world: procedural scenes with exact ground truth, so hallucination metrics mean something.
 *
 * <ul>
 *   <li>World: {@link io.tpostream.trainer.eval.SceneWorld} draws {@link io.tpostream.trainer.eval.Scene}s
 *       (1–4 {@link io.tpostream.trainer.eval.ObjectKind}s = colour × shape in 4 quadrant slots) from a seed,
 *       with or without the training {@link io.tpostream.trainer.eval.CooccurrenceBias};
 *       {@link io.tpostream.trainer.eval.SceneRenderer} draws them.</li>
 *   <li>Text: {@link io.tpostream.trainer.eval.SceneText} (captions, questions, hallucinated and corrected
 *       captions), {@link io.tpostream.trainer.eval.CaptionParser}, and the tokenizer
 *       ({@link io.tpostream.trainer.eval.SceneVocabulary}, {@link io.tpostream.trainer.eval.SceneVocabulary#tokenizer()}).</li>
 *   <li>Metrics (pure): {@link io.tpostream.trainer.eval.ChairMetric}, {@link io.tpostream.trainer.eval.PopeMetric},
 *       {@link io.tpostream.trainer.eval.TokenCategories}.</li>
 *   <li>Data: {@link io.tpostream.trainer.eval.BenchmarkWriter} / {@link io.tpostream.trainer.eval.Benchmark}
 *       (images + pope.jsonl + captions.jsonl + benchmark.json) and
 *       {@link io.tpostream.trainer.eval.SyntheticPairs} (offline preference pairs).</li>
 * </ul>
 *
 * Every random choice comes from {@link io.tpostream.trainer.eval.Seeds}: item i of seed s is the same whatever
 * else is drawn.
 */
package io.tpostream.trainer.eval;
