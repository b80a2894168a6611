package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. Written with sorted names and no timestamps, so
 * the same weights always give the same bytes (and the same artifact hash).
 */
public final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** A whole safetensors file: tensors by name (in file order) and the free-form metadata. */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {
    }

    /** One tensor's entry in a header: stored type, shape and byte range within the data section. */
    public record TensorInfo(String name, DataType storedType, Shape shape, long start, long end) {
        public long bytes() {
            return end - start;
        }
    }

    /** A file's header: tensor entries in data order, and the free-form metadata. */
    public record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    }

    /** Receives each tensor as it is read; it owns the array (close it when done to keep memory at one tensor). */
    @FunctionalInterface
    public interface TensorSink {
        void accept(String name, NDArray tensor) throws IOException;
    }

    public static void write(OutputStream out, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        write(out, tensors, metadata, null);
    }

    /**
     * Writes the tensors sorted by name.
     *
     * @param storeAs null to store each tensor in its own type; FLOAT16 or BFLOAT16 to narrow floating-point
     *                tensors on the way out (one tensor at a time, so a large model is never copied whole);
     *                bfloat16 is rounded in Java, since the engine cannot hold bfloat16
     */
    public static void write(OutputStream out, Map<String, NDArray> tensors, Map<String, String> metadata,
                             DataType storeAs) throws IOException {
        Map<String, NDArray> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (var e : sorted.entrySet()) {
            NDArray a = e.getValue();
            DataType stored = storedType(a.getDataType(), storeAs);
            long bytes = a.getShape().size() * stored.getNumOfBytes();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dtypeName(stored, e.getKey()));
            ArrayNode shape = t.putArray("shape");
            for (long dim : a.getShape().getShape()) {
                shape.add(dim);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // keeps the data 8-byte aligned, as the reference writer does
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(length.array());
        out.write(json);
        for (int i = json.length; i < padded; i++) {
            out.write(' ');
        }
        for (NDArray a : sorted.values()) {
            out.write(storedBytes(a, storedType(a.getDataType(), storeAs)));
        }
    }

    private static DataType storedType(DataType own, DataType storeAs) {
        return storeAs == null || !own.isFloating() ? own : storeAs;
    }

    private static byte[] storedBytes(NDArray a, DataType stored) {
        if (stored == DataType.BFLOAT16 && a.getDataType() != DataType.BFLOAT16) {
            return Bfloat16.fromFloats(a.toType(DataType.FLOAT32, false).toFloatArray());
        }
        NDArray converted = stored == a.getDataType() ? a : a.toType(stored, false);
        try {
            ByteBuffer data = converted.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            return chunk;
        } finally {
            if (converted != a) {
                converted.close();
            }
        }
    }

    public static byte[] toBytes(Map<String, NDArray> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, tensors, metadata);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    public static Contents read(Path file, NDManager manager) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, manager, file.toString());
        }
    }

    /**
     * Reads every tensor into {@code manager}. F32, F16, F64, I64 and I32 tensors keep their type; BF16 tensors are
     * widened to F32 exactly (see {@link Bfloat16}).
     *
     * @throws IOException with the source named, for a truncated file or a malformed header
     */
    public static Contents read(InputStream in, NDManager manager, String source) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = stream(in, manager, source, tensors::put);
        return new Contents(tensors, metadata);
    }

    /** The header alone: names, types, shapes and sizes, without reading any tensor data. */
    public static Header readHeader(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readHeader(in, file.toString());
        }
    }

    /** Reads the 8-byte length and the header, leaving {@code in} at the start of the data section. */
    public static Header readHeader(InputStream in, String source) throws IOException {
        byte[] lengthBytes = in.readNBytes(8);
        if (lengthBytes.length < 8) {
            throw new IOException(source + ": not a safetensors file (shorter than its 8-byte header length)");
        }
        long headerLength = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength <= 0 || headerLength > MAX_HEADER) {
            throw new IOException(source + ": not a safetensors file (header length " + headerLength + ")");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new IOException(source + ": truncated safetensors header");
        }
        JsonNode header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8).trim());
        Map<String, String> metadata = new LinkedHashMap<>();
        TreeMap<Long, TensorInfo> byOffset = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                field.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String name = field.getKey();
            JsonNode t = field.getValue();
            long start = t.get("data_offsets").get(0).asLong();
            long end = t.get("data_offsets").get(1).asLong();
            DataType type = dataType(t.get("dtype").asText(), name, source);
            long[] dims = new long[t.get("shape").size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = t.get("shape").get(i).asLong();
            }
            Shape shape = new Shape(dims);
            if (end - start != shape.size() * type.getNumOfBytes()) {
                throw new IOException(source + ": tensor '" + name + "' has inconsistent offsets " + start + ".." + end
                        + " for shape " + shape + " " + type);
            }
            byOffset.put(start, new TensorInfo(name, type, shape, start, end));
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        long position = 0;
        for (TensorInfo info : byOffset.values()) {
            if (info.start() < position) {
                throw new IOException(source + ": tensor '" + info.name() + "' overlaps the tensor before it");
            }
            position = info.end();
            tensors.put(info.name(), info);
        }
        return new Header(tensors, metadata);
    }

    /**
     * Reads tensors one at a time, in data order, handing each to {@code sink}; returns the metadata. BF16 is
     * widened to F32 in Java (DJL 0.36's PyTorch engine aborts the JVM on any bfloat16 tensor).
     */
    public static Map<String, String> stream(InputStream in, NDManager manager, String source, TensorSink sink)
            throws IOException {
        Header header = readHeader(in, source);
        long position = 0;
        for (TensorInfo info : header.tensors().values()) {
            in.skipNBytes(info.start() - position);
            byte[] data = in.readNBytes(Math.toIntExact(info.bytes()));
            if (data.length < info.bytes()) {
                throw new IOException(source + ": truncated data for tensor '" + info.name() + "'");
            }
            position = info.end();
            sink.accept(info.name(), toArray(data, info, manager));
        }
        return header.metadata();
    }

    private static NDArray toArray(byte[] data, TensorInfo info, NDManager manager) {
        if (info.storedType() == DataType.BFLOAT16) {
            return manager.create(Bfloat16.toFloats(data), info.shape());
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(data.length).order(ByteOrder.nativeOrder());
        buffer.put(data).flip();
        return manager.create(buffer, info.shape(), info.storedType());
    }

    private static String dtypeName(DataType type, String name) {
        return switch (type) {
            case FLOAT32 -> "F32";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case FLOAT64 -> "F64";
            default -> throw new IllegalArgumentException("tensor '" + name + "' has type " + type
                    + ", which this writer does not store");
        };
    }

    private static DataType dataType(String name, String tensor, String source) throws IOException {
        return switch (name) {
            case "F32" -> DataType.FLOAT32;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "F64" -> DataType.FLOAT64;
            default -> throw new IOException(source + ": tensor '" + tensor + "' has dtype " + name
                    + ", supported are F32, F16, BF16, F64, I64, I32");
        };
    }
}
