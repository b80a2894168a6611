package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL block whose parameters carry Hugging Face names ({@code language_model.model.layers.0.mlp.up_proj.weight}),
 * so checkpoints, safetensors files and LoRA targets all speak the same names as the Python ecosystem.
 *
 * <p>Shapes are declared up front rather than inferred from a first input, and the arrays are created by
 * {@link ParameterInitializer} from a seed, so a model is the same on every machine and engine. The model is
 * single-device and trained by our own optimizer, so forward passes read {@link Parameter#getArray()} directly
 * instead of going through DJL's multi-device {@link ParameterStore}.
 *
 * <p>Memory rule for subclasses: PyTorch-engine results live in the manager of their FIRST operand. An op whose
 * first operand is a parameter would leave its result in the model's manager for ever (one leak per step), so
 * put the data operand first, or {@link #onManagerOf} the result.
 */
public abstract class NamedBlock extends AbstractBlock {

    /** How a parameter starts before any training. */
    public enum Init {
        NORMAL, ONES, ZEROS,
        /** U(-1/√fan_in, 1/√fan_in) for an (out, in) weight: PyTorch's kaiming_uniform_(a=√5), PEFT's lora_A start. */
        KAIMING_UNIFORM
    }

    /** A declared parameter: its shape and how to initialise it. */
    public record Spec(Parameter parameter, Shape shape, Init init) {
    }

    private final Map<String, Spec> specs = new LinkedHashMap<>();
    private final Map<String, NamedBlock> namedChildren = new LinkedHashMap<>();

    protected final Parameter parameter(String name, Init init, long... shape) {
        Parameter.Type type = switch (init) {
            case NORMAL, KAIMING_UNIFORM -> Parameter.Type.WEIGHT;
            case ONES -> Parameter.Type.GAMMA;
            case ZEROS -> Parameter.Type.BIAS;
        };
        Parameter p = addParameter(Parameter.builder().setName(name).setType(type).build());
        specs.put(name, new Spec(p, new Shape(shape), init));
        return p;
    }

    protected final <B extends NamedBlock> B child(String name, B block) {
        namedChildren.put(name, block);
        addChildBlock(name, block);
        return block;
    }

    /** Every parameter below this block, by its dotted Hugging Face name, in declaration order. */
    public final Map<String, Spec> namedSpecs() {
        Map<String, Spec> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    /** Every block below this one by its dotted name (a parameter's name minus its last part), depth first. */
    public final Map<String, NamedBlock> namedBlocks() {
        Map<String, NamedBlock> out = new LinkedHashMap<>();
        namedChildren.forEach((name, block) -> {
            out.put(name, block);
            block.namedBlocks().forEach((below, b) -> out.put(name + "." + below, b));
        });
        return out;
    }

    private void collect(String prefix, Map<String, Spec> out) {
        specs.forEach((name, spec) -> out.put(prefix + name, spec));
        namedChildren.forEach((name, block) -> block.collect(prefix + name + ".", out));
    }

    /** Moves an op result whose first operand was a parameter into the manager of the data it belongs with. */
    protected static NDArray onManagerOf(NDArray data, NDArray result) {
        result.attach(data.getManager());
        return result;
    }

    /**
     * A 0-d array of {@code value} in the manager of {@code data}, to multiply or divide by. DJL's
     * {@code mul(Number)}/{@code div(Number)} close their scalar right after the op, yet autograd keeps it for the
     * backward pass, and its memory is a Java direct buffer: a GC before {@code backward} frees it and silently
     * corrupts the gradient. This scalar lives until the step's manager closes.
     */
    public static NDArray scalarLike(NDArray data, float value) {
        return data.getManager().create(value);
    }

    protected static NDManager managerOf(NDArray data) {
        return data.getManager();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " is called through its typed forward method by its parent");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " declares its shapes explicitly");
    }
}
