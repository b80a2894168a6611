package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.List;

/**
 * The chosen and the rejected response of each preference pair packed behind ONE copy of the prefix they share (the
 * image and the prompt), as one decoder row with a block mask:
 * <pre>
 *   [ bos, image patches, prompt | chosen response | rejected response | padding ]      spliced positions
 *     prefix: P_i real positions     its inputs       its inputs
 * </pre>
 * The prefix is right-padded to the batch's widest, so the responses start at the same column in every row; the
 * rejected response follows the chosen one directly, and the row is padded to the batch's longest pair of responses
 * (less padding than a column per response). The prefix attends to itself
 * only (both ways under prefix attention, causally otherwise), which is exactly what it sees in a sequence of its
 * own, as no prefix position ever looks forward at a response. Each response attends to the real prefix positions and
 * causally to itself, and sits at rotary positions P_i, P_i + 1, ... as if it followed the prefix directly: its hidden
 * states are those of the straightforward (prefix + response) sequence, while the prefix's decoder rows are computed
 * once instead of once per response. The last input of each response (its end token) predicts nothing and is left out.
 *
 * <p>Slots: what the objective scores, per side, [pairs, S]. Slot k of pair i predicts response token k (label
 * position {@code responseStart_i + k}); slot 0 is read from the prefix's last position, slot k > 0 from the
 * response's input k - 1. Slots past a response's end are unscored.
 *
 * <p>Host-side and pure: built once per step, shared by the policy's and the reference's passes and by every image
 * variant (clean, corrupted), which have the same layout.
 */
public final class PackedPairs {

    private final int pairs;
    private final int placeholder;
    private final int patches;
    private final int length;
    private final int slots;
    private final long[] textIds;
    private final float[] positions;
    private final float[] additiveMask;
    private final long[] slotRows;
    private final long[] slotLabels;
    private final int[] responseStarts;

    private PackedPairs(int pairs, int placeholder, int patches, int length, int slots, long[] textIds,
                        float[] positions, float[] additiveMask, long[] slotRows, long[] slotLabels,
                        int[] responseStarts) {
        this.pairs = pairs;
        this.placeholder = placeholder;
        this.patches = patches;
        this.length = length;
        this.slots = slots;
        this.textIds = textIds;
        this.positions = positions;
        this.additiveMask = additiveMask;
        this.slotRows = slotRows;
        this.slotLabels = slotLabels;
        this.responseStarts = responseStarts;
    }

    /**
     * @param chosen          each pair's encoded chosen sequence
     * @param rejected        each pair's encoded rejected sequence: the same ids as chosen up to the response
     * @param placeholder     the image placeholder's index (the same in every sequence)
     * @param patches         image features per image
     * @param padId           token for padded slots (never attended to)
     * @param prefixAttention whether the prefix attends to itself both ways (else causally)
     */
    public static PackedPairs of(List<PromptFormat.Encoded> chosen, List<PromptFormat.Encoded> rejected,
                                 int placeholder, int patches, long padId, boolean prefixAttention) {
        int n = chosen.size();
        if (rejected.size() != n || n == 0) {
            throw new IllegalArgumentException(n + " chosen and " + rejected.size() + " rejected sequences");
        }
        int[] starts = new int[n];
        int prefixWidth = 0;
        int responsesWidth = 0;
        int slots = 0;
        for (int i = 0; i < n; i++) {
            starts[i] = sharedResponseStart(chosen.get(i), rejected.get(i), placeholder, i);
            prefixWidth = Math.max(prefixWidth, starts[i] - 1 + patches);
            responsesWidth = Math.max(responsesWidth,
                    chosen.get(i).length() + rejected.get(i).length() - 2 - 2 * starts[i]);
            slots = Math.max(slots, Math.max(chosen.get(i).length(), rejected.get(i).length()) - starts[i]);
        }
        int length = prefixWidth + responsesWidth;
        int textLength = length - patches + 1;
        long[] ids = new long[n * textLength];
        float[] positions = new float[n * length];
        float[] mask = new float[n * length * length];
        long[] rows = new long[2 * n * slots];
        long[] labels = new long[2 * n * slots];
        Arrays.fill(ids, padId);
        Arrays.fill(mask, BLOCKED);
        Arrays.fill(labels, PromptFormat.IGNORE);
        for (int i = 0; i < n; i++) {
            int prefix = starts[i] - 1 + patches;
            long[] head = chosen.get(i).ids();
            System.arraycopy(head, 0, ids, i * textLength, starts[i]);
            int[] inputs = {chosen.get(i).length() - 1 - starts[i], rejected.get(i).length() - 1 - starts[i]};
            int[] segmentStart = {prefixWidth, prefixWidth + inputs[0]};
            for (int p = 0; p < length; p++) {
                positions[i * length + p] = p;
            }
            for (int side = 0; side < 2; side++) {
                long[] seq = (side == 0 ? chosen : rejected).get(i).ids();
                for (int j = 0; j < inputs[side]; j++) {
                    int at = segmentStart[side] + j;
                    ids[i * textLength + at - patches + 1] = seq[starts[i] + j];
                    // the position the token has in its own straightforward sequence
                    positions[i * length + at] = prefix + j;
                }
                int scored = seq.length - starts[i];
                for (int k = 0; k < scored; k++) {
                    int slot = (side * n + i) * slots + k;
                    rows[slot] = k == 0 ? prefix - 1 : segmentStart[side] + k - 1;
                    labels[slot] = seq[starts[i] + k];
                }
            }
            allow(mask, i * length * length, length, prefix, prefixWidth, segmentStart, inputs, prefixAttention);
        }
        return new PackedPairs(n, placeholder, patches, length, slots, ids, positions, mask, rows, labels, starts);
    }

