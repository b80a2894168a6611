package io.tpostream.trainer.online;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tpostream.schema.AvroSerde;
import io.tpostream.schema.PreferencePair;
import io.tpostream.schema.UndecodableRecordException;
import io.tpostream.trainer.image.UnusableImageException;
import io.tpostream.trainer.model.Checkpoint;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.ModelWeights;
import io.tpostream.trainer.model.PromptFormat;
import io.tpostream.trainer.model.VisionTower;
import io.tpostream.trainer.training.ImageResolver;
import io.tpostream.trainer.training.PreferenceConfig;
import io.tpostream.trainer.training.PreferenceTrainer;
import io.tpostream.trainer.training.StepOutcome;
import io.tpostream.trainer.training.TrainingPair;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The deterministic core of online training, free of Kafka: a policy continuing from a checkpoint, the frozen
 * reference, and how a batch of pair records becomes one step. The live trainer and the replay audit both run
 * exactly this code, which is what makes a replay bit-identical.
 */
public final class TrainingSession implements AutoCloseable {

    private final String modelName;
    private final PreferenceConfig config;
    private final StalenessBound staleness;
    private final ModelInstance reference;
    private final ModelInstance policy;
    private final ImageResolver images;
    private final AvroSerde<PreferencePair> serde = AvroSerde.of(PreferencePair.class);
    private final int maxPositions;
    private PreferenceTrainer trainer;
    private long nonFiniteAtStart;

    /** A session that reads inline images and local files only. */
    public TrainingSession(String modelName, PreferenceConfig config, StalenessBound staleness,
                           ModelInstance reference, byte[] start, long startVersion) {
        this(modelName, config, staleness, reference, start, startVersion, ImageResolver.localOnly());
    }

    /**
     * @param staleness    which pairs are too old to train (see {@link #train})
     * @param reference    the frozen reference (the session keeps it; the caller closes it)
     * @param start        checkpoint the policy continues from
     * @param startVersion the version {@code start} is (see {@link #resetTo})
     * @param images       turns the pairs' image references into pixels
     */
    public TrainingSession(String modelName, PreferenceConfig config, StalenessBound staleness,
                           ModelInstance reference, byte[] start, long startVersion, ImageResolver images) {
        this.modelName = modelName;
        this.images = images;
        this.config = config;
        this.staleness = staleness;
        this.reference = reference;
        this.policy = reference.copy();
        this.maxPositions = reference.config().text().maxPositions();
        resetTo(start, startVersion);
    }

    /**
     * What one batch did.
     *
     * @param step        the step, or null if no pair of the batch was usable
     * @param otherModels pairs of other models, skipped
     * @param stale       pairs of a policy too far behind, skipped
     * @param unusable    the records that could not be trained, by pair id ({@code partition@offset} if
     *                    undecodable), with the reason, written {@code CODE: detail}
     * @param sourceTimes the source times of the pairs of this model that were not stale
     * @param records     the record behind each pair id (and {@code partition@offset}) of the batch, for the dead
     *                    letters of the unusable and quarantined ones
     */
    public record BatchResult(StepOutcome step, int otherModels, int stale, Map<String, String> unusable,
                              List<Long> sourceTimes, Map<String, PairRecord> records) {
    }

    /**
     * Decodes, filters and resolves the records, then trains one step on the usable pairs, taken in the batch's
     * {@linkplain BatchPlan#canonical canonical order}. Records of other models and stale pairs are skipped;
     * undecodable records and unresolvable images are reported as unusable (quarantined).
     *
     * @param trainedFrom the version this training continues from (the parent of the version it will make): the
     *                    staleness bound counts versions behind it
     */
    public BatchResult train(List<PairRecord> batch, long trainedFrom) {
        List<TrainingPair> pairs = new ArrayList<>();
        Map<String, String> unusable = new java.util.LinkedHashMap<>();
        Map<String, PairRecord> records = new java.util.HashMap<>();
        List<Long> sourceTimes = new ArrayList<>();
        int otherModels = 0;
        int stale = 0;
        for (PairRecord r : BatchPlan.canonical(batch)) {
            PreferencePair p;
            try {
                p = serde.decode(r.value());
            } catch (UndecodableRecordException e) {
                unusable.put(r.partition() + "@" + r.offset(), "UNDECODABLE: " + e.getMessage());
                records.put(r.partition() + "@" + r.offset(), r);
                continue;
            }
            records.put(p.getPairId(), r);
            if (!p.getModelName().equals(modelName)) {
                otherModels++;
                continue;
            }
            if (staleness.isStale(p.getPolicyVersion(), trainedFrom)) {
                stale++;
                continue;
            }
            sourceTimes.add(p.getSourceOccurredAt().toEpochMilli());
            int positions = positions(p);
            if (positions > maxPositions) {
                unusable.put(p.getPairId(), "SEQUENCE_TOO_LONG: " + positions + " positions (image and text), the "
                        + "model takes at most " + maxPositions);
                continue;
            }
            try {
                pairs.add(new TrainingPair(p.getPairId(), images.resolve(p.getImage()), p.getPrompt(), p.getChosen(),
                        p.getRejected()));
            } catch (UnusableImageException e) {
                unusable.put(p.getPairId(), e.problem() + ": " + e.getMessage());
            }
        }
        StepOutcome outcome = pairs.isEmpty() ? null : trainer.step(pairs);
        return new BatchResult(outcome, otherModels, stale, unusable, sourceTimes, records);
    }

