#!/usr/bin/env python3
"""Writes the LLaVA parity fixture from transformers' own LlavaForConditionalGeneration (developers only, not CI:
it needs PyTorch and transformers >= 4.48, which expands <image> to one token per image feature).

    pip install torch transformers numpy
    python3 ops/parity/make_llava_fixture.py trainer/src/test/resources/parity/llava-tiny

It builds the tiny model of tiny_llava_spec.py, loads the spec's seeded weights into it, runs the forward pass in
float32 (eager and SDPA attention agree to ~1e-7 there) and saves the model with save_pretrained (sharded, so the
index path is exercised), the tokenizer, and the inputs with their logits. It then runs the independent NumPy
reference on the same weights and stops if the two disagree by more than 1e-4, so a fixture never goes out that
only one implementation believes.
"""
import json
import os
import sys

import numpy as np
import torch
import transformers
from transformers import LlavaConfig, LlavaForConditionalGeneration

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_llava_fixture_numpy as reference  # noqa: E402
import tiny_llava_spec as spec  # noqa: E402

NOT_IN_SPEC = ("position_ids", "rotary_emb.inv_freq")  # buffers some versions keep in the state dict


def classic_name(key):
    for new, old in (("model.language_model.", "language_model.model."), ("lm_head.", "language_model.lm_head."),
                     ("model.vision_tower.", "vision_tower."),
                     ("model.multi_modal_projector.", "multi_modal_projector.")):
        if key.startswith(new):
            return old + key[len(new):]
    return key


def build_model():
    cfg = {k: v for k, v in spec.CONFIG.items() if k not in ("architectures", "model_type")}
    model = LlavaForConditionalGeneration(LlavaConfig(**cfg)).eval().float()
    weights = spec.weights()
    state = {key: torch.from_numpy(weights[classic_name(key)].copy())
             for key in model.state_dict() if classic_name(key) in weights}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected, unexpected
    assert all(any(b in m for b in NOT_IN_SPEC) for m in missing), missing
    assert {classic_name(k) for k in state} == set(weights), "every spec tensor has a place in the model"
    return model


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    model = build_model()
    pixels = spec.pixel_values(len(spec.PROMPTS))
    texts = [spec.llava_ids(p, r) for p, r in zip(spec.PROMPTS, spec.RESPONSES)]
    inputs = {"pixel_values": pixels, "text_ids": np.array(texts, dtype=np.int64)}
    weights64 = {k: v.astype(np.float64) for k, v in spec.weights().items()}
    for suffix, strategy in (("", "default"), ("_full", "full")):
        count = spec.CONFIG["image_seq_length"] + (1 if strategy == "full" else 0)
        ids = np.array([spec.expand_image_token(t, count) for t in texts], dtype=np.int64)
        with torch.no_grad():
            out = model(input_ids=torch.from_numpy(ids), pixel_values=torch.from_numpy(pixels),
                        attention_mask=torch.ones(ids.shape, dtype=torch.long),
                        vision_feature_select_strategy=strategy)
        logits = out.logits.float().numpy()
        variant = dict(spec.CONFIG, vision_feature_select_strategy=strategy)
        expected = reference.logits(weights64, pixels.astype(np.float64), ids, variant)
        gap = float(np.abs(logits - expected).max())
        print("%s: transformers vs NumPy reference, max |diff| %.2e" % (strategy, gap))
        if gap > 1e-4:
            sys.exit("the two implementations disagree; no fixture written")
        inputs["input_ids" + suffix] = ids
        inputs["logits" + suffix] = logits
    model.save_pretrained(out_dir, safe_serialization=True, max_shard_size="200KB")
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(spec.tokenizer_json(), f, indent=1, ensure_ascii=False)
    spec.write_safetensors(os.path.join(out_dir, "inputs.safetensors"), inputs,
                           {"source": "transformers-" + transformers.__version__ + " torch-" + torch.__version__,
                            "prompts": json.dumps(spec.PROMPTS), "responses": json.dumps(spec.RESPONSES)})
    print("wrote", out_dir)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "trainer/src/test/resources/parity/llava-tiny")
