#!/usr/bin/python3
"""Reference fixture for LoraAdapters: a tiny Llama base model, a PEFT-format LoRA adapter, and the adapted logits.

Writes redstar-train/src/test/resources/lora/llama_lora/:
  base/config.json + base/model.safetensors     the base model (redstar-core's hf_reference.py builds and runs it)
  adapter/adapter_config.json                   as peft 0.21.0's LoraConfig.save_pretrained writes it
  adapter/adapter_model.safetensors             PEFT's checkpoint names (base_model.model.<module>.lora_{A,B}.weight,
                                                no adapter name), metadata {"format": "pt"}
  parity.safetensors                            input ids, positions, segments, expected adapted logits

The adapted forward is PEFT's lora.Linear.forward: result = base(x) + lora_B(lora_A(dropout(x))) * scaling with
scaling = lora_alpha / r, dropout off (inference). It is added to every targeted projection inside
hf_reference.forward by replacing that module's linear(). B is random (not PEFT's zero init) so the adapter matters.

Needs only torch (Debian's /usr/bin/python3 has torch 1.13). Run from the repository root:
    /usr/bin/python3 redstar-train/src/test/python/lora_reference.py
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "redstar-core", "src", "test", "python"))
import hf_reference as ref  # noqa: E402

OUT = os.path.join(HERE, "..", "resources", "lora", "llama_lora")

BASE = dict(ref.LLAMA)  # head_dim 16 x 4 heads = 64 != hidden 48, so o_proj's A is [r, 64]
RANK = 4
ALPHA = 12  # scaling 3
TARGETS = ["q_proj", "k_proj", "o_proj", "up_proj", "down_proj"]


def adapter_config():
    # peft 0.21.0: LoraConfig(...).to_dict() with inference_mode=True, as PeftModel.save_pretrained writes it
    return {
        "alora_invocation_tokens": None, "alpha_pattern": {}, "arrow_config": None, "auto_mapping": None,
        "base_model_name_or_path": "tiny-llama", "bias": "none", "corda_config": None,
        "ensure_weight_tying": False, "eva_config": None, "exclude_modules": None, "fan_in_fan_out": False,
        "inference_mode": True, "init_lora_weights": True, "kasa_config": None, "layer_replication": None,
        "layers_pattern": None, "layers_to_transform": None, "loftq_config": {}, "lora_alpha": ALPHA,
        "lora_bias": False, "lora_dropout": 0.1, "lora_ga_config": None, "megatron_config": None,
        "megatron_core": "megatron.core", "modules_to_save": None, "monteclora_config": None, "peft_type": "LORA",
        "peft_version": "0.21.0", "qalora_group_size": 16, "r": RANK, "rank_pattern": {}, "revision": None,
        "target_modules": sorted(TARGETS), "target_parameters": None, "task_type": "CAUSAL_LM",
        "trainable_token_indices": None, "use_bdlora": None, "use_dora": False, "use_qalora": False,
        "use_rslora": False, "velora_config": None,
    }


def lora_weights(c, weights, seed):
    g = torch.Generator().manual_seed(seed)
    lora = {}
    for i in range(c["layers"]):
        for block, name in (("self_attn", "q_proj"), ("self_attn", "k_proj"), ("self_attn", "v_proj"),
                            ("self_attn", "o_proj"), ("mlp", "gate_proj"), ("mlp", "up_proj"),
                            ("mlp", "down_proj")):
            if name not in TARGETS:
                continue
            module = "model.layers.%d.%s.%s" % (i, block, name)
            out, inp = weights[module + ".weight"].shape
            bound = 1.0 / inp ** 0.5  # kaiming_uniform_(a=sqrt(5))
            a = (torch.rand(RANK, inp, generator=g) * 2 - 1) * bound
            b = torch.randn(out, RANK, generator=g) * 0.2
            lora["base_model.model." + module + ".lora_A.weight"] = a
            lora["base_model.model." + module + ".lora_B.weight"] = b
    return lora


def main():
    torch.set_grad_enabled(False)
    name, c, seed, ids, positions, segments, docs = ref.case_plain("llama_lora", BASE, 606, b=2, s=9)
    weights = ref.make_weights(c, seed)
    lora = lora_weights(c, weights, seed + 7)
    scaling = ALPHA / RANK

    base_linear = ref.linear

    def adapted_linear(x, w, module):
        y = base_linear(x, w, module)
        key = "base_model.model." + module
        if key + ".lora_A.weight" in lora:
            a = lora[key + ".lora_A.weight"].double()
            b = lora[key + ".lora_B.weight"].double()
            y = y + (x @ a.t() @ b.t()) * scaling
        return y

    ref.linear = adapted_linear
    wide = {k: v.double() for k, v in weights.items()}
    logits = ref.forward(c, wide, ids, positions, segments)
    ref.linear = base_linear
    plain = ref.forward(c, wide, ids, positions, segments)

    os.makedirs(os.path.join(OUT, "base"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "adapter"), exist_ok=True)
    with open(os.path.join(OUT, "base", "config.json"), "w") as f:
        json.dump(ref.config_json(c), f, indent=2, sort_keys=True)
        f.write("\n")
    ref.write_safetensors(os.path.join(OUT, "base", "model.safetensors"), weights)
    with open(os.path.join(OUT, "adapter", "adapter_config.json"), "w") as f:
        f.write(json.dumps(adapter_config(), indent=2, sort_keys=True))
    ref.write_safetensors(os.path.join(OUT, "adapter", "adapter_model.safetensors"), lora)
    ref.write_safetensors(os.path.join(OUT, "parity.safetensors"), {
        "input_ids": ids, "position_ids": positions, "segment_ids": segments,
        "expected_logits": logits.float()})
    print("llama_lora: logits %s, |adapted - base| max %.3f"
          % (tuple(logits.shape), (logits - plain).abs().max().item()))


if __name__ == "__main__":
    main()
