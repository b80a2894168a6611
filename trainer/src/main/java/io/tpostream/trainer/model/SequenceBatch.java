package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.List;

/**
 * Encoded sequences right-padded to one length: ids with the pad token, labels with {@link PromptFormat#IGNORE},
 * and each row's prompt length (the prefix that prefix attention treats as one block).
 */
public record SequenceBatch(long[][] ids, long[][] labels, int[] prefixLengths) {

    public static SequenceBatch pad(List<PromptFormat.Encoded> sequences, long padId) {
        return pad(sequences, padId, sequences.stream().mapToInt(PromptFormat.Encoded::length).max().orElse(0));
    }

    public static SequenceBatch pad(List<PromptFormat.Encoded> sequences, long padId, int length) {
        long[][] ids = new long[sequences.size()][];
        long[][] labels = new long[sequences.size()][];
        int[] prefixes = new int[sequences.size()];
        for (int i = 0; i < ids.length; i++) {
            PromptFormat.Encoded e = sequences.get(i);
            if (e.length() > length) {
                throw new IllegalArgumentException("sequence of " + e.length() + " tokens does not fit in " + length);
            }
            ids[i] = Arrays.copyOf(e.ids(), length);
            Arrays.fill(ids[i], e.length(), length, padId);
            labels[i] = Arrays.copyOf(e.labels(), length);
            Arrays.fill(labels[i], e.length(), length, PromptFormat.IGNORE);
            prefixes[i] = e.responseStart();
        }
        return new SequenceBatch(ids, labels, prefixes);
    }

    /** The prefix lengths of these rows repeated {@code times}, for a batch stacked that many times. */
    public int[] prefixLengthsRepeated(int times) {
        int[] out = new int[prefixLengths.length * times];
        for (int t = 0; t < times; t++) {
            System.arraycopy(prefixLengths, 0, out, t * prefixLengths.length, prefixLengths.length);
        }
        return out;
    }

    public int rows() {
        return ids.length;
    }

    public int length() {
        return ids.length == 0 ? 0 : ids[0].length;
    }

    public NDArray idsArray(NDManager manager) {
        return manager.create(flatten(ids), new Shape(rows(), length()));
    }

    public NDArray labelsArray(NDManager manager) {
        return manager.create(flatten(labels), new Shape(rows(), length()));
    }

    private static long[] flatten(long[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        long[] out = new long[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * width, width);
        }
        return out;
    }
}
