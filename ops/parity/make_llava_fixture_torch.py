#!/usr/bin/env python3
"""Writes the LLaVA parity fixture from a plain-PyTorch LLaVA-1.5 model: torch.nn modules laid out so that their
state_dict keys are exactly Hugging Face's tensor names, loaded with strict=True (a name or shape this code does not
share with the checkpoint format fails the load), run in float32. Needs only PyTorch (Debian's python3-torch 1.13
works), not transformers; make_llava_fixture.py does the same from transformers itself where it can be installed.

    /usr/bin/python3 ops/parity/make_llava_fixture_torch.py trainer/src/test/resources/parity/llava-tiny

Before writing anything it compares the float32 logits with the independent NumPy reference (float64) and stops
if they differ by more than 1e-4, and it runs the same modules in float64 to show the two references agree to
rounding, so the committed logits are believed by two implementations, not one.
"""
import math
import os
import sys

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_llava_fixture_numpy as reference  # noqa: E402
import tiny_llava_spec as spec  # noqa: E402


def split_heads(x, count):
    b, t, _ = x.shape
    return x.view(b, t, count, -1).transpose(1, 2)


def join_heads(x):
    b, h, t, d = x.shape
    return x.transpose(1, 2).reshape(b, t, h * d)


def attend(q, k, v, mask=None):
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores + mask
    return torch.softmax(scores, -1) @ v


class ClipAttention(nn.Module):
    def __init__(self, d, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.k_proj, self.v_proj, self.q_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x):
        q, k, v = (split_heads(p(x), self.n_heads) for p in (self.q_proj, self.k_proj, self.v_proj))
        return self.out_proj(join_heads(attend(q, k, v)))


