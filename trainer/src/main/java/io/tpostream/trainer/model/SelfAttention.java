package io.tpostream.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Multi-head self-attention in the two flavours the model needs: CLIP's (biases, no rotary, out_proj) and
 * LLaMA's (no biases, rotary positions, o_proj, optional grouped-query attention).
 */
public final class SelfAttention extends NamedBlock {

    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final Dense q;
    private final Dense k;
    private final Dense v;
    private final Dense o;

    private SelfAttention(int hidden, int heads, int kvHeads, boolean bias, String outName) {
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = hidden / heads;
        this.q = child("q_proj", new Dense(hidden, heads * headDim, bias));
        this.k = child("k_proj", new Dense(hidden, kvHeads * headDim, bias));
        this.v = child("v_proj", new Dense(hidden, kvHeads * headDim, bias));
        this.o = child(outName, new Dense(heads * headDim, hidden, bias));
    }

    public static SelfAttention clip(int hidden, int heads) {
        return new SelfAttention(hidden, heads, heads, true, "out_proj");
    }

    public static SelfAttention llama(int hidden, int heads, int kvHeads) {
        return new SelfAttention(hidden, heads, kvHeads, false, "o_proj");
    }

    /**
     * @param x    (batch, length, hidden)
     * @param mask additive (1 or batch, 1, length, length), or null for full attention
     * @param cos  rotary table (length, headDim), or null for no rotary positions
     */
    public NDArray forward(NDArray x, NDArray mask, NDArray cos, NDArray sin) {
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        NDList qkv = Dense.forwardStacked(x, q, k, v);
        NDArray queries = split(qkv.get(0), batch, length, heads);
        NDArray keys = split(qkv.get(1), batch, length, kvHeads);
        NDArray values = split(qkv.get(2), batch, length, kvHeads);
        if (cos != null) {
            queries = RotaryEmbedding.apply(queries, cos, sin);
            keys = RotaryEmbedding.apply(keys, cos, sin);
        }
        if (kvHeads != heads) {
            keys = keys.repeat(1, heads / kvHeads);
            values = values.repeat(1, heads / kvHeads);
        }
        NDArray raw = queries.matMul(keys.transpose(0, 1, 3, 2));
        NDArray scores = raw.div(scalarLike(raw, (float) Math.sqrt(headDim)));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray weights = scores.getDataType() == DataType.FLOAT32 ? scores.softmax(-1)
                : scores.toType(DataType.FLOAT32, false).softmax(-1).toType(scores.getDataType(), false);
        NDArray context = weights.matMul(values)
                .transpose(0, 2, 1, 3).reshape(batch, length, (long) heads * headDim);
        return o.forward(context);
    }

    private NDArray split(NDArray projected, long batch, long length, int headCount) {
        return projected.reshape(batch, length, headCount, headDim).transpose(0, 2, 1, 3);
    }
}
