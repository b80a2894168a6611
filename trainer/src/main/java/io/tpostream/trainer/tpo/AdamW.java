package io.tpostream.trainer.tpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * AdamW (Loshchilov and Hutter, decoupled weight decay) over named parameters, with state we can checkpoint:
 * DJL's built-in optimizers keep their moments where nothing can save them, so a resumed run would not continue
 * the same trajectory.
 * <p>
 * One {@link #step(double)}, the same arithmetic as PyTorch's single-tensor AdamW:
 * <pre>
 *   norm = sqrt(sum over parameters of |g|^2)              reported, taken before clipping
 *   if norm is NaN or infinite: skip the step, touch nothing
 *   g    = g * min(1, maxGradNorm / (norm + 1e-6))          as torch.nn.utils.clip_grad_norm_
 *   t    = t + 1
 *   p    = p * (1 - lr * weightDecay)
 *   m    = beta1 m + (1 - beta1) g,     v = beta2 v + (1 - beta2) g^2
 *   p    = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
 * </pre>
 * Parameters are updated in place, so a live model keeps its arrays; gradients are read, never written (zero them
 * with {@link #zeroGradients(Collection)} before the next backward pass, since PyTorch accumulates them).
 * Parameters whose array does not require a gradient are frozen and skipped. Call {@code step} outside any open
 * {@code GradientTape}: in-place updates of leaves are refused while autograd records.
 * <p>
 * Host-side scalars use {@link StrictMath} so that replays are bit-exact across JVMs.
 * <p>
 * Moments live in a sub-manager of the first parameter's manager, temporaries in a sub-manager closed at the end
 * of each step, so the number of live arrays stays constant however long training runs.
 */
public final class AdamW implements AutoCloseable {

    /** Key of the step counter in {@link #exportState}; moments are under "m/" and "v/" plus the parameter name. */
    public static final String STEP_KEY = "step";

    private static final NDIndex EVERYTHING = new NDIndex("...");

    private final Map<String, NDArray> parameters;
    private final AdamWConfig config;
    private final NDManager stateManager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long step;

    /**
     * @param parameters the trained arrays by name, in a stable order (it fixes the summation order of the
     *                   gradient norm, hence bit-exact replays); all on one device
     */
    public AdamW(Map<String, NDArray> parameters, AdamWConfig config) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("no parameters to optimise");
        }
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.config = Objects.requireNonNull(config, "config");
        this.stateManager = this.parameters.values().iterator().next().getManager().newSubManager();
        this.parameters.forEach((name, p) -> {
            firstMoments.put(name, stateManager.zeros(p.getShape(), p.getDataType(), p.getDevice()));
            secondMoments.put(name, stateManager.zeros(p.getShape(), p.getDataType(), p.getDevice()));
        });
    }

    /** The outcome of one {@link #step}: whether it was applied, the pre-clip global gradient norm, the step count. */
    public record StepResult(boolean applied, double gradNorm, boolean clipped, long step) {
    }

    public AdamWConfig config() {
        return config;
    }

    /** Steps applied so far (skipped steps do not count): t of the bias correction. */
    public long stepCount() {
        return step;
    }

    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** One update with learning rate {@code learningRate}, unless the gradients hold a NaN or an infinity. */
    public StepResult step(double learningRate) {
        if (!(learningRate >= 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + learningRate);
        }
        // autograd must not record the in-place updates, whatever thread this is (a new thread starts with it on)
        return io.tpostream.trainer.model.GradMode.disabled(() -> update(learningRate));
    }

    private StepResult update(double learningRate) {
        try (NDManager scratch = stateManager.newSubManager()) {
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            parameters.forEach((name, p) -> {
                if (p.hasGradient()) {
                    gradients.put(name, scoped(scratch, p.getGradient()));
                }
            });
            if (gradients.isEmpty()) {
                throw new IllegalStateException("no parameter requires a gradient: nothing to optimise");
            }
            double norm = globalNorm(gradients.values());
            if (!Double.isFinite(norm)) {
                return new StepResult(false, norm, false, step);
            }
            boolean clipped = norm > config.maxGradNorm();
            float gradScale = clipped ? (float) (config.maxGradNorm() / (norm + 1e-6)) : 1f;
            step++;
            float decay = (float) (1 - learningRate * config.weightDecay());
            float stepSize = (float) (learningRate / (1 - StrictMath.pow(config.beta1(), step)));
            float secondCorrection = (float) Math.sqrt(1 - StrictMath.pow(config.beta2(), step));
            gradients.forEach((name, rawGradient) -> {
                NDArray p = parameters.get(name);
                NDArray m = firstMoments.get(name);
                NDArray v = secondMoments.get(name);
                NDArray g = clipped ? rawGradient.mul(gradScale) : rawGradient;
                if (decay != 1f) {
                    p.muli(decay);
                }
                m.muli((float) config.beta1()).addi(g.mul((float) (1 - config.beta1())));
                v.muli((float) config.beta2()).addi(g.square().muli((float) (1 - config.beta2())));
                NDArray denominator = scoped(scratch, v.sqrt()).divi(secondCorrection).addi((float) config.epsilon());
                p.subi(scoped(scratch, m.div(denominator)).muli(stepSize));
            });
            return new StepResult(true, norm, clipped, step);
        }
    }

    /**
     * The L2 norm of all gradients taken together, as clip_grad_norm_ reports it; one read to the host. Summed in
     * float32 like the gradients, so a norm beyond ~1e19 overflows to infinity and the step is skipped as well.
     */
    private static double globalNorm(Collection<NDArray> gradients) {
        NDList norms = new NDList(gradients.size());
        for (NDArray g : gradients) {
            norms.add(g.toType(DataType.FLOAT32, false).square().sum());
        }
        return Math.sqrt(NDArrays.stack(norms).sum().getFloat());
    }

    /**
     * Copies of the optimizer state, attached to {@code target}: "m/NAME" and "v/NAME" per parameter and
     * {@link #STEP_KEY} (an int64 scalar). What a checkpoint saves next to the weights.
     */
    public Map<String, NDArray> exportState(NDManager target) {
        Map<String, NDArray> state = new LinkedHashMap<>();
        state.put(STEP_KEY, target.create(step));
        firstMoments.forEach((name, m) -> state.put("m/" + name, copyTo(target, m)));
        secondMoments.forEach((name, v) -> state.put("v/" + name, copyTo(target, v)));
        return state;
    }

    /** Restores state written by {@link #exportState}; every key must be present with the parameter's shape. */
    public void importState(Map<String, NDArray> state) {
        NDArray stepArray = state.get(STEP_KEY);
        if (stepArray == null || stepArray.size() != 1) {
            throw new IllegalArgumentException("optimizer state lacks a scalar '" + STEP_KEY + "'");
        }
        List<String> problems = new ArrayList<>();
        parameters.forEach((name, p) -> {
            for (String key : List.of("m/" + name, "v/" + name)) {
                NDArray value = state.get(key);
                if (value == null) {
                    problems.add(key + " missing");
                } else if (!value.getShape().equals(p.getShape())) {
                    problems.add(key + " has shape " + value.getShape() + ", parameter has " + p.getShape());
                }
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("optimizer state does not fit the parameters: " + problems);
        }
        parameters.forEach((name, p) -> {
            replace(firstMoments, name, state.get("m/" + name), p);
            replace(secondMoments, name, state.get("v/" + name), p);
        });
        step = stepArray.toType(DataType.INT64, false).getLong();
    }

    private void replace(Map<String, NDArray> moments, String name, NDArray source, NDArray parameter) {
        // a real clone: on the same device and type DJL's toDevice(device, copy=true) returns an alias of the
        // source's storage, and a source read from a checkpoint lives in a direct buffer freed with the source
        NDArray moved = source.toDevice(parameter.getDevice(), false).toType(parameter.getDataType(), false);
        NDArray copy = moved.duplicate();
        if (moved != source) {
            moved.close();
        }
        copy.attach(stateManager);
        moments.put(name, copy).close();
    }

    private static NDArray copyTo(NDManager target, NDArray source) {
        NDArray copy = source.duplicate();
        copy.attach(target);
        return copy;
    }

    /**
     * Sets the gradients of {@code parameters} to zero in place (NaN and infinities included), as
     * {@code optimizer.zero_grad(set_to_none=False)} does; DJL's PyTorch gradient collector never does it.
     */
    public static void zeroGradients(Collection<NDArray> parameters) {
        for (NDArray p : parameters) {
            if (p.hasGradient()) {
                // the gradient handle and the scalar that set() creates would otherwise stay in p's manager
                try (NDManager scratch = p.getManager().newSubManager()) {
                    scoped(scratch, p.getGradient()).set(EVERYTHING, 0f);
                }
            }
        }
    }

    /** {@link #zeroGradients(Collection)} over this optimizer's parameters. */
    public void zeroGradients() {
        zeroGradients(parameters.values());
    }

    /** Frees the moments; the parameters belong to the caller and stay. */
    @Override
    public void close() {
        stateManager.close();
    }

    /** Moves a freshly made array, which PyTorch attached to its first operand's manager, into {@code scope}. */
    private static NDArray scoped(NDManager scope, NDArray array) {
        array.attach(scope);
        return array;
    }
}
