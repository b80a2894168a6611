package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;

/**
 * y = x·Wᵀ + b with W of shape (out, in), as torch.nn.Linear stores it; optionally plus a low-rank adapter,
 * (alpha/r)·(x·Aᵀ)·Bᵀ, whose parameters are named {@code lora_A.weight} and {@code lora_B.weight} below this block,
 * as PEFT names them.
 */
public final class Dense extends NamedBlock {

    private final Parameter weight;
    private final Parameter bias;
    private final int in;
    private final int out;
    private Dense loraA;
    private Dense loraB;
    private float loraScale;
    private AdapterSwitch adapterSwitch;

    public Dense(int in, int out, boolean withBias) {
        this(in, out, withBias, Init.NORMAL);
    }

    private Dense(int in, int out, boolean withBias, Init weightInit) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", weightInit, out, in);
        this.bias = withBias ? parameter("bias", Init.ZEROS, out) : null;
    }

    /**
     * Adds a rank-{@code rank} adapter: A (rank × in) starts Kaiming-uniform, B (out × rank) zero, so the output is
     * unchanged until B learns. Must happen before the parameter arrays are created.
     */
    void attachAdapter(int rank, double scale, AdapterSwitch enabled) {
        if (loraA != null) {
            throw new IllegalStateException("this projection already has an adapter");
        }
        this.loraA = child("lora_A", new Dense(in, rank, false, Init.KAIMING_UNIFORM));
        this.loraB = child("lora_B", new Dense(rank, out, false, Init.ZEROS));
        this.loraScale = (float) scale;
        this.adapterSwitch = enabled;
    }

    public NDArray forward(NDArray x) {
        NDArray y = bias == null
                ? Linear.linear(x, weight.getArray()).head()
                : Linear.linear(x, weight.getArray(), bias.getArray()).head();
        NDArray delta = adapterDelta(x);
        return delta == null ? y : y.add(delta);
    }

    /**
     * The outputs of several projections of the same input in ONE matrix product over their stacked weights, then
     * split apart (with each one's adapter, if on, added to its part): what attention's q/k/v and the MLP's gate/up
     * compute, at fewer and larger GEMMs, which a CPU runs markedly faster than several narrow ones. Column for
     * column the same dot products as {@link #forward} each; the stacked weight lives in {@code x}'s manager, and its
     * gradient splits back into the parts' weights.
     */
    public static NDList forwardStacked(NDArray x, Dense... parts) {
        NDList weights = new NDList();
        NDList biases = new NDList();
        long[] splits = new long[parts.length - 1];
        long offset = 0;
        for (int i = 0; i < parts.length; i++) {
            weights.add(parts[i].weight.getArray());
            if (parts[i].bias != null) {
                biases.add(parts[i].bias.getArray());
            }
            offset += parts[i].out;
            if (i < splits.length) {
                splits[i] = offset;
            }
        }
        if (!biases.isEmpty() && biases.size() != parts.length) {
            throw new IllegalArgumentException("stacked projections must all have biases or none");
        }
        NDArray weight = onManagerOf(x, NDArrays.concat(weights, 0));
        NDArray y = biases.isEmpty() ? Linear.linear(x, weight).head()
                : Linear.linear(x, weight, onManagerOf(x, NDArrays.concat(biases, 0))).head();
        NDList out = y.split(splits, y.getShape().dimension() - 1);
        for (int i = 0; i < parts.length; i++) {
            NDArray delta = parts[i].adapterDelta(x);
            if (delta != null) {
                out.set(i, out.get(i).add(delta));
            }
        }
        return out;
    }

    /** The adapter's contribution for input x, or null when there is none or it is switched off. */
    private NDArray adapterDelta(NDArray x) {
        if (loraA == null || !adapterSwitch.enabled()) {
            return null;
        }
        NDArray update = loraB.forward(loraA.forward(x));
        // a scale array owned by the step's manager: DJL's mul(Number) frees its scalar right after the op,
        // although autograd keeps it for the backward pass
        return update.mul(update.getManager().create(loraScale));
    }

    public boolean hasAdapter() {
        return loraA != null;
    }

    /** W + scale·B·A, the weight that computes what this projection computes with its adapter on. */
    NDArray mergedWeight(ai.djl.ndarray.NDManager target) {
        NDArray delta = loraB.weight.getArray().matMul(loraA.weight.getArray()).mul(loraScale);
        delta.attach(target);
        NDArray merged = delta.add(weight.getArray());
        merged.attach(target);
        return merged;
    }

    public Parameter weight() {
        return weight;
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }
}
