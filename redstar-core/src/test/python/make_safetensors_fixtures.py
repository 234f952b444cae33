#!/usr/bin/python3
"""Writes the safetensors fixtures that SafetensorsTorchFixtureTest reads.

Run with Debian's /usr/bin/python3 (torch 1.13, numpy); no safetensors package needed: the file is
laid out by hand exactly as the reference writer does (8-byte little-endian header length, compact
JSON header with __metadata__ first and tensors sorted by descending dtype alignment then name,
padded with spaces to a multiple of 8 bytes, then the raw little-endian tensor bytes).

    /usr/bin/python3 redstar-core/src/test/python/make_safetensors_fixtures.py \
        redstar-core/src/test/resources/safetensors/torch_fixtures.safetensors

Tensors written (N values each unless said):
  source              F32   the float32 inputs: special values, rounding ties, subnormals, overflow
                            candidates, and seeded normal samples at several scales
  bf16, f16           BF16, F16  torch's source.to(bfloat16 / float16)
  bf16_as_f32         F32   torch's bf16.to(float32): what a reader must return for "bf16"
  f16_as_f32          F32   torch's f16.to(float32)
  f64                 F64   source values scaled by (1 + 2^-30) in float64 (not representable in float32)
  f64_as_f32          F32   torch's f64.to(float32)
  matrix_bf16         BF16  [3, 5] seeded normal samples; matrix_bf16_as_f32 its float32 widening
  ids                 I64   [4]
"""
import json
import struct
import sys

import torch

# Descending-alignment order of the reference writer (safetensors' Dtype enum order, reversed).
RANK = {"BOOL": 0, "U8": 1, "I8": 2, "I16": 3, "F16": 4, "BF16": 5, "I32": 6, "F32": 7, "F64": 8, "I64": 9}
NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
         torch.int64: "I64"}


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.view(torch.int16)  # numpy has no bfloat16; the bits are what matter
    assert sys.byteorder == "little"
    return t.numpy().tobytes()


def source_values():
    bits = [
        0x3F800000, 0x40490FDB, 0xC0000000, 0x00000000, 0x80000000,  # 1, pi, -2, +0, -0
        0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00001,  # +inf, -inf, NaN, -NaN with payload
        0x3F808000, 0x3F818000, 0x3F808001, 0xBF818000,  # bf16 ties to even, just above a tie
        0x3F801000, 0x3F803000, 0x3F801001,  # f16 ties to even (1 + 2^-11, 1 + 3*2^-11), above a tie
        0x7F7FFFFF, 0xFF7FFFFF, 0x00000001, 0x00800000,  # max, -max, smallest subnormal, smallest normal
        0x477FE000, 0x477FEFFF, 0x477FF000, 0x47800000,  # 65504, just below 65520, 65520, 65536
        0x33800000, 0x33000000, 0x33400000, 0x38800000, 0x387FC000,  # f16 subnormal range and its edges
        0x7F7F8000, 0x7F7F7FFF,  # bf16 overflow tie, just below it
    ]
    special = torch.tensor([b - (1 << 32) if b >= 1 << 31 else b for b in bits], dtype=torch.int32)
    special = special.view(torch.float32)
    generator = torch.Generator().manual_seed(20250111)
    samples = [torch.randn(24, generator=generator) * scale for scale in (1e-6, 1e-3, 1.0, 1e3, 3e4, 1e20)]
    return torch.cat([special] + samples)


def main(path):
    source = source_values()
    generator = torch.Generator().manual_seed(7)
    matrix = torch.randn(3, 5, generator=generator)
    bf16 = source.to(torch.bfloat16)
    f16 = source.to(torch.float16)
    f64 = source.to(torch.float64) * (1.0 + 2.0 ** -30)
    matrix_bf16 = matrix.to(torch.bfloat16)
    tensors = {
        "source": source,
        "bf16": bf16,
        "bf16_as_f32": bf16.to(torch.float32),
        "f16": f16,
        "f16_as_f32": f16.to(torch.float32),
        "f64": f64,
        "f64_as_f32": f64.to(torch.float32),
        "matrix_bf16": matrix_bf16,
        "matrix_bf16_as_f32": matrix_bf16.to(torch.float32),
        "ids": torch.tensor([0, 1, -1, 2 ** 62], dtype=torch.int64),
    }
    order = sorted(tensors, key=lambda n: (-RANK[NAMES[tensors[n].dtype]], n))
    header = {"__metadata__": {"format": "pt", "producer": "make_safetensors_fixtures.py, torch " + torch.__version__}}
    offset = 0
    for name in order:
        t = tensors[name]
        n = len(raw_bytes(t))
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in order:
            f.write(raw_bytes(tensors[name]))
    print(f"wrote {path}: {len(order)} tensors, {8 + len(text) + offset} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
