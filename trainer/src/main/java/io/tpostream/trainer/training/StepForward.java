package io.tpostream.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tpostream.trainer.model.AdapterSwitch;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.tpo.ReferenceLogps;
import io.tpostream.trainer.tpo.TpoLossResult;

import java.util.function.Function;

/**
 * How a preference step computes its loss: the reference's detached log-probabilities, then the policy's loss for
 * backward. Two implementations compute the same math: {@link StraightforwardForward} (every sequence on its own, the
 * full head everywhere; the parity oracle) and {@link SharedPrefixForward} (the default, less work).
 */
interface StepForward {

    /** The reference's weighted sequence log-probabilities of every pair, [pairs] each, detached, in {@code scope}. */
    ReferenceLogps reference(StepInputs inputs, NDManager scope);

    /** The policy's loss against {@code reference}, called inside the open gradient collector. */
    Forward policy(StepInputs inputs, ReferenceLogps reference, NDManager scope);

    /** What one model's pass over {@code inputs} computes, for counting its FLOPs. */
    StepFlops.PassShape shape(StepInputs inputs);

    /** The loss and where its per-token arrays sit in the sequences. */
    record Forward(TpoLossResult result, TokenSlots chosen, TokenSlots rejected) {
    }

    /**
     * Runs {@code pass} on the reference: the frozen copy, or the policy itself with its adapters off. The pass gets
     * a manager of its own that closes when it returns, so none of its intermediates outlive it (a DJL array lives
     * until its manager closes); it must attach what it returns to {@code scope}. Engine-op results land in their
     * first operand's manager, hence {@link #own} for the inputs.
     */
    static <T> T onReference(ModelInstance policy, ModelInstance reference, NDManager scope,
                             Function<Pass, T> pass) {
        try (NDManager own = scope.newSubManager()) {
            if (reference != null) {
                return pass.apply(new Pass(reference, own));
            }
            try (AdapterSwitch.Scope off = policy.model().adapters().off()) {
                return pass.apply(new Pass(policy, own));
            }
        }
    }

    /** One model and the manager its pass works in. */
    record Pass(ModelInstance model, NDManager manager) {
        /** A copy of {@code array} in this pass's manager. */
        NDArray own(NDArray array) {
            NDArray copy = array.duplicate();
            copy.attach(manager);
            return copy;
        }
    }
}
