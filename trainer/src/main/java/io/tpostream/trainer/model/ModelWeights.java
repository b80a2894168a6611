package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The named parameter arrays of a {@link VisionLanguageModel}: creating them from a seed, reading them out, and
 * copying values in by name with checks that name the first missing or mis-shaped tensor.
 */
public final class ModelWeights {

    /** Standard deviation of the normal initialisation, as Hugging Face's LLaMA and CLIP configs use. */
    public static final double INIT_STD = 0.02;

    private ModelWeights() {
    }

    /**
     * Creates every parameter array in {@code manager} from {@code seed}: normal(0, 0.02) weights, unit norms,
     * zero biases. Each tensor's values depend only on the seed and its name, never on the engine or the order
     * of creation, so a model is identical on every machine.
     */
    public static void initialize(NamedBlock model, NDManager manager, long seed) {
        initialize(model, manager, seed, name -> true);
    }

    /** As {@link #initialize(NamedBlock, NDManager, long)}, for the parameters whose names {@code which} accepts. */
    public static void initialize(NamedBlock model, NDManager manager, long seed, Predicate<String> which) {
        model.namedSpecs().forEach((name, spec) -> {
            if (!which.test(name)) {
                return;
            }
            Shape shape = spec.shape();
            int count = Math.toIntExact(shape.size());
            NDArray array = switch (spec.init()) {
                case ONES -> manager.ones(shape, DataType.FLOAT32);
                case ZEROS -> manager.zeros(shape, DataType.FLOAT32);
                case NORMAL -> manager.create(gaussian(seed, name, count, INIT_STD), shape);
                case KAIMING_UNIFORM -> manager.create(uniform(seed, name, count, 1 / Math.sqrt(shape.get(1))), shape);
            };
            Parameter p = spec.parameter();
            if (p.isInitialized()) {
                copyValue(p.getArray(), array);
                array.close();
            } else {
                p.setArray(array);
            }
        });
    }

    static float[] gaussian(long seed, String name, int count, double std) {
        SplittableRandom random = random(seed, name);
        float[] out = new float[count];
        for (int i = 0; i < count; i += 2) {
            // Box–Muller: two independent normals from two uniforms, in a fixed documented order
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1)) * std;
            out[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < count) {
                out[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
        return out;
    }

    /** Uniform in [-bound, bound), seeded like {@link #gaussian}. */
    static float[] uniform(long seed, String name, int count, double bound) {
        SplittableRandom random = random(seed, name);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        return out;
    }

    private static SplittableRandom random(long seed, String name) {
        long nameHash = 1125899906842597L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            nameHash = 31 * nameHash + b;
        }
        return new SplittableRandom(seed ^ (nameHash * 0x9E3779B97F4A7C15L));
    }

    /** Creates every parameter array as zeros: the cheap start for weights that are copied in right after. */
    public static void allocate(NamedBlock model, NDManager manager) {
        allocate(model, manager, DataType.FLOAT32);
    }

    /** As {@link #allocate(NamedBlock, NDManager)} in {@code type}: FLOAT16 halves an inference-only model. */
    public static void allocate(NamedBlock model, NDManager manager, DataType type) {
        model.namedSpecs().forEach((name, spec) -> spec.parameter().setArray(manager.zeros(spec.shape(), type)));
    }

    /** The live parameter arrays by name (not copies). */
    public static Map<String, NDArray> arrays(NamedBlock model) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        model.namedSpecs().forEach((name, spec) -> out.put(name, spec.parameter().getArray()));
        return out;
    }

    /**
     * Copies {@code source} values into the model's arrays in place (array identity is kept, so an optimizer or a
     * gradient collector holding them stays valid). Every model tensor must be present with the right shape;
     * tensors under {@code ignoredPrefixes} may be present and are skipped; anything else extra is an error, since
     * it means the file is for a different architecture.
     */
    public static void copyInto(NamedBlock model, Map<String, NDArray> source, List<String> ignoredPrefixes) {
        copyInto(model, source, ignoredPrefixes, name -> false);
    }

    /**
     * As {@link #copyInto(NamedBlock, Map, List)}, where tensors that {@code optional} accepts may be absent from
     * {@code source} and then keep their current values (e.g. fresh LoRA adapters on base weights).
     */
    public static void copyInto(NamedBlock model, Map<String, NDArray> source, List<String> ignoredPrefixes,
                                Predicate<String> optional) {
        Map<String, NamedBlock.Spec> specs = model.namedSpecs();
        for (var entry : specs.entrySet()) {
            NDArray value = source.get(entry.getKey());
            if (value == null && optional.test(entry.getKey())) {
                continue;
            }
            if (value == null) {
                throw new IllegalArgumentException("checkpoint has no tensor '" + entry.getKey() + "' (shape "
                        + entry.getValue().shape() + ") that this architecture needs");
            }
            if (!value.getShape().equals(entry.getValue().shape())) {
                throw new IllegalArgumentException("tensor '" + entry.getKey() + "' has shape " + value.getShape()
                        + " but this architecture needs " + entry.getValue().shape());
            }
        }
        for (String name : source.keySet()) {
            if (!specs.containsKey(name) && ignoredPrefixes.stream().noneMatch(name::startsWith)) {
                throw new IllegalArgumentException("checkpoint has a tensor '" + name
                        + "' this architecture does not have: is the config right for these weights?");
            }
        }
        specs.forEach((name, spec) -> {
            NDArray value = source.get(name);
            if (value != null) {
                copyValue(spec.parameter().getArray(), value);
            }
        });
    }

    /** Overwrites {@code target} in place with {@code value}, converting the type if they differ. */
    static void copyValue(NDArray target, NDArray value) {
        NDArray converted = value.getDataType() == target.getDataType() ? value : value.toType(target.getDataType(), false);
        target.set(converted.toByteBuffer());
        if (converted != value) {
            converted.close();
        }
    }

    public static long parameterCount(NamedBlock model) {
        return model.namedSpecs().values().stream().mapToLong(s -> s.shape().size()).sum();
    }
}
