package io.tpostream.ops.demo;

import io.tpostream.trainer.tpo.Objective;
import io.tpostream.trainer.training.PretrainConfig;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One demo run.
 *
 * @param out              where everything goes: kafka/ (broker data), base/ (cached base model), artifacts/,
 *                         report.html
 * @param length           how long users send feedback (pre-training of a missing base model comes on top)
 * @param objective        what the trainer optimises
 * @param seed             seeds the world, the users and the training
 * @param pretrain         how the base model is made on first use
 * @param imagesPerTick    images captioned (and judged) per tick
 * @param tick             pace of the captioning service
 * @param users            how users behave
 * @param gateProbeImages  probe-set size of the promotion gate (its metrics are the per-version numbers)
 * @param batchSize        pairs per training step
 * @param publishEverySteps steps per version at most
 * @param publishEvery     time per version at most
 * @param learningRate     trainer learning rate
 */
public record DemoSettings(Path out, Duration length, Objective objective, long seed, PretrainConfig pretrain,
                           int imagesPerTick, Duration tick, SimulatedUsers.Behaviour users, int gateProbeImages,
                           int batchSize, int publishEverySteps, Duration publishEvery, double learningRate) {

    public static DemoSettings defaults(Path out) {
        return new DemoSettings(out, Duration.ofMinutes(4), Objective.TPO, 1, PretrainConfig.defaults(), 8,
                Duration.ofSeconds(2), SimulatedUsers.Behaviour.defaults(), 48, 8, 6, Duration.ofSeconds(10), 1e-4);
    }

    public DemoSettings withLength(Duration d) {
        return new DemoSettings(out, d, objective, seed, pretrain, imagesPerTick, tick, users, gateProbeImages,
                batchSize, publishEverySteps, publishEvery, learningRate);
    }

    public DemoSettings withObjective(Objective o) {
        return new DemoSettings(out, length, o, seed, pretrain, imagesPerTick, tick, users, gateProbeImages, batchSize,
                publishEverySteps, publishEvery, learningRate);
    }

    public DemoSettings withSeed(long s) {
        return new DemoSettings(out, length, objective, s, pretrain, imagesPerTick, tick, users, gateProbeImages,
                batchSize, publishEverySteps, publishEvery, learningRate);
    }

    public DemoSettings withPretrain(PretrainConfig p) {
        return new DemoSettings(out, length, objective, seed, p, imagesPerTick, tick, users, gateProbeImages, batchSize,
                publishEverySteps, publishEvery, learningRate);
    }

    public DemoSettings withUsers(SimulatedUsers.Behaviour b) {
        return new DemoSettings(out, length, objective, seed, pretrain, imagesPerTick, tick, b, gateProbeImages,
                batchSize, publishEverySteps, publishEvery, learningRate);
    }

    public DemoSettings withPace(int images, Duration everyTick) {
        return new DemoSettings(out, length, objective, seed, pretrain, images, everyTick, users, gateProbeImages,
                batchSize, publishEverySteps, publishEvery, learningRate);
    }

    public DemoSettings withTraining(int batch, int stepsPerVersion, Duration timePerVersion, int probeImages) {
        return new DemoSettings(out, length, objective, seed, pretrain, imagesPerTick, tick, users, probeImages, batch,
                stepsPerVersion, timePerVersion, learningRate);
    }

    public DemoSettings withLearningRate(double lr) {
        return new DemoSettings(out, length, objective, seed, pretrain, imagesPerTick, tick, users, gateProbeImages,
                batchSize, publishEverySteps, publishEvery, lr);
    }
}
