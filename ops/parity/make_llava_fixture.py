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
import os
import sys

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
    model = build_model()

    def forward(ids, pixels, strategy):
        with torch.no_grad():
            out = model(input_ids=torch.from_numpy(ids), pixel_values=torch.from_numpy(pixels),
                        attention_mask=torch.ones(ids.shape, dtype=torch.long),
                        vision_feature_select_strategy=strategy)
        return out.logits.float().numpy()

    inputs, _ = reference.checked_inputs(forward, "transformers")
    reference.write_fixture(out_dir, inputs, "transformers-" + transformers.__version__ + " torch-" + torch.__version__,
                            lambda d: model.save_pretrained(d, safe_serialization=True, max_shard_size="200KB"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "trainer/src/test/resources/parity/llava-tiny")
