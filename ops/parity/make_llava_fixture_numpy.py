#!/usr/bin/env python3
"""Writes the LLaVA parity fixture from an independent NumPy implementation of LlavaForConditionalGeneration's
forward pass (float64 arithmetic, float32 files). Use it where PyTorch is not available; make_llava_fixture.py
writes the same files from transformers itself.

    python3 ops/parity/make_llava_fixture_numpy.py trainer/src/test/resources/parity/llava-tiny

The forward pass, as transformers computes it for LLaVA-1.5:
  CLIP vision tower: Conv2d patch embedding (no bias), class token, learned positions, pre_layrnorm, pre-LN encoder
  layers (attention with biases and out_proj, MLP with quick_gelu), hidden_states[vision_feature_layer] (index 0
  is the pre_layrnorm output), class token dropped under strategy "default".
  Projector (mlp2x_gelu): linear_1, exact erf GELU, linear_2.
  LLaMA: token embeddings with the image features written over the <image> positions, RMSNorm (eps from the
  config), rotary embeddings on q and k (rotate_half pairing i with i + d/2), grouped-query attention (each
  key/value head serves num_heads / num_kv_heads consecutive query heads), causal mask, SwiGLU MLP, final norm,
  lm_head.
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_llava_spec as spec  # noqa: E402

_erf = np.vectorize(math.erf)


def gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def quick_gelu(x):
    return x / (1.0 + np.exp(-1.702 * x))


def silu(x):
    return x / (1.0 + np.exp(-x))


def linear(w, name, x):
    y = x @ w[name + ".weight"].T
    return y + w[name + ".bias"] if name + ".bias" in w else y


def layer_norm(w, name, x, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w[name + ".weight"] + w[name + ".bias"]


def rms_norm(w, name, x, eps):
    return x / np.sqrt((x ** 2).mean(-1, keepdims=True) + eps) * w[name + ".weight"]


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def heads(x, count):
    b, t, _ = x.shape
    return x.reshape(b, t, count, -1).transpose(0, 2, 1, 3)


def merge_heads(x):
    b, h, t, d = x.shape
    return x.transpose(0, 2, 1, 3).reshape(b, t, h * d)


def vision_features(w, pixels, cfg):
    v = cfg["vision_config"]
    p, d = v["patch_size"], v["hidden_size"]
    b, n = pixels.shape[0], v["image_size"] // p
    vm = "vision_tower.vision_model."
    # a stride-p, kernel-p convolution is a matrix product over (channel, row, column) of each patch
    patches = pixels.reshape(b, 3, n, p, n, p).transpose(0, 2, 4, 1, 3, 5).reshape(b, n * n, 3 * p * p)
    x = patches @ w[vm + "embeddings.patch_embedding.weight"].reshape(d, -1).T
    cls = np.broadcast_to(w[vm + "embeddings.class_embedding"], (b, 1, d))
    x = np.concatenate([cls, x], 1) + w[vm + "embeddings.position_embedding.weight"][None]
    x = layer_norm(w, vm + "pre_layrnorm", x, v["layer_norm_eps"])
    hidden_states = [x]
    for i in range(v["num_hidden_layers"]):
        prefix = vm + "encoder.layers.%d." % i
        h = layer_norm(w, prefix + "layer_norm1", x, v["layer_norm_eps"])
        q = heads(linear(w, prefix + "self_attn.q_proj", h), v["num_attention_heads"])
        k = heads(linear(w, prefix + "self_attn.k_proj", h), v["num_attention_heads"])
        val = heads(linear(w, prefix + "self_attn.v_proj", h), v["num_attention_heads"])
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(q.shape[-1])
        x = x + linear(w, prefix + "self_attn.out_proj", merge_heads(softmax(scores) @ val))
        h = layer_norm(w, prefix + "layer_norm2", x, v["layer_norm_eps"])
        act = quick_gelu if v["hidden_act"] == "quick_gelu" else gelu
        x = x + linear(w, prefix + "mlp.fc2", act(linear(w, prefix + "mlp.fc1", h)))
        hidden_states.append(x)
    selected = hidden_states[cfg["vision_feature_layer"]]
    if cfg["vision_feature_select_strategy"] == "default":
        selected = selected[:, 1:]
    return linear(w, "multi_modal_projector.linear_2", gelu(linear(w, "multi_modal_projector.linear_1", selected)))


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], -1)


def language_model(w, embeddings, cfg):
    t = cfg["text_config"]
    b, length, hidden = embeddings.shape
    n_heads, n_kv = t["num_attention_heads"], t["num_key_value_heads"]
    head_dim = hidden // n_heads
    inv_freq = 1.0 / (t["rope_theta"] ** (np.arange(0, head_dim, 2) / head_dim))
    angles = np.arange(length)[:, None] * inv_freq[None]
    cos, sin = np.cos(np.concatenate([angles, angles], -1)), np.sin(np.concatenate([angles, angles], -1))
    causal = np.triu(np.full((length, length), -np.inf), 1)
    x = embeddings
    for i in range(t["num_hidden_layers"]):
        prefix = "language_model.model.layers.%d." % i
        h = rms_norm(w, prefix + "input_layernorm", x, t["rms_norm_eps"])
        q = heads(linear(w, prefix + "self_attn.q_proj", h), n_heads)
        k = heads(linear(w, prefix + "self_attn.k_proj", h), n_kv)
        val = heads(linear(w, prefix + "self_attn.v_proj", h), n_kv)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = np.repeat(k, n_heads // n_kv, axis=1)   # kv head j serves query heads j*g .. j*g+g-1
        val = np.repeat(val, n_heads // n_kv, axis=1)
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head_dim) + causal
        x = x + linear(w, prefix + "self_attn.o_proj", merge_heads(softmax(scores) @ val))
        h = rms_norm(w, prefix + "post_attention_layernorm", x, t["rms_norm_eps"])
        gated = silu(linear(w, prefix + "mlp.gate_proj", h)) * linear(w, prefix + "mlp.up_proj", h)
        x = x + linear(w, prefix + "mlp.down_proj", gated)
    x = rms_norm(w, "language_model.model.norm", x, t["rms_norm_eps"])
    return linear(w, "language_model.lm_head", x)


def logits(w, pixels, input_ids, cfg):
    features = vision_features(w, pixels, cfg)
    embeddings = w["language_model.model.embed_tokens.weight"][input_ids].copy()
    for row in range(input_ids.shape[0]):
        slots = np.nonzero(input_ids[row] == cfg["image_token_index"])[0]
        assert len(slots) == features.shape[1], "one <image> per image feature"
        embeddings[row, slots] = features[row]
    return language_model(w, embeddings, cfg)


def variant(strategy):
    return dict(spec.CONFIG, vision_feature_select_strategy=strategy)


def checked_inputs(forward, name, tolerance=1e-4):
    """The fixture's inputs with the logits of forward(input_ids, pixel_values, strategy), an implementation called
    name, for both feature-selection strategies; exits, writing nothing, if they differ from this reference's by
    more than tolerance. Returns the inputs and the largest difference."""
    pixels = spec.pixel_values(len(spec.PROMPTS))
    texts = [spec.llava_ids(p, r) for p, r in zip(spec.PROMPTS, spec.RESPONSES)]
    assert len({len(t) for t in texts}) == 1, "rows must encode to one length (no padding)"
    weights64 = {k: v.astype(np.float64) for k, v in spec.weights().items()}
    inputs = {"pixel_values": pixels, "text_ids": np.array(texts, dtype=np.int64)}
    gaps = []
    for suffix, strategy in (("", "default"), ("_full", "full")):
        count = spec.CONFIG["image_seq_length"] + (1 if strategy == "full" else 0)
        ids = np.array([spec.expand_image_token(t, count) for t in texts], dtype=np.int64)
        out = np.asarray(forward(ids, pixels, strategy), dtype=np.float32)
        gap = float(np.abs(out - logits(weights64, pixels.astype(np.float64), ids, variant(strategy))).max())
        print("%s: %s vs NumPy reference, max |diff| %.2e" % (strategy, name, gap))
        if gap > tolerance:
            sys.exit("%s and the NumPy reference disagree; no fixture written" % name)
        gaps.append(gap)
        inputs["input_ids" + suffix] = ids
        inputs["logits" + suffix] = out
    return inputs, max(gaps)


def write_fixture(out_dir, inputs, source, write_weights=None):
    """config.json, tokenizer.json and inputs.safetensors, plus the weights (write_weights(out_dir), or this
    module's sharded writer)."""
    os.makedirs(out_dir, exist_ok=True)
    (write_weights or (lambda d: write_model(d, spec.weights())))(out_dir)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(spec.CONFIG, f, indent=2, sort_keys=True)
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(spec.tokenizer_json(), f, indent=1, ensure_ascii=False)
    spec.write_safetensors(os.path.join(out_dir, "inputs.safetensors"), inputs,
                           {"source": source, "prompts": json.dumps(spec.PROMPTS),
                            "responses": json.dumps(spec.RESPONSES)})
    spread = inputs["logits"]
    print("wrote %s: logits %s, std %.3f, max |logit| %.3f" % (out_dir, spread.shape, spread.std(), abs(spread).max()))


def main(out_dir):
    w = {k: v.astype(np.float64) for k, v in spec.weights().items()}
    inputs, _ = checked_inputs(lambda ids, pixels, strategy: logits(w, pixels.astype(np.float64), ids,
                                                                    variant(strategy)), "NumPy")
    write_fixture(out_dir, inputs, "numpy-reference")


def write_model(out_dir, weights32):
    """Two shards and an index, under the names transformers >= 4.52 uses (model.language_model..., lm_head)."""
    shards = {"model-00001-of-00002.safetensors": {}, "model-00002-of-00002.safetensors": {}}
    for name, value in weights32.items():
        shard = "model-00002-of-00002.safetensors" if name.startswith("language_model.") \
            else "model-00001-of-00002.safetensors"
        shards[shard][spec.current_layout_name(name)] = value
    total = 0
    weight_map = {}
    for file, tensors in shards.items():
        total += spec.write_safetensors(os.path.join(out_dir, file), tensors)
        weight_map.update({name: file for name in tensors})
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "trainer/src/test/resources/parity/llava-tiny")
