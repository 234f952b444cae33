#!/usr/bin/python3
"""Independent reference logits for CausalLm's parity tests.

Writes tiny random-weight Qwen2/Llama models as Hugging Face folders (config.json as transformers writes it,
model.safetensors written byte by byte) plus inputs and expected logits (parity.safetensors) under
redstar-core/src/test/resources/parity/<case>/.

The forward pass below is written from transformers' modeling_qwen2.py / modeling_llama.py (eager attention):
RMSNorm in fp32 (x * rsqrt(mean(x^2) + eps) * weight), rotary embeddings in the rotate-half layout with
inv_freq = 1 / theta^(arange(0, d, 2) / d) computed in fp32 as LlamaRotaryEmbedding does (divided by the factor for
linear scaling), repeat_kv for grouped-query attention, softmax(q k^T / sqrt(d) + causal mask) v, SwiGLU MLP, final
norm, lm_head or tied embedding. It runs in float64 from the fp32 (or bf16-rounded) weights, so the expected logits
are the exact answer the fp32 Java model approximates. Packed rows are computed document by document (each document
alone, positions from 0): the reference for block-diagonal attention does not use a block-diagonal mask at all.

Needs only torch (Debian's /usr/bin/python3 has torch 1.13); no transformers. Run from the repository root:
    /usr/bin/python3 redstar-core/src/test/python/hf_reference.py
The output is deterministic for the seeds below.
"""
import json
import math
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "parity")

DTYPE_NAMES = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16", torch.int64: "I64"}


# ---------------------------------------------------------------------------------------------------------------
# safetensors, by hand: 8-byte little-endian header length, JSON header, raw little-endian bytes
# ---------------------------------------------------------------------------------------------------------------
def tensor_bytes(t):
    t = t.contiguous().cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    if t.dtype == torch.float32:
        return t.numpy().astype("<f4").tobytes()
    if t.dtype == torch.float16:
        return t.numpy().astype("<f2").tobytes()
    if t.dtype == torch.int64:
        return t.numpy().astype("<i8").tobytes()
    raise ValueError("unsupported dtype %s" % t.dtype)


