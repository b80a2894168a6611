package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Everything needed to resume training exactly, in one file: the architecture ({@code config.json}), the
 * tokenizer ({@code tokenizer.json}), the weights ({@code model.safetensors}, Hugging Face names), the optimizer
 * state ({@code optimizer.safetensors}) and the trainer's counters ({@code trainer-state.json}).
 *
 * <p>The zip is written deterministically (fixed entry order and timestamps), so identical weights give an
 * identical file and an identical SHA-256: the artifact store addresses checkpoints by that hash, and a replay
 * audit compares it.
 */
public record Checkpoint(VlmConfig config, byte[] tokenizerJson, Map<String, NDArray> weights,
                         Map<String, NDArray> optimizerState, Map<String, String> trainerState) {

    public static final String FORMAT = "tpo-checkpoint-v1";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT);
    private static final LocalDateTime EPOCH = LocalDateTime.of(1980, 1, 1, 0, 0);

    public void write(OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        entry(zip, "config.json", config.toJson().getBytes(StandardCharsets.UTF_8));
        entry(zip, "tokenizer.json", tokenizerJson);
        entry(zip, "model.safetensors", Safetensors.toBytes(weights, Map.of("format", "pt")));
        if (!optimizerState.isEmpty()) {
            entry(zip, "optimizer.safetensors", Safetensors.toBytes(optimizerState, Map.of()));
        }
        entry(zip, "trainer-state.json", JSON.writeValueAsBytes(new TreeMap<>(trainerState)));
        zip.finish();
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            write(out);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTimeLocal(EPOCH);
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
    }

    public static Checkpoint read(Path file, NDManager manager) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, manager, file.toString());
        }
    }

    /** Reads a checkpoint; its tensors are created in {@code manager}. */
    public static Checkpoint read(InputStream in, NDManager manager, String source) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        for (String required : new String[] {"config.json", "tokenizer.json", "model.safetensors"}) {
            if (!entries.containsKey(required)) {
                throw new IOException(source + " is not a " + FORMAT + " file: it has no " + required);
            }
        }
        VlmConfig config = VlmConfig.fromJson(new String(entries.get("config.json"), StandardCharsets.UTF_8));
        Map<String, NDArray> weights = Safetensors.read(new ByteArrayInputStream(entries.get("model.safetensors")),
                manager, source + "!model.safetensors").tensors();
        Map<String, NDArray> optimizer = entries.containsKey("optimizer.safetensors")
                ? Safetensors.read(new ByteArrayInputStream(entries.get("optimizer.safetensors")), manager,
                        source + "!optimizer.safetensors").tensors()
                : Map.of();
        Map<String, String> state = entries.containsKey("trainer-state.json")
                ? JSON.readValue(entries.get("trainer-state.json"), new TypeReference<Map<String, String>>() { })
                : Map.of();
        return new Checkpoint(config, entries.get("tokenizer.json"), weights, optimizer, state);
    }
}