class ClipMlp(nn.Module):
    def __init__(self, d, inner, act):
        super().__init__()
        self.fc1, self.fc2, self.act = nn.Linear(d, inner), nn.Linear(inner, d), act

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class ClipLayer(nn.Module):
    def __init__(self, v):
        super().__init__()
        d, eps = v["hidden_size"], v["layer_norm_eps"]
        act = (lambda x: x * torch.sigmoid(1.702 * x)) if v["hidden_act"] == "quick_gelu" else F.gelu
        self.self_attn = ClipAttention(d, v["num_attention_heads"])
        self.layer_norm1 = nn.LayerNorm(d, eps=eps)
        self.mlp = ClipMlp(d, v["intermediate_size"], act)
        self.layer_norm2 = nn.LayerNorm(d, eps=eps)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class ClipEmbeddings(nn.Module):
    def __init__(self, v):
        super().__init__()
        d, p = v["hidden_size"], v["patch_size"]
        self.class_embedding = nn.Parameter(torch.zeros(d))
        self.patch_embedding = nn.Conv2d(3, d, kernel_size=p, stride=p, bias=False)
        self.position_embedding = nn.Embedding((v["image_size"] // p) ** 2 + 1, d)

    def forward(self, pixels):
        patches = self.patch_embedding(pixels).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(pixels.shape[0], 1, -1)
        return torch.cat([cls, patches], 1) + self.position_embedding.weight[None]


class ClipEncoder(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.layers = nn.ModuleList(ClipLayer(v) for _ in range(v["num_hidden_layers"]))


class ClipVisionModel(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.embeddings = ClipEmbeddings(v)
        self.pre_layrnorm = nn.LayerNorm(v["hidden_size"], eps=v["layer_norm_eps"])
        self.encoder = ClipEncoder(v)
        self.post_layernorm = nn.LayerNorm(v["hidden_size"], eps=v["layer_norm_eps"])  # in the file, unused

    def hidden_states(self, pixels):
        x = self.pre_layrnorm(self.embeddings(pixels))
        states = [x]
        for layer in self.encoder.layers:
            x = layer(x)
            states.append(x)
        return states


class VisionTower(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.vision_model = ClipVisionModel(v)


class Projector(nn.Module):
    def __init__(self, d_vision, d_text):
        super().__init__()
        self.linear_1, self.linear_2 = nn.Linear(d_vision, d_text), nn.Linear(d_text, d_text)

    def forward(self, x):
        return self.linear_2(F.gelu(self.linear_1(x)))


class RmsNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(d)), eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class LlamaAttention(nn.Module):
    def __init__(self, t):
        super().__init__()
        h, self.n_heads, self.n_kv = t["hidden_size"], t["num_attention_heads"], t["num_key_value_heads"]
        kv = self.n_kv * (h // self.n_heads)
        self.q_proj, self.k_proj = nn.Linear(h, h, bias=False), nn.Linear(h, kv, bias=False)
        self.v_proj, self.o_proj = nn.Linear(h, kv, bias=False), nn.Linear(h, h, bias=False)

    def forward(self, x, cos, sin, mask):
        q = rotate(split_heads(self.q_proj(x), self.n_heads), cos, sin)
        k = rotate(split_heads(self.k_proj(x), self.n_kv), cos, sin)
        v = split_heads(self.v_proj(x), self.n_kv)
        group = self.n_heads // self.n_kv   # key/value head j serves query heads j*group .. j*group+group-1
        k, v = k.repeat_interleave(group, 1), v.repeat_interleave(group, 1)
        return self.o_proj(join_heads(attend(q, k, v, mask)))


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], -1) * sin


class LlamaMlp(nn.Module):
    def __init__(self, h, inner):
        super().__init__()
        self.gate_proj, self.up_proj = nn.Linear(h, inner, bias=False), nn.Linear(h, inner, bias=False)
        self.down_proj = nn.Linear(inner, h, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaLayer(nn.Module):
    def __init__(self, t):
        super().__init__()
        self.self_attn = LlamaAttention(t)
        self.mlp = LlamaMlp(t["hidden_size"], t["intermediate_size"])
        self.input_layernorm = RmsNorm(t["hidden_size"], t["rms_norm_eps"])
        self.post_attention_layernorm = RmsNorm(t["hidden_size"], t["rms_norm_eps"])

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self, t):
        super().__init__()
        self.embed_tokens = nn.Embedding(t["vocab_size"], t["hidden_size"])
        self.layers = nn.ModuleList(LlamaLayer(t) for _ in range(t["num_hidden_layers"]))
        self.norm = RmsNorm(t["hidden_size"], t["rms_norm_eps"])


class LlamaForCausalLm(nn.Module):
    def __init__(self, t):
        super().__init__()
        self.t = t
        self.model = LlamaModel(t)
        self.lm_head = nn.Linear(t["hidden_size"], t["vocab_size"], bias=False)

    def forward(self, embeddings):
        length, dtype = embeddings.shape[1], embeddings.dtype
        head_dim = self.t["hidden_size"] // self.t["num_attention_heads"]
        inv_freq = 1.0 / (self.t["rope_theta"] ** (torch.arange(0, head_dim, 2, dtype=dtype) / head_dim))
        angles = torch.arange(length, dtype=dtype)[:, None] * inv_freq[None]
        angles = torch.cat([angles, angles], -1)
        mask = torch.full((length, length), float("-inf"), dtype=dtype).triu(1)
        x = embeddings
        for layer in self.model.layers:
            x = layer(x, angles.cos(), angles.sin(), mask)
        return self.lm_head(self.model.norm(x))


class Llava(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.vision_tower = VisionTower(cfg["vision_config"])
        self.multi_modal_projector = Projector(cfg["vision_config"]["hidden_size"], cfg["text_config"]["hidden_size"])
        self.language_model = LlamaForCausalLm(cfg["text_config"])

    def forward(self, input_ids, pixels, strategy):
        selected = self.vision_tower.vision_model.hidden_states(pixels)[self.cfg["vision_feature_layer"]]
        if strategy == "default":
            selected = selected[:, 1:]
        features = self.multi_modal_projector(selected)
        embeddings = self.language_model.model.embed_tokens(input_ids).clone()
        slots = input_ids == self.cfg["image_token_index"]
        assert int(slots.sum()) == features.shape[0] * features.shape[1], "one <image> per image feature"
        embeddings[slots] = features.reshape(-1, features.shape[-1])
        return self.language_model(embeddings)


def build_model():
    model = Llava(spec.CONFIG).eval()
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in spec.weights().items()}, strict=True)
    return model


def main(out_dir):
    model = build_model()

    def forward(ids, pixels, strategy):
        with torch.no_grad():
            out = model(torch.from_numpy(ids), torch.from_numpy(pixels), strategy).numpy()
            # the same modules in float64 must match the float64 NumPy reference to rounding
            out64 = model.double()(torch.from_numpy(ids), torch.from_numpy(pixels).double(), strategy).numpy()
            model.float()
        expected = reference.logits({k: v.astype(np.float64) for k, v in spec.weights().items()},
                                    pixels.astype(np.float64), ids, reference.variant(strategy))
        gap64 = float(np.abs(out64 - expected).max())
        print("%s: PyTorch float64 vs NumPy reference, max |diff| %.2e" % (strategy, gap64))
        if gap64 > 1e-9:
            sys.exit("PyTorch and the NumPy reference compute different functions; no fixture written")
        return out

    inputs, gap = reference.checked_inputs(forward, "PyTorch float32")
    reference.write_fixture(out_dir, inputs, "plain PyTorch %s, float32 (NumPy reference within %.1e)"
                            % (torch.__version__, gap))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "trainer/src/test/resources/parity/llava-tiny")
