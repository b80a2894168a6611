"""The tiny LLaVA-1.5-shaped model both fixture scripts share: its config, its LLaMA-style tokenizer, its seeded
weights (Hugging Face names) and its inputs, plus a hand-written safetensors writer and reader.

Nothing here needs PyTorch: make_llava_fixture_numpy.py runs the forward pass in NumPy, make_llava_fixture_torch.py
in plain PyTorch modules, make_llava_fixture.py in transformers, and all start from exactly these weights and inputs.

The shapes are chosen to exercise what a real LLaVA-1.5 checkpoint exercises: grouped-query attention
(num_key_value_heads < num_attention_heads), features from hidden_states[-2] (so the tower's last layer and its
post_layernorm are in the file but unused), the image placeholder in the middle of the prompt, a non-default
rms_norm_eps, and a tokenizer built like llava-hf's (BPE with byte fallback, "▁" word prefix, <image> and <pad>
added after the base vocabulary).
"""
import json
import struct

import numpy as np

SEED = 20251126

BASE_VOCAB = (
    ["<unk>", "<s>", "</s>", "<0x0A>", "\u2581"]
    + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    + list("AEINRSTU")
    + [":", ".", "?", ","]
)
MERGES = [
    ("\u2581", "a"),
    ("r", "e"), ("re", "d"), ("\u2581", "red"),
    ("i", "s"), ("\u2581", "is"),
    ("t", "h"), ("th", "e"), ("\u2581", "the"),
    ("U", "S"), ("US", "E"), ("USE", "R"), ("\u2581", "USER"),
]
for a, b in MERGES:
    BASE_VOCAB.append(a + b)
IMAGE_TOKEN = len(BASE_VOCAB)      # added right after the base vocabulary, as llava-hf adds <image> at 32000
PAD_TOKEN = IMAGE_TOKEN + 1
VOCAB_SIZE = 64                    # the model's vocabulary is padded past the tokenizer's, as llava-hf's (32064)

CONFIG = {
    "architectures": ["LlavaForConditionalGeneration"],
    "model_type": "llava",
    "ignore_index": -100,
    "image_token_index": IMAGE_TOKEN,
    "pad_token_id": PAD_TOKEN,
    "projector_hidden_act": "gelu",
    "vision_feature_layer": -2,
    "vision_feature_select_strategy": "default",
    "image_seq_length": 16,
    "tie_word_embeddings": False,
    "torch_dtype": "float32",
    "text_config": {
        "model_type": "llama",
        "vocab_size": VOCAB_SIZE,
        "hidden_size": 48,
        "intermediate_size": 96,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "hidden_act": "silu",
        "max_position_embeddings": 128,
        "rms_norm_eps": 1e-05,
        "rope_theta": 10000.0,
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
    },
    "vision_config": {
        "model_type": "clip_vision_model",
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 3,
        "num_attention_heads": 4,
        "image_size": 16,
        "patch_size": 4,
        "hidden_act": "quick_gelu",
        "layer_norm_eps": 1e-05,
        "projection_dim": 32,
    },
}

# LLaVA-1.5's conversation template; the prompts and responses are picked to encode to equal lengths (no padding)
PROMPTS = ["is the red shape a circle?", "is there a red thing?"]
RESPONSES = ["the red one.", "yes, a red crate."]


def tokenizer_json():
    """A LLaMA-style tokenizer.json (legacy normaliser: prepend "▁", spaces to "▁"; BPE with byte fallback)."""
    def added(i, content):
        return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(0, "<unk>"), added(1, "<s>"), added(2, "</s>"),
                         added(IMAGE_TOKEN, "<image>"), added(PAD_TOKEN, "<pad>")],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "\u2581"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(BASE_VOCAB)},
                  "merges": [a + " " + b for a, b in MERGES]},
    }


def encode(text):
    """This tokenizer's encoding of one piece of text, re-implemented: normalise, characters (bytes when unknown),
    then apply the merges lowest rank first, as the BPE model does."""
    ids = {t: i for i, t in enumerate(BASE_VOCAB)}
    symbols = []
    for ch in "\u2581" + text.replace(" ", "\u2581"):
        if ch in ids:
            symbols.append(ch)
        else:
            symbols.extend("<0x%02X>" % b if "<0x%02X>" % b in ids else "<unk>" for b in ch.encode("utf-8"))
    rank = {pair: r for r, pair in enumerate(MERGES)}
    while True:
        best = min(((rank[(a, b)], i) for i, (a, b) in enumerate(zip(symbols, symbols[1:])) if (a, b) in rank),
                   default=None)
        if best is None:
            return [ids[s] for s in symbols]
        i = best[1]
        symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]


def llava_ids(prompt, response):
    """<s> USER: <image>\\n{prompt} ASSISTANT: {response}</s>, encoded in pieces around <image> as the tokenizer
    splits around added tokens; the image placeholder appears once."""
    return [1] + encode("USER: ") + [IMAGE_TOKEN] + encode("\n" + prompt + " ASSISTANT:") + encode(response) + [2]