    private static final float BLOCKED = -1e9f;

    /** The allowed (0) entries of one row's additive mask; everything else stays {@link #BLOCKED}. */
    private static void allow(float[] mask, int base, int length, int prefix, int prefixWidth, int[] segmentStart,
                              int[] inputs, boolean prefixAttention) {
        for (int q = 0; q < length; q++) {
            for (int c = 0; c < prefix; c++) {
                // padded prefix rows still see the real prefix, so no softmax row is all -inf
                if (q >= prefixWidth || prefixAttention || c <= q) {
                    mask[base + q * length + c] = 0f;
                }
            }
        }
        for (int side = 0; side < 2; side++) {
            int start = segmentStart[side];
            for (int j = 0; j < inputs[side]; j++) {
                int q = start + j;
                for (int c = start; c <= q; c++) {
                    mask[base + q * length + c] = 0f;
                }
            }
        }
    }

    private static int sharedResponseStart(PromptFormat.Encoded chosen, PromptFormat.Encoded rejected,
                                           int placeholder, int pair) {
        int start = chosen.responseStart();
        if (rejected.responseStart() != start
                || !Arrays.equals(chosen.ids(), 0, start, rejected.ids(), 0, start)) {
            throw new IllegalArgumentException("pair " + pair + ": chosen and rejected do not share their prompt");
        }
        if (start <= placeholder || chosen.length() <= start || rejected.length() <= start) {
            throw new IllegalArgumentException("pair " + pair + ": the response must follow the image and the prompt");
        }
        return start;
    }

    public int pairs() {
        return pairs;
    }

    /** Spliced positions per packed row. */
    public int length() {
        return length;
    }

    /** Scored slots per side and pair. */
    public int slots() {
        return slots;
    }

    public int placeholder() {
        return placeholder;
    }

    /** Label position (in the encoded sequence) of slot 0 of pair {@code pair}: its response start. */
    public int responseStart(int pair) {
        return responseStarts[pair];
    }

    /** The label of each slot of one side, {@link PromptFormat#IGNORE} where unscored: [pairs][slots]. */
    public long[][] slotLabels(boolean chosen) {
        long[][] out = new long[pairs][];
        int base = chosen ? 0 : pairs * slots;
        for (int i = 0; i < pairs; i++) {
            out[i] = Arrays.copyOfRange(slotLabels, base + i * slots, base + (i + 1) * slots);
        }
        return out;
    }

    /**
     * The layout as engine arrays, for {@code variants} image variants stacked (variant v's rows are
     * v * pairs .. (v + 1) * pairs - 1, in the order of the features).
     */
    public Tensors arrays(NDManager manager, int variants, DataType maskType) {
        int textLength = length - patches + 1;
        NDArray ids = manager.create(repeat(textIds, variants), new Shape((long) variants * pairs, textLength));
        NDArray pos = manager.create(repeat(positions, variants), new Shape((long) variants * pairs, length));
        NDArray mask = manager.create(repeat(additiveMask, variants), new Shape((long) variants * pairs, 1, length, length));
        if (maskType != DataType.FLOAT32) {
            mask = mask.toType(maskType, false);
        }
        NDArray[] rows = new NDArray[variants];
        for (int v = 0; v < variants; v++) {
            long[] flat = new long[slotRows.length];
            for (int s = 0; s < flat.length; s++) {
                // the flattened (variants * pairs * length) row of this slot; slot order: side, pair, k
                int pair = (s / slots) % pairs;
                flat[s] = ((long) v * pairs + pair) * length + slotRows[s];
            }
            rows[v] = manager.create(flat, new Shape(2L * pairs, slots));
        }
        long[] gatherable = new long[slotLabels.length];
        boolean[] scored = new boolean[slotLabels.length];
        for (int s = 0; s < gatherable.length; s++) {
            scored[s] = slotLabels[s] != PromptFormat.IGNORE;
            // unscored slots point at token 0 so gathers stay in range; the loss drops them with `where`
            gatherable[s] = scored[s] ? slotLabels[s] : 0;
        }
        return new Tensors(ids, pos, mask, rows, manager.create(gatherable, new Shape(2L * pairs, slots)),
                manager.create(scored, new Shape(2L * pairs, slots)));
    }

    /**
     * The layout's engine arrays. Side-stacked arrays are [2 * pairs, slots]: chosen rows first, then rejected.
     *
     * @param ids       text ids (variants * pairs, length - patches + 1), int64, placeholder at {@link #placeholder()}
     * @param positions rotary positions (variants * pairs, length), float32
     * @param mask      additive (variants * pairs, 1, length, length)
     * @param slotRows  per variant, the slots' rows of the hidden states flattened to (variants * pairs * length, d)
     * @param labels    the slots' labels, 0 where unscored, int64
     * @param scored    boolean, true on scored slots
     */
    public record Tensors(NDArray ids, NDArray positions, NDArray mask, NDArray[] slotRows, NDArray labels,
                          NDArray scored) {
    }

    private static long[] repeat(long[] values, int times) {
        long[] out = new long[values.length * times];
        for (int t = 0; t < times; t++) {
            System.arraycopy(values, 0, out, t * values.length, values.length);
        }
        return out;
    }

    private static float[] repeat(float[] values, int times) {
        float[] out = new float[values.length * times];
        for (int t = 0; t < times; t++) {
            System.arraycopy(values, 0, out, t * values.length, values.length);
        }
        return out;
    }
}
