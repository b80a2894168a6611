package io.tpostream.trainer.tpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One TPO golden vector file (computed with PyTorch autograd in float64, see the method note §6), read as a JSON
 * tree: nested arrays become flat values plus a shape. {@link TpoGoldenCheck} compares {@link TpoLoss} with it.
 */
public record GoldenVector(String name, JsonNode root) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static GoldenVector read(Path file) throws IOException {
        return new GoldenVector(file.getFileName().toString(), JSON.readTree(file.toFile()));
    }

    public double number(String path) {
        JsonNode node = node(path);
        if (!node.isNumber()) {
            throw new IllegalStateException(name + ": " + path + " is not a number");
        }
        return node.asDouble();
    }

    /** A float32 array of the nested JSON array at the dotted path. */
    public NDArray floats(NDManager manager, String path) {
        Flat flat = flatten(path);
        float[] values = new float[flat.values.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) flat.values.get(i).doubleValue();
        }
        return manager.create(values, flat.shape);
    }

    /** An int32 array (labels), so the loss's own conversion to int64 is exercised. */
    public NDArray ints(NDManager manager, String path) {
        Flat flat = flatten(path);
        int[] values = new int[flat.values.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.toIntExact(Math.round(flat.values.get(i)));
        }
        return manager.create(values, flat.shape);
    }

    /** The expected values at the dotted path, flattened in row-major order. */
    public double[] expected(String path) {
        return flatten(path).values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public Shape shape(String path) {
        return flatten(path).shape;
    }

    private record Flat(List<Double> values, Shape shape) {
    }

    private Flat flatten(String path) {
        JsonNode node = node(path);
        List<Long> dims = new ArrayList<>();
        for (JsonNode n = node; n.isArray(); n = n.get(0)) {
            dims.add((long) n.size());
        }
        List<Double> values = new ArrayList<>();
        collect(node, 0, dims, values, path);
        return new Flat(values, new Shape(dims.stream().mapToLong(Long::longValue).toArray()));
    }

    private void collect(JsonNode node, int depth, List<Long> dims, List<Double> out, String path) {
        if (depth == dims.size()) {
            if (!node.isNumber()) {
                throw new IllegalStateException(name + ": " + path + " holds a non-number " + node);
            }
            out.add(node.asDouble());
            return;
        }
        if (!node.isArray() || node.size() != dims.get(depth)) {
            throw new IllegalStateException(name + ": " + path + " is ragged at depth " + depth);
        }
        for (JsonNode child : node) {
            collect(child, depth + 1, dims, out, path);
        }
    }

    private JsonNode node(String path) {
        JsonNode node = root;
        for (String key : path.split("\\.")) {
            node = node.get(key);
            if (node == null) {
                throw new IllegalStateException(name + ": missing key " + path);
            }
        }
        return node;
    }
}
