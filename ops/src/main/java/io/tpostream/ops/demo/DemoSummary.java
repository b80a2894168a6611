package io.tpostream.ops.demo;

import io.tpostream.schema.ModelVersion;

import java.util.List;
import java.util.Map;

/**
 * What a demo run did, for the report and the closing table.
 *
 * @param settings         the run's settings
 * @param versions         every committed version record, in order
 * @param appliedVersions  versions the captioning service swapped in
 * @param feedbackSent     feedback events the users sent
 * @param malformedSent    broken records the users sent
 * @param streamsCounts    the pairing app's counters (events-in, pairs-out, dead-letters, dead-letters.REASON, held)
 * @param serving          live quality of the serving model over time
 * @param tokenViews       a few pairs scored token by token by the base and by the final model
 * @param runSeconds       wall time of the feedback phase
 */
public record DemoSummary(DemoSettings settings, List<ModelVersion> versions, List<Long> appliedVersions,
                          long feedbackSent, long malformedSent, Map<String, Long> streamsCounts,
                          List<ServingSample> serving, List<TokenView> tokenViews, double runSeconds) {

    /** The serving model's hallucination rate over the captions it wrote in one tick. */
    public record ServingSample(double seconds, long version, int captions, int mentions, int hallucinated,
                                int hallucinatingCaptions) {
    }

    /** One pair, its tokens and their visual-anchored scores under the base model and the final model. */
    public record TokenView(String prompt, String chosen, String rejected, String imageDataUri,
                            List<String> chosenTokens, float[] chosenBefore, float[] chosenAfter,
                            List<String> rejectedTokens, float[] rejectedBefore, float[] rejectedAfter) {
    }
}
