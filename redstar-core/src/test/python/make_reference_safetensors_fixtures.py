#!/usr/bin/python3
"""Writes safetensors files with the reference implementation (the `safetensors` package, Rust core)
for SafetensorsReferenceFixtureTest, which checks that Safetensors.write produces the same bytes.

Needs torch and the safetensors package. Debian's /usr/bin/python3 has torch 1.13; safetensors can be
used from an unpacked wheel without installing anything:

    mkdir -p /tmp/stpy && (cd /tmp/stpy && unzip -q -o /path/to/safetensors-0.8.0-cp310-abi3-manylinux*.whl)
    PYTHONPATH=/tmp/stpy /usr/bin/python3 redstar-core/src/test/python/make_reference_safetensors_fixtures.py \
        redstar-core/src/test/resources/safetensors

Files written (metadata {"format": "pt"}, as transformers saves):
  reference_bf16.safetensors  floating tensors as BF16, plus I64, I32, I8, U8 and BOOL tensors
  reference_f32.safetensors   the same with floating tensors as F32, plus a scalar and an empty tensor
Values are exactly representable in bfloat16 and contain no NaN (NaN bit patterns differ between writers).
"""
import os
import sys

import safetensors
import torch
from safetensors.torch import save_file


def tensors(float_dtype):
    g = torch.Generator().manual_seed(11)
    floats = {
        "model.layers.10.mlp.up_proj.weight": torch.randn(4, 3, generator=g),
        "model.layers.9.mlp.up_proj.weight": torch.randn(2, 5, generator=g),
        "B": torch.tensor([1.0, -2.5, 3.0e38, float("inf")]),
        "b": torch.randn(1, 1, 3, generator=g),
    }
    result = {name: t.to(torch.bfloat16).to(float_dtype) for name, t in floats.items()}
    result.update({
        "position_ids": torch.arange(5, dtype=torch.int64),
        "counts": torch.tensor([[-3, 7]], dtype=torch.int32),
        "signed": torch.tensor([-128, 127], dtype=torch.int8),
        "bytes": torch.tensor([0, 255, 17], dtype=torch.uint8),
        "mask": torch.tensor([True, False, True, True]),
    })
    if float_dtype == torch.float32:
        result["scalar"] = torch.tensor(0.5)
        result["empty"] = torch.zeros(0, 4)
    return result


def main(folder):
    for name, dtype in (("reference_bf16", torch.bfloat16), ("reference_f32", torch.float32)):
        path = os.path.join(folder, name + ".safetensors")
        save_file(tensors(dtype), path, metadata={"format": "pt"})
        print(f"wrote {path} with safetensors {safetensors.__version__}, torch {torch.__version__}")


if __name__ == "__main__":
    main(sys.argv[1])
