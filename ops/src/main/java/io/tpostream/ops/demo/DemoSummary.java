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
 * @param accounting       every input record's fate, read back from the topics
 * @param tokenViews       a few pairs scored token by token by the base and by the final model
 * @param runSeconds       wall time of the feedback phase
 */
public record DemoSummary(DemoSettings settings, List<ModelVersion> versions, List<Long> appliedVersions,
                          long feedbackSent, long malformedSent, Map<String, Long> streamsCounts,
                          Accounting accounting, List<ServingSample> serving, List<TokenView> tokenViews,
                          double runSeconds) {

    /**
     * Records in = records that are a source of some pair + dead letters + ratings still held in a window +
     * outcomes (valid records that ended without a pair of their own: expired unpaired, repeated pair).
     *
     * @param recordsIn    records the pairing app read
     * @param pairs        pair records on tpo.pairs
     * @param pairedEvents distinct feedback events named as a source by some pair
     * @param deadLetters  dead letters of feedback records on tpo.feedback.dlq (bad input; the trainer's dead letters
     *                     of pairs, on the same topic, are not input records of the pairing app)
     * @param held         ratings still waiting in a window for a partner
     * @param outcomes     records on tpo.feedback.outcomes
     */
    public record Accounting(long recordsIn, long pairs, long pairedEvents, long deadLetters, long held,
                             long outcomes) {
        public boolean reconciles() {
            return recordsIn == pairedEvents + deadLetters + held + outcomes;
        }
    }

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