def expand_image_token(ids, count):
    """transformers >= 4.48 wants one <image> per image feature in input_ids."""
    out = []
    for t in ids:
        out.extend([t] * count if t == IMAGE_TOKEN else [t])
    return out


def weights():
    """Seeded weights under the classic Hugging Face LLaVA names. Scales keep activations near 1 so the logits
    spread over several units and a wrong operation cannot hide below the tolerance: weights N(0, 1/fan_in),
    norms 1 + N(0, 0.1), biases N(0, 0.1)."""
    rng = np.random.default_rng(SEED)
    v = CONFIG["vision_config"]
    t = CONFIG["text_config"]
    out = {}

    def normal(name, shape, std):
        out[name] = (rng.standard_normal(shape) * std).astype(np.float32)

    def linear(name, n_in, n_out, bias):
        normal(name + ".weight", (n_out, n_in), 1 / np.sqrt(n_in))
        if bias:
            normal(name + ".bias", (n_out,), 0.1)

    def layer_norm(name, size, bias=True):
        out[name + ".weight"] = (1 + rng.standard_normal(size) * 0.1).astype(np.float32)
        if bias:
            normal(name + ".bias", (size,), 0.1)

    d, p = v["hidden_size"], v["patch_size"]
    patches = (v["image_size"] // p) ** 2
    vm = "vision_tower.vision_model."
    normal(vm + "embeddings.class_embedding", (d,), 0.5)
    normal(vm + "embeddings.patch_embedding.weight", (d, 3, p, p), 1 / np.sqrt(3 * p * p))
    normal(vm + "embeddings.position_embedding.weight", (patches + 1, d), 0.5)
    layer_norm(vm + "pre_layrnorm", d)
    for i in range(v["num_hidden_layers"]):
        prefix = vm + "encoder.layers.%d." % i
        for proj in ("k_proj", "v_proj", "q_proj", "out_proj"):
            linear(prefix + "self_attn." + proj, d, d, True)
        layer_norm(prefix + "layer_norm1", d)
        linear(prefix + "mlp.fc1", d, v["intermediate_size"], True)
        linear(prefix + "mlp.fc2", v["intermediate_size"], d, True)
        layer_norm(prefix + "layer_norm2", d)
    layer_norm(vm + "post_layernorm", d)

    h = t["hidden_size"]
    linear("multi_modal_projector.linear_1", d, h, True)
    linear("multi_modal_projector.linear_2", h, h, True)

    head_dim = h // t["num_attention_heads"]
    kv = t["num_key_value_heads"] * head_dim
    normal("language_model.model.embed_tokens.weight", (t["vocab_size"], h), 1.0)
    for i in range(t["num_hidden_layers"]):
        prefix = "language_model.model.layers.%d." % i
        linear(prefix + "self_attn.q_proj", h, h, False)
        linear(prefix + "self_attn.k_proj", h, kv, False)
        linear(prefix + "self_attn.v_proj", h, kv, False)
        linear(prefix + "self_attn.o_proj", h, h, False)
        linear(prefix + "mlp.gate_proj", h, t["intermediate_size"], False)
        linear(prefix + "mlp.up_proj", h, t["intermediate_size"], False)
        linear(prefix + "mlp.down_proj", t["intermediate_size"], h, False)
        layer_norm(prefix + "input_layernorm", h, bias=False)
        layer_norm(prefix + "post_attention_layernorm", h, bias=False)
    layer_norm("language_model.model.norm", h, bias=False)
    normal("language_model.lm_head.weight", (t["vocab_size"], h), 2 / np.sqrt(h))
    return out


def pixel_values(count):
    """Already-normalised images (CLIP's normalisation gives roughly unit-variance channels)."""
    v = CONFIG["vision_config"]
    rng = np.random.default_rng(SEED + 1)
    return rng.standard_normal((count, 3, v["image_size"], v["image_size"])).astype(np.float32)


def current_layout_name(classic):
    """The name transformers >= 4.52 gives a tensor (LlavaModel inside LlavaForConditionalGeneration)."""
    for old, new in (("language_model.model.", "model.language_model."), ("language_model.lm_head.", "lm_head."),
                     ("vision_tower.", "model.vision_tower."), ("multi_modal_projector.", "model.multi_modal_projector.")):
        if classic.startswith(old):
            return new + classic[len(old):]
    raise ValueError(classic)


_DTYPES = {np.dtype("float32"): "F32", np.dtype("float16"): "F16", np.dtype("int64"): "I64"}


def write_safetensors(path, tensors, metadata=None):
    """8-byte little-endian header length, a JSON header (dtype, shape, byte range per tensor), the raw data."""
    header = {"__metadata__": metadata or {"format": "pt"}}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        blob = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _DTYPES[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
    return offset


def read_safetensors(path):
    types = {v: k for k, v in _DTYPES.items()}
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(data[start:end], dtype=types[info["dtype"]].newbyteorder("<")).reshape(info["shape"])
    return out
