package io.tpostream.trainer.tpo;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * The self-calibrated weight c of one response token as a function of its visual-anchored score s and the
 * margin a (method note §2). Which rule applies to which side is the {@link Objective}'s business.
 */
public enum TokenWeighting {
    /** c = 1: the token counts as in plain DPO. */
    UNIFORM {
        @Override
        public double weight(double score, double marginA) {
            return 1.0;
        }

        @Override
        public NDArray weight(NDArray scores, float marginA) {
            return scores.onesLike();
        }

        @Override
        public NDArray logWeight(NDArray scores, float marginA) {
            return scores.zerosLike();
        }
    },
    /** c = sigmoid(s) + a: the more a token depends on the image, the more it counts (TPO's chosen side). */
    ANCHORED {
        @Override
        public double weight(double score, double marginA) {
            return 1 / (1 + Math.exp(-score)) + marginA;
        }

        @Override
        public NDArray weight(NDArray scores, float marginA) {
            return Activation.sigmoid(scores).add(marginA);
        }

        @Override
        public NDArray logWeight(NDArray scores, float marginA) {
            // with a = 0, log sigmoid(s) = -softplus(-s) stays finite where sigmoid(s) underflows to 0
            return marginA == 0f ? Activation.softPlus(scores.neg()).neg() : weight(scores, marginA).log();
        }
    },
    /** c = 1 - sigmoid(s) + a: the less a token depends on the image, the more it counts (TPO's rejected side). */
    ANTI_ANCHORED {
        @Override
        public double weight(double score, double marginA) {
            return 1 - 1 / (1 + Math.exp(-score)) + marginA;
        }

        @Override
        public NDArray weight(NDArray scores, float marginA) {
            // 1 - sigmoid(s) written as sigmoid(-s): equal, without the cancellation near sigmoid(s) = 1
            return Activation.sigmoid(scores.neg()).add(marginA);
        }

        @Override
        public NDArray logWeight(NDArray scores, float marginA) {
            return marginA == 0f ? Activation.softPlus(scores).neg() : weight(scores, marginA).log();
        }
    };

    /** c for one score, in plain doubles (for traces and tests). */
    public abstract double weight(double score, double marginA);

    /** c element-wise, same shape as {@code scores}. */
    public abstract NDArray weight(NDArray scores, float marginA);

    /** log c element-wise, the term TPO adds to each token's log-probability. */
    public abstract NDArray logWeight(NDArray scores, float marginA);
}
