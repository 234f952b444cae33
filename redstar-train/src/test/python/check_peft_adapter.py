#!/usr/bin/env python3
"""Checks an adapter folder written by LoraAdapters.savePeft against PEFT's own code and format.

Not part of the build (it needs packages Debian's python lacks). Set up once, offline:
    /usr/bin/python3 -m venv --system-site-packages /tmp/peftvenv
    /tmp/peftvenv/bin/pip install --no-index --find-links /opt/pypi/files safetensors
    /tmp/peftvenv/bin/pip install --no-index --find-links /opt/pypi/files --no-deps peft==0.21.0 transformers \
        "huggingface_hub<2" "tokenizers>=0.23.1,<0.24" packaging regex tqdm httpx httpcore h11 filelock \
        typing_extensions pyyaml fsspec
then
    /tmp/peftvenv/bin/python check_peft_adapter.py ADAPTER_FOLDER BASE_FOLDER [MERGED_FOLDER]

1. adapter_config.json is loaded by peft 0.21.0's real PeftConfig.from_pretrained / LoraConfig (warnings are errors,
   so an unknown or misspelt field fails). peft's package __init__ needs torch >= 2.5 through transformers; with an
   older torch the config modules are loaded alone (they only need dataclasses and torch.nn).
2. adapter_model.safetensors is read with the safetensors library; its names must be exactly those PEFT's
   _remap_adapter_state_dict_for_load maps onto a PeftModelForCausalLM of the base model: for every module whose
   name matches target_modules as peft's check_target_module_exists does (equal, or ending in "." + target),
   base_model.model.<module>.lora_A.weight [r, in] and .lora_B.weight [out, r] (the adapter name "default" removed).
3. With MERGED_FOLDER: every weight equals base + (lora_alpha / r) * B @ A (PEFT's get_delta_weight), others equal.
"""
import importlib.util
import json
import os
import sys
import types
import warnings

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def peft_config_classes():
    try:
        from peft import LoraConfig, PeftConfig  # noqa: F401
        return PeftConfig, LoraConfig, "peft (full import)"
    except Exception as e:  # noqa: BLE001 - torch < 2.5: load the pure config modules alone
        reason = "%s: %s" % (type(e).__name__, e)
    spec = importlib.util.find_spec("peft")
    root = os.path.dirname(spec.origin)
    for name in [n for n in sys.modules if n == "peft" or n.startswith("peft.")]:
        del sys.modules[name]

    def package(name, path):
        m = types.ModuleType(name)
        m.__path__ = [path]
        sys.modules[name] = m
        return m

    def module(name, file):
        s = importlib.util.spec_from_file_location(name, file)
        m = importlib.util.module_from_spec(s)
        sys.modules[name] = m
        s.loader.exec_module(m)
        return m

    peft = package("peft", root)
    peft.__version__ = importlib.metadata.version("peft")
    utils = package("peft.utils", os.path.join(root, "utils"))
    types_ = module("peft.utils.peft_types", os.path.join(root, "utils", "peft_types.py"))
    utils.PeftType, utils.TaskType, utils.CONFIG_NAME = types_.PeftType, types_.TaskType, "adapter_config.json"
    config = module("peft.config", os.path.join(root, "config.py"))
    package("peft.tuners", os.path.join(root, "tuners"))
    package("peft.tuners.lora", os.path.join(root, "tuners", "lora"))
    lora = module("peft.tuners.lora.config", os.path.join(root, "tuners", "lora", "config.py"))
    mapping = types.ModuleType("peft.mapping")
    mapping.PEFT_TYPE_TO_CONFIG_MAPPING = {types_.PeftType.LORA: lora.LoraConfig}
    sys.modules["peft.mapping"] = mapping
    return config.PeftConfig, lora.LoraConfig, "peft config modules alone (" + reason + ")"


def module_names(config):
    """Linear modules of a transformers Qwen2ForCausalLM / LlamaForCausalLM, as named_modules() lists them."""
    names = []
    for i in range(config["num_hidden_layers"]):
        for block, proj in (("self_attn", "q_proj"), ("self_attn", "k_proj"), ("self_attn", "v_proj"),
                            ("self_attn", "o_proj"), ("mlp", "gate_proj"), ("mlp", "up_proj"), ("mlp", "down_proj")):
            names.append("model.layers.%d.%s.%s" % (i, block, proj))
    return names + ["lm_head"]


def matches(key, targets):
    # peft.tuners.tuners_utils.check_target_module_exists for a list of names
    return key in targets or any(key.endswith("." + t) for t in targets)


def main(adapter, base, merged=None):
    PeftConfig, LoraConfig, how = peft_config_classes()
    print("config classes:", how)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config = PeftConfig.from_pretrained(adapter)
    assert isinstance(config, LoraConfig), type(config)
    targets = config.target_modules
    if targets == "all-linear":
        targets = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    print("LoraConfig: r=%s lora_alpha=%s lora_dropout=%s target_modules=%s task_type=%s inference_mode=%s"
          % (config.r, config.lora_alpha, config.lora_dropout, sorted(targets), config.task_type,
             config.inference_mode))
    assert config.peft_type == "LORA" and config.task_type == "CAUSAL_LM"
    assert not config.use_dora and not config.use_rslora and config.bias == "none" and not config.fan_in_fan_out

    with open(os.path.join(base, "config.json")) as f:
        model_config = json.load(f)
    base_weights = load_file(os.path.join(base, "model.safetensors"))
    weights_file = os.path.join(adapter, "adapter_model.safetensors")
    with safe_open(weights_file, framework="np") as f:
        assert f.metadata() == {"format": "pt"}, f.metadata()
    lora = load_file(weights_file)
    expected = {}
    for name in module_names(model_config):
        if matches(name, targets):
            out, inp = base_weights[name + ".weight"].shape
            # model state_dict key ...lora_A.default.weight -> checkpoint key without the adapter name
            expected["base_model.model." + name + ".lora_A.weight"] = (config.r, inp)
            expected["base_model.model." + name + ".lora_B.weight"] = (out, config.r)
    assert set(lora) == set(expected), (sorted(set(lora) ^ set(expected)))
    for name, shape in expected.items():
        assert lora[name].shape == shape and lora[name].dtype == np.float32, (name, lora[name].shape, shape)
    print("adapter_model.safetensors: %d tensors, names and shapes as PEFT loads them" % len(lora))

    if merged:
        merged_weights = load_file(os.path.join(merged, "model.safetensors"))
        assert set(merged_weights) == set(base_weights)
        scaling = config.lora_alpha / config.r
        worst = 0.0
        for name, w in base_weights.items():
            module = name[: -len(".weight")]
            key = "base_model.model." + module + ".lora_A.weight"
            want = w.astype(np.float64)
            if key in lora:
                b = lora["base_model.model." + module + ".lora_B.weight"].astype(np.float64)
                want = want + (b @ lora[key].astype(np.float64)) * scaling
            worst = max(worst, float(np.abs(merged_weights[name] - want).max()))
        assert worst < 1e-5, worst
        print("merged model.safetensors: every weight = base + (alpha/r)·B·A, max |error| %.2e" % worst)
    print("OK")


if __name__ == "__main__":
    main(*sys.argv[1:])
