#!/usr/bin/python3
"""Independent reference logits for VisionLm's parity tests.

Writes tiny random-weight LLaVA models as llava-hf folders (config.json + model.safetensors in the classic layout:
vision_tower.vision_model.*, multi_modal_projector.*, language_model.model.*, language_model.lm_head.weight) plus
pixel values, input ids with expanded image placeholders, positions, segments and the expected logits
(parity.safetensors) under redstar-core/src/test/resources/parity/llava_<case>/.

The forward pass is written from transformers' modeling_llava.py, modeling_clip.py, modeling_siglip.py and
activations.py: patch convolution (F.conv2d here, unlike the Java unfold+matmul), CLS + position embeddings,
CLIP's pre_layrnorm, pre-norm encoder layers, hidden_states[0] = the encoder input and hidden_states[i] = output of
layer i, the configured feature layer(s) (concatenated on the feature axis for a list), "default" dropping the first
position, projector linear_1 -> act -> linear_2, masked_scatter of the features over the image tokens (ids mapped to 0
before lookup), then the Qwen2 decoder of hf_reference.py. Float64 throughout from fp32 weights.

Needs only torch (Debian's /usr/bin/python3); no transformers. Run from the repository root:
    /usr/bin/python3 redstar-core/src/test/python/llava_reference.py
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_reference as text_ref  # noqa: E402  (the decoder reference and the safetensors writer)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "parity")

TEXT = dict(model_type="qwen2", vocab=64, hidden=32, intermediate=48, layers=2, heads=4, kv_heads=2,
            eps=1e-6, theta=10000.0, tied=False, storage="float32")


def act(name, x):
    if name == "quick_gelu":
        return x * torch.sigmoid(1.702 * x)
    if name == "gelu":
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name == "gelu_pytorch_tanh":
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    raise ValueError(name)


def vision_weights(v, g):
    d, m, p, c = v["hidden"], v["intermediate"], v["patch"], 3
    clip = v["type"] == "clip_vision_model"
    n_pos = (v["image"] // p) ** 2 + (1 if clip else 0)
    P = "vision_tower.vision_model."

    def normal(*shape, std):
        return torch.randn(*shape, generator=g, dtype=torch.float32) * std

    w = {}
    if clip:
        w[P + "embeddings.class_embedding"] = normal(d, std=0.5)
    w[P + "embeddings.patch_embedding.weight"] = normal(d, c, p, p, std=1.0 / math.sqrt(c * p * p))
    if not clip:
        w[P + "embeddings.patch_embedding.bias"] = normal(d, std=0.1)
    w[P + "embeddings.position_embedding.weight"] = normal(n_pos, d, std=0.5)
    if clip:
        w[P + "pre_layrnorm.weight"] = 1.0 + normal(d, std=0.1)
        w[P + "pre_layrnorm.bias"] = normal(d, std=0.1)
    for i in range(v["layers"]):
        L = P + "encoder.layers.%d." % i
        for proj in ("k_proj", "v_proj", "q_proj", "out_proj"):
            w[L + "self_attn." + proj + ".weight"] = normal(d, d, std=1.0 / math.sqrt(d))
            w[L + "self_attn." + proj + ".bias"] = normal(d, std=0.1)
        w[L + "layer_norm1.weight"] = 1.0 + normal(d, std=0.1)
        w[L + "layer_norm1.bias"] = normal(d, std=0.1)
        w[L + "mlp.fc1.weight"] = normal(m, d, std=1.0 / math.sqrt(d))
        w[L + "mlp.fc1.bias"] = normal(m, std=0.1)
        w[L + "mlp.fc2.weight"] = normal(d, m, std=1.0 / math.sqrt(m))
        w[L + "mlp.fc2.bias"] = normal(d, std=0.1)
        w[L + "layer_norm2.weight"] = 1.0 + normal(d, std=0.1)
        w[L + "layer_norm2.bias"] = normal(d, std=0.1)
    w[P + "post_layernorm.weight"] = 1.0 + normal(d, std=0.1)
    w[P + "post_layernorm.bias"] = normal(d, std=0.1)
    return w


def vision_hidden_states(v, w, pixels):
    P = "vision_tower.vision_model."
    d, heads, eps = v["hidden"], v["heads"], v["eps"]
    clip = v["type"] == "clip_vision_model"
    x = F.conv2d(pixels, w[P + "embeddings.patch_embedding.weight"],
                 w.get(P + "embeddings.patch_embedding.bias"), stride=v["patch"])
    x = x.flatten(2).transpose(1, 2)
    if clip:
        cls = w[P + "embeddings.class_embedding"].expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1)
    x = x + w[P + "embeddings.position_embedding.weight"][None]
    if clip:
        x = F.layer_norm(x, (d,), w[P + "pre_layrnorm.weight"], w[P + "pre_layrnorm.bias"], eps)
    states = [x]
    n, s, _ = x.shape
    hd = d // heads
    for i in range(v["layers"]):
        L = P + "encoder.layers.%d." % i
        res = x
        h = F.layer_norm(x, (d,), w[L + "layer_norm1.weight"], w[L + "layer_norm1.bias"], eps)

        def proj(name, t):
            return t @ w[L + "self_attn." + name + ".weight"].t() + w[L + "self_attn." + name + ".bias"]

        q = proj("q_proj", h).view(n, s, heads, hd).transpose(1, 2)
        k = proj("k_proj", h).view(n, s, heads, hd).transpose(1, 2)
        vv = proj("v_proj", h).view(n, s, heads, hd).transpose(1, 2)
        probs = torch.softmax(q @ k.transpose(2, 3) * hd ** -0.5, dim=-1)
        o = (probs @ vv).transpose(1, 2).reshape(n, s, d)
        x = res + proj("out_proj", o)
        res = x
        h = F.layer_norm(x, (d,), w[L + "layer_norm2.weight"], w[L + "layer_norm2.bias"], eps)
        h = act(v["act"], h @ w[L + "mlp.fc1.weight"].t() + w[L + "mlp.fc1.bias"])
        x = res + (h @ w[L + "mlp.fc2.weight"].t() + w[L + "mlp.fc2.bias"])
        states.append(x)
    return states


def image_features(c, w, pixels):
    states = vision_hidden_states(c["vision"], w, pixels)
    layers = c["feature_layer"] if isinstance(c["feature_layer"], list) else [c["feature_layer"]]
    pool = [states[i] for i in layers]
    if c["strategy"] == "default":
        pool = [h[:, 1:] for h in pool]
    feats = torch.cat(pool, dim=-1)
    h = act(c["projector_act"], feats @ w["multi_modal_projector.linear_1.weight"].t()
            + w["multi_modal_projector.linear_1.bias"])
    return h @ w["multi_modal_projector.linear_2.weight"].t() + w["multi_modal_projector.linear_2.bias"]


def llava_forward(c, w, ids, positions, mask, pixels):
    t = c["text"]
    feats = image_features(c, w, pixels)  # [n, seq_img, hidden]
    image_mask = ids == c["image_token"]
    lookup = ids.clone()
    lookup[image_mask] = 0
    text_w = {k[len("language_model."):]: v for k, v in w.items() if k.startswith("language_model.")}
    embeds = text_w["model.embed_tokens.weight"][lookup]
    embeds = embeds.masked_scatter(image_mask[..., None].expand_as(embeds), feats.reshape(-1, t["hidden"]))
    return forward_embeds(t, text_w, embeds, positions, mask)


def forward_embeds(c, w, x, positions, attention_mask):
    """hf_reference.forward, but starting from input embeddings."""
    b, s, _ = x.shape
    d = text_ref.head_dim(c)
    nh, nkv = c["heads"], c["kv_heads"]
    cos, sin = text_ref.rotary(c, positions)
    cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
    causal = torch.tril(torch.ones(s, s, dtype=torch.bool))
    allowed = causal[None] & attention_mask[:, None, :].bool()
    mask = torch.zeros(b, 1, s, s, dtype=torch.float64).masked_fill(~allowed[:, None], torch.finfo(torch.float64).min)
    for i in range(c["layers"]):
        p = "model.layers.%d." % i
        res = x
        hs = text_ref.rms_norm(x, w[p + "input_layernorm.weight"], c["eps"])
        q = text_ref.linear(hs, w, p + "self_attn.q_proj").view(b, s, nh, d).transpose(1, 2)
        k = text_ref.linear(hs, w, p + "self_attn.k_proj").view(b, s, nkv, d).transpose(1, 2)
        v = text_ref.linear(hs, w, p + "self_attn.v_proj").view(b, s, nkv, d).transpose(1, 2)
        q = q * cos + text_ref.rotate_half(q) * sin
        k = k * cos + text_ref.rotate_half(k) * sin
        k = text_ref.repeat_kv(k, nh // nkv)
        v = text_ref.repeat_kv(v, nh // nkv)
        probs = torch.softmax(q @ k.transpose(2, 3) * d ** -0.5 + mask, dim=-1)
        x = res + text_ref.linear((probs @ v).transpose(1, 2).reshape(b, s, nh * d), w, p + "self_attn.o_proj")
        res = x
        hs = text_ref.rms_norm(x, w[p + "post_attention_layernorm.weight"], c["eps"])
        hs = text_ref.linear(F.silu(text_ref.linear(hs, w, p + "mlp.gate_proj")) * text_ref.linear(hs, w, p + "mlp.up_proj"),
                             w, p + "mlp.down_proj")
        x = res + hs
    x = text_ref.rms_norm(x, w["model.norm.weight"], c["eps"])
    return x @ w["lm_head.weight"].t()


def config_json(c):
    v = c["vision"]
    vision = {"model_type": v["type"], "hidden_size": v["hidden"], "intermediate_size": v["intermediate"],
              "num_hidden_layers": v["layers"], "num_attention_heads": v["heads"], "image_size": v["image"],
              "patch_size": v["patch"], "hidden_act": v["act"], "layer_norm_eps": v["eps"],
              "attention_dropout": 0.0}
    if v["type"] == "clip_vision_model":
        vision["projection_dim"] = 16
    else:
        vision["vision_use_head"] = False
    text = text_ref.config_json(c["text"])
    del text["architectures"]
    return {"architectures": ["LlavaForConditionalGeneration"], "model_type": "llava",
            "image_token_index": c["image_token"], "image_seq_length": c["seq_img"],
            "vision_feature_layer": c["feature_layer"], "vision_feature_select_strategy": c["strategy"],
            "projector_hidden_act": c["projector_act"], "multimodal_projector_bias": True,
            "tie_word_embeddings": False, "torch_dtype": "float32", "transformers_version": "4.46.3",
            "text_config": text, "vision_config": vision}


def write_case(name, c, seed, rows):
    """rows: list of (texts before/after images as lists of token counts) -> built as ids with image runs."""
    g = torch.Generator().manual_seed(seed)
    v = c["vision"]
    n_pos = (v["image"] // v["patch"]) ** 2 + (1 if v["type"] == "clip_vision_model" else 0)
    c["seq_img"] = n_pos - (1 if c["strategy"] == "default" else 0)
    w = vision_weights(v, g)
    tw = text_ref.make_weights(c["text"], seed + 7)
    w.update({"language_model." + k: t for k, t in tw.items()})
    h = c["text"]["hidden"]
    f_in = v["hidden"] * (len(c["feature_layer"]) if isinstance(c["feature_layer"], list) else 1)
    w["multi_modal_projector.linear_1.weight"] = torch.randn(h, f_in, generator=g) / math.sqrt(f_in)
    w["multi_modal_projector.linear_1.bias"] = torch.randn(h, generator=g) * 0.1
    w["multi_modal_projector.linear_2.weight"] = torch.randn(h, h, generator=g) / math.sqrt(h)
    w["multi_modal_projector.linear_2.bias"] = torch.randn(h, generator=g) * 0.1
    # rows: each a list of items, an int = that many random text tokens, "I" = one image's placeholders
    seqs = []
    n_images = 0
    for row in rows:
        ids = []
        for item in row:
            if item == "I":
                ids += [c["image_token"]] * c["seq_img"]
                n_images += 1
            else:
                ids += torch.randint(3, c["text"]["vocab"] - 1, (item,), generator=g).tolist()
        seqs.append(ids)
    s = max(len(x) for x in seqs)
    ids = torch.zeros(len(seqs), s, dtype=torch.int64)
    mask = torch.zeros(len(seqs), s, dtype=torch.int64)
    for r, x in enumerate(seqs):  # left padding, as Generator and HF generation use
        ids[r, s - len(x):] = torch.tensor(x)
        mask[r, s - len(x):] = 1
    positions = text_ref.positions_from_mask(mask)
    pixels = torch.randn(n_images, 3, v["image"], v["image"], generator=g)
    wide = {k: t.double() for k, t in w.items()}
    logits = llava_forward(c, wide, ids, positions, mask, pixels.double())
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config_json(c), f, indent=2, sort_keys=True)
        f.write("\n")
    text_ref.write_safetensors(os.path.join(folder, "model.safetensors"), w)
    text_ref.write_safetensors(os.path.join(folder, "parity.safetensors"), {
        "input_ids": ids, "position_ids": positions, "segment_ids": mask, "pixel_values": pixels,
        "expected_logits": logits.float(), "valid": mask})
    print("%-18s ids %s, images %d x %d tokens, |logits| max %.3f" % (name, tuple(ids.shape), n_images,
                                                                      c["seq_img"], logits.abs().max().item()))


CLIP = dict(type="clip_vision_model", hidden=32, intermediate=64, layers=3, heads=2, image=16, patch=4,
            act="quick_gelu", eps=1e-5)
SIGLIP = dict(type="siglip_vision_model", hidden=24, intermediate=40, layers=2, heads=2, image=12, patch=4,
              act="gelu_pytorch_tanh", eps=1e-6)


def main():
    torch.set_grad_enabled(False)
    write_case("llava_clip", dict(text=dict(TEXT), vision=CLIP, image_token=TEXT["vocab"] - 1, feature_layer=-2,
                                  strategy="default", projector_act="gelu"), 601,
               [[3, "I", 5], [2, "I", 4, "I", 1]])
    write_case("llava_siglip", dict(text=dict(TEXT), vision=SIGLIP, image_token=TEXT["vocab"] + 5,
                                    feature_layer=[-1, 0], strategy="full", projector_act="gelu"), 602,
               [[4, "I", 6], [2, "I", 2]])


if __name__ == "__main__":
    main()