    /**
     * The longer of the pair's two sequences, in decoder positions: the image's patches and the text around them.
     * Beyond the model's context it was never trained for such lengths, and attention memory grows with the square
     * of the length: one pair with a 4,000-character response took gigabytes.
     */
    private int positions(PreferencePair p) {
        PromptFormat format = policy.format();
        int text = Math.max(format.encode(p.getPrompt(), p.getChosen()).length(),
                format.encode(p.getPrompt(), p.getRejected()).length());
        return text - 1 + policy.config().vision().numPatches();
    }

    /** The policy and optimizer as a checkpoint, with the given trainer state (keep it free of wall-clock time). */
    public byte[] checkpoint(Map<String, String> trainerState) {
        try (NDManager scratch = policy.manager().newSubManager()) {
            Map<String, NDArray> optimizer = trainer.optimizerState(scratch);
            return policy.checkpoint(optimizer, trainerState).toBytes();
        }
    }

    /**
     * Continues from a checkpoint: its weights in place, and its optimizer state unless it is version 0. Version 0
     * is the base model: whatever optimizer state it carries (e.g. from pre-training) is not this objective's, so
     * preference training starts there with fresh moments and step 0.
     */
    public void resetTo(byte[] checkpointBytes, long version) {
        if (trainer != null) {
            trainer.close();
        }
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            Checkpoint cp = Checkpoint.read(new ByteArrayInputStream(checkpointBytes), scratch, "checkpoint");
            // a LLaVA checkpoint also holds vision layers past the feature layer, which the model does not build
            ModelWeights.copyInto(policy.model(), cp.weights(), VisionTower.unusedTensorPrefixes(policy.config()));
            trainer = new PreferenceTrainer(policy, reference, config);
            if (version > 0 && !cp.optimizerState().isEmpty()) {
                trainer.restoreOptimizerState(cp.optimizerState());
            }
            nonFiniteAtStart = nonFiniteWeights();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How many weights are NaN or infinite. A checkpoint may hold some from the start (e.g. the row of a rare token
     * that overflowed in a half-precision export): every pair that touches them has a non-finite loss and is
     * quarantined, so they never reach the gradients of the others.
     */
    public long nonFiniteWeights() {
        long count = 0;
        try (NDManager scratch = policy.manager().newSubManager()) {
            for (NDArray a : policy.parameters().values()) {
                // results of ops on a parameter land in the model's manager: move them to the scratch one
                NDArray nan = a.isNaN();
                nan.attach(scratch);
                NDArray infinite = a.isInfinite();
                infinite.attach(scratch);
                count += nan.logicalOr(infinite).countNonzero().getLong();
            }
        }
        return count;
    }

    /**
     * True if training since the checkpoint this session started from (or was last reset to) turned a finite weight
     * into NaN or infinity: such a candidate is never published as PASSED. What the checkpoint already held does not
     * count; comparing counts is exact because no update makes a non-finite weight finite again (decay keeps an
     * infinity infinite, and a step with a non-finite gradient is skipped).
     */
    public boolean trainingMadeWeightsNonFinite() {
        return nonFiniteWeights() > nonFiniteAtStart;
    }

    public ModelInstance policy() {
        return policy;
    }

    public long steps() {
        return trainer.stepCount();
    }

    @Override
    public void close() {
        trainer.close();
        policy.close();
    }
}