def write_safetensors(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        data = tensor_bytes(t)
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # the safetensors library pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


# ---------------------------------------------------------------------------------------------------------------
# config.json as transformers 4.4x writes Qwen2Config / LlamaConfig
# ---------------------------------------------------------------------------------------------------------------
def config_json(c):
    rope_scaling = None
    if c.get("rope_factor"):
        rope_scaling = {"factor": float(c["rope_factor"]), "rope_type": "linear", "type": "linear"}
    if c["model_type"] == "qwen2":
        return {
            "architectures": ["Qwen2ForCausalLM"],
            "attention_dropout": 0.0,
            "bos_token_id": 1,
            "eos_token_id": 2,
            "hidden_act": "silu",
            "hidden_size": c["hidden"],
            "initializer_range": 0.02,
            "intermediate_size": c["intermediate"],
            "max_position_embeddings": 4096,
            "max_window_layers": c["layers"],
            "model_type": "qwen2",
            "num_attention_heads": c["heads"],
            "num_hidden_layers": c["layers"],
            "num_key_value_heads": c["kv_heads"],
            "rms_norm_eps": c["eps"],
            "rope_scaling": rope_scaling,
            "rope_theta": c["theta"],
            "sliding_window": None,
            "tie_word_embeddings": c["tied"],
            "torch_dtype": c["storage"],
            "transformers_version": "4.46.3",
            "use_cache": True,
            "use_sliding_window": False,
            "vocab_size": c["vocab"],
        }
    return {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": c["attention_bias"],
        "attention_dropout": 0.0,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "head_dim": c["head_dim"],
        "hidden_act": "silu",
        "hidden_size": c["hidden"],
        "initializer_range": 0.02,
        "intermediate_size": c["intermediate"],
        "max_position_embeddings": 2048,
        "mlp_bias": c["mlp_bias"],
        "model_type": "llama",
        "num_attention_heads": c["heads"],
        "num_hidden_layers": c["layers"],
        "num_key_value_heads": c["kv_heads"],
        "pretraining_tp": 1,
        "rms_norm_eps": c["eps"],
        "rope_scaling": rope_scaling,
        "rope_theta": c["theta"],
        "tie_word_embeddings": c["tied"],
        "torch_dtype": c["storage"],
        "transformers_version": "4.46.3",
        "use_cache": True,
        "vocab_size": c["vocab"],
    }


# ---------------------------------------------------------------------------------------------------------------
# weights
# ---------------------------------------------------------------------------------------------------------------
def head_dim(c):
    return c.get("head_dim") or c["hidden"] // c["heads"]


def make_weights(c, seed):
    """Random weights at a scale that gives O(1) logits; biases and norm weights random too, so each one matters."""
    g = torch.Generator().manual_seed(seed)
    h, m, d = c["hidden"], c["intermediate"], head_dim(c)
    q, kv = c["heads"] * d, c["kv_heads"] * d
    qkv_bias = c["model_type"] == "qwen2" or c["attention_bias"]
    o_bias = c["model_type"] == "llama" and c["attention_bias"]
    mlp_bias = c["model_type"] == "llama" and c["mlp_bias"]

    def normal(*shape, std):
        return torch.randn(*shape, generator=g, dtype=torch.float32) * std

    w = {"model.embed_tokens.weight": normal(c["vocab"], h, std=1.0 / math.sqrt(h))}
    for i in range(c["layers"]):
        p = "model.layers.%d." % i
        w[p + "input_layernorm.weight"] = 1.0 + normal(h, std=0.1)
        w[p + "post_attention_layernorm.weight"] = 1.0 + normal(h, std=0.1)
        for name, out, inp, bias in (("self_attn.q_proj", q, h, qkv_bias), ("self_attn.k_proj", kv, h, qkv_bias),
                                     ("self_attn.v_proj", kv, h, qkv_bias), ("self_attn.o_proj", h, q, o_bias),
                                     ("mlp.gate_proj", m, h, mlp_bias), ("mlp.up_proj", m, h, mlp_bias),
                                     ("mlp.down_proj", h, m, mlp_bias)):
            w[p + name + ".weight"] = normal(out, inp, std=1.0 / math.sqrt(inp))
            if bias:
                w[p + name + ".bias"] = normal(out, std=0.1)
    w["model.norm.weight"] = 1.0 + normal(h, std=0.1)
    if not c["tied"]:
        w["lm_head.weight"] = normal(c["vocab"], h, std=1.0 / math.sqrt(h))
    return w


# ---------------------------------------------------------------------------------------------------------------
# the forward pass, after transformers' modeling_llama.py / modeling_qwen2.py (eager attention)
# ---------------------------------------------------------------------------------------------------------------
def rms_norm(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def inv_freq(c):
    d = head_dim(c)
    # LlamaRotaryEmbedding / _compute_default_rope_parameters, in fp32
    f = 1.0 / (c["theta"] ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    if c.get("rope_factor"):
        f = f / c["rope_factor"]  # _compute_linear_scaling_rope_parameters
    return f


def rotary(c, positions):
    # positions [b, s] -> cos, sin [b, s, d]
    freqs = (inv_freq(c)[None, :, None].double() @ positions[:, None, :].double()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    b, kvh, s, d = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(b, kvh, n_rep, s, d).reshape(b, kvh * n_rep, s, d)


def linear(x, w, name):
    y = x @ w[name + ".weight"].t()
    if name + ".bias" in w:
        y = y + w[name + ".bias"]
    return y


def forward(c, w, input_ids, positions, attention_mask):
    """Logits [b, s, vocab] in float64. attention_mask [b, s] of 0/1 (HF semantics: key padding + causal)."""
    b, s = input_ids.shape
    d = head_dim(c)
    nh, nkv = c["heads"], c["kv_heads"]
    x = w["model.embed_tokens.weight"][input_ids]
    cos, sin = rotary(c, positions)
    cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)  # unsqueeze_dim=1 for [b, heads, s, d]
    causal = torch.tril(torch.ones(s, s, dtype=torch.bool))
    allowed = causal[None, :, :] & attention_mask[:, None, :].bool()
    min_value = torch.finfo(torch.float64).min
    mask = torch.zeros(b, 1, s, s, dtype=torch.float64).masked_fill(~allowed[:, None, :, :], min_value)
    for i in range(c["layers"]):
        p = "model.layers.%d." % i
        residual = x
        hs = rms_norm(x, w[p + "input_layernorm.weight"], c["eps"])
        q = linear(hs, w, p + "self_attn.q_proj").view(b, s, nh, d).transpose(1, 2)
        k = linear(hs, w, p + "self_attn.k_proj").view(b, s, nkv, d).transpose(1, 2)
        v = linear(hs, w, p + "self_attn.v_proj").view(b, s, nkv, d).transpose(1, 2)
        q = (q * cos) + (rotate_half(q) * sin)
        k = (k * cos) + (rotate_half(k) * sin)
        k = repeat_kv(k, nh // nkv)
        v = repeat_kv(v, nh // nkv)
        scores = torch.matmul(q, k.transpose(2, 3)) * (d ** -0.5) + mask
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, nh * d)
        x = residual + linear(out, w, p + "self_attn.o_proj")
        residual = x
        hs = rms_norm(x, w[p + "post_attention_layernorm.weight"], c["eps"])
        gate = linear(hs, w, p + "mlp.gate_proj")
        hs = linear(torch.nn.functional.silu(gate) * linear(hs, w, p + "mlp.up_proj"), w, p + "mlp.down_proj")
        x = residual + hs
    x = rms_norm(x, w["model.norm.weight"], c["eps"])
    head = w["model.embed_tokens.weight"] if c["tied"] else w["lm_head.weight"]
    return x @ head.t()


def positions_from_mask(mask):
    return (mask.cumsum(-1) - 1).clamp(min=0)


# ---------------------------------------------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------------------------------------------
QWEN2 = dict(model_type="qwen2", vocab=96, hidden=64, intermediate=80, layers=2, heads=4, kv_heads=2,
             eps=1e-6, theta=1000000.0, tied=True, storage="float32")
LLAMA = dict(model_type="llama", vocab=112, hidden=48, intermediate=80, layers=2, heads=4, kv_heads=2,
             head_dim=16, eps=1e-5, theta=10000.0, tied=False, attention_bias=False, mlp_bias=False,
             storage="float32")


def random_ids(g, vocab, b, s):
    return torch.randint(3, vocab, (b, s), generator=g, dtype=torch.int64)


def case_plain(name, c, seed, b=2, s=12, position_offset=0):
    g = torch.Generator().manual_seed(seed + 1)
    ids = random_ids(g, c["vocab"], b, s)
    mask = torch.ones(b, s, dtype=torch.int64)
    positions = torch.arange(s, dtype=torch.int64)[None, :].expand(b, s) + position_offset
    return name, c, seed, ids, positions.contiguous(), mask, None


def case_left_padded(name, c, seed):
    g = torch.Generator().manual_seed(seed + 1)
    lengths = [12, 7, 3]
    s = max(lengths)
    ids = random_ids(g, c["vocab"], len(lengths), s)
    mask = torch.zeros(len(lengths), s, dtype=torch.int64)
    for row, n in enumerate(lengths):
        mask[row, s - n:] = 1
        ids[row, : s - n] = 0  # the pad token
    return name, c, seed, ids, positions_from_mask(mask), mask, None


def case_packed(name, c, seed):
    g = torch.Generator().manual_seed(seed + 1)
    docs = [5, 6]
    s = 13  # two documents and two trailing pads
    ids = torch.zeros(1, s, dtype=torch.int64)
    segments = torch.zeros(1, s, dtype=torch.int64)
    positions = torch.zeros(1, s, dtype=torch.int64)
    start = 0
    for number, n in enumerate(docs, start=1):
        ids[0, start:start + n] = random_ids(g, c["vocab"], 1, n)[0]
        segments[0, start:start + n] = number
        positions[0, start:start + n] = torch.arange(n)
        start += n
    return name, c, seed, ids, positions, segments, docs


def expected_logits(c, w, ids, positions, segments, docs):
    if docs is None:
        logits = forward(c, w, ids, positions, segments)
        return logits, segments.clone()
    # packing: every document alone, positions from 0, no block-diagonal mask involved
    logits = torch.zeros(ids.shape[0], ids.shape[1], c["vocab"], dtype=torch.float64)
    start = 0
    for n in docs:
        doc = ids[:, start:start + n]
        pos = torch.arange(n, dtype=torch.int64)[None, :]
        logits[:, start:start + n] = forward(c, w, doc, pos, torch.ones(1, n, dtype=torch.int64))
        start += n
    return logits, (segments > 0).long()


def write_case(name, c, seed, ids, positions, segments, docs):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    weights = make_weights(c, seed)
    if c["storage"] == "bfloat16":
        stored = {k: v.to(torch.bfloat16) for k, v in weights.items()}
        weights = {k: v.float() for k, v in stored.items()}  # the reference sees exactly the stored values
    else:
        stored = weights
    wide = {k: v.double() for k, v in weights.items()}
    logits, valid = expected_logits(c, wide, ids, positions, segments, docs)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config_json(c), f, indent=2, sort_keys=True)
        f.write("\n")
    write_safetensors(os.path.join(folder, "model.safetensors"), stored)
    write_safetensors(os.path.join(folder, "parity.safetensors"), {
        "input_ids": ids, "position_ids": positions, "segment_ids": segments,
        "expected_logits": logits.float(), "valid": valid})
    print("%-22s logits %s, |logits| max %.3f" % (name, tuple(logits.shape), logits.abs().max().item()))


def main():
    torch.set_grad_enabled(False)
    cases = [
        case_plain("qwen2_tied_bias", QWEN2, 101),
        case_plain("llama_untied_headdim", LLAMA, 202),
        case_plain("llama_rope_linear4_bf16", dict(LLAMA, rope_factor=4.0, storage="bfloat16"), 303,
                   s=10, position_offset=37),
        case_left_padded("qwen2_left_padded", QWEN2, 404),
        case_packed("qwen2_packed", QWEN2, 505),
    ]
    for case in cases:
        write_case(*case)


if __name__ == "__main__":
    main()
