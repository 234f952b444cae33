"""Reference fixtures for ai.redstar.core.image, made with Pillow 9.4 + numpy (Debian's /usr/bin/python3).

Run from the repository root:  /usr/bin/python3 redstar-core/src/test/python/image_reference.py

Writes redstar-core/src/test/resources/image/:
  source_rgb.png                a 37x29 RGB noise image with a few hard edges (resize input)
  resize/<filter>_<w>x<h>.u8    PIL Image.resize((w, h), filter) of it, raw [h, w, 3] uint8
  inputs/*.png, *.jpg           small test images (RGB, RGBA, L, P with transparency, JPEG 4:2:0 and 4:4:4)
  decoded/<name>.u8             numpy.array(Image.open(file).convert("RGB")), raw [h, w, 3] uint8
  configs/<case>.json           preprocessor_config.json of each pipeline case
  expected/<case>__<image>.f32  pixel values, raw little-endian float32 [3, H, W]
  manifest.json                 the list of resize and pipeline cases with shapes

The pipeline below is written from transformers' PIL backend (image_processing_backends.PilBackend._preprocess,
LlavaImageProcessorPil.pad_to_square, image_transforms.{get_resize_output_image_size, resize, center_crop, rescale,
normalize}); transformers itself is not installed here.
"""
import json
import math
import os
import sys

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "image")
FILTERS = {"nearest": 0, "lanczos": 1, "bilinear": 2, "bicubic": 3, "box": 4, "hamming": 5}
RESIZE_TARGETS = [(18, 14), (12, 9), (50, 40), (37, 60), (7, 29), (64, 47), (5, 3), (36, 28)]
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def noise_image(w, h, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    a[h // 3: h // 3 + 4, :, :] = 255  # hard edges exercise the clipping after each pass
    a[:, w // 2: w // 2 + 3, 0] = 0
    return a


def make_inputs():
    inputs = {}
    rgb = Image.fromarray(noise_image(40, 30, 1), "RGB")
    inputs["rgb.png"] = rgb
    rgba = np.concatenate([noise_image(30, 40, 2), np.random.default_rng(3).integers(0, 256, (40, 30, 1), dtype=np.uint8)], axis=2)
    inputs["rgba.png"] = Image.fromarray(rgba, "RGBA")
    inputs["gray.png"] = Image.fromarray(noise_image(33, 33, 4)[:, :, 1], "L")
    pal = Image.fromarray(noise_image(25, 35, 5), "RGB").quantize(colors=16)
    pal.info["transparency"] = 3
    inputs["palette.png"] = pal
    smooth = np.zeros((32, 48, 3), dtype=np.uint8)
    yy, xx = np.mgrid[0:32, 0:48]
    smooth[..., 0] = (xx * 5) % 256
    smooth[..., 1] = (yy * 7) % 256
    smooth[..., 2] = ((xx + yy) * 3) % 256
    smooth[10:20, 15:30] = (250, 20, 40)
    inputs["photo420.jpg"] = (Image.fromarray(smooth, "RGB"), dict(quality=90, subsampling=2))
    inputs["photo444.jpg"] = (Image.fromarray(smooth, "RGB"), dict(quality=90, subsampling=0))
    paths = {}
    for name, img in inputs.items():
        path = os.path.join(ROOT, "inputs", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(img, tuple):
            img[0].save(path, "JPEG", **img[1])
        elif img.mode == "P":
            img.save(path, "PNG", transparency=3)
        else:
            img.save(path, "PNG")
        paths[name] = path
    return paths


# ---- the transformers PIL-backend pipeline, in numpy ----

def output_size(h, w, size):
    if "shortest_edge" in size:
        s = size["shortest_edge"]
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = s, int(s * long / short)
        return (new_long, new_short) if w <= h else (new_short, new_long)
    return size["height"], size["width"]


def pad_to_square(chw, mean):
    bg = [int(x * 255) for x in mean]
    c, h, w = chw.shape
    if h == w:
        return chw
    m = max(h, w)
    out = np.zeros((c, m, m), dtype=chw.dtype)
    for i, col in enumerate(bg):
        out[i] = col
    if w > h:
        s = (m - h) // 2
        out[:, s:s + h, :] = chw
    else:
        s = (m - w) // 2
        out[:, :, s:s + w] = chw
    return out


def center_crop(chw, ch, cw):
    _, oh, ow = chw.shape
    top = (oh - ch) // 2
    left = (ow - cw) // 2
    bottom, right = top + ch, left + cw
    if top >= 0 and bottom <= oh and left >= 0 and right <= ow:
        return chw[:, top:bottom, left:right]
    nh, nw = max(ch, oh), max(cw, ow)
    new = np.zeros_like(chw, shape=chw.shape[:-2] + (nh, nw))
    tp = math.ceil((nh - oh) / 2)
    lp = math.ceil((nw - ow) / 2)
    new[..., tp:tp + oh, lp:lp + ow] = chw
    top += tp
    bottom += tp
    left += lp
    right += lp
    return new[..., max(0, top):min(nh, bottom), max(0, left):min(nw, right)]


def preprocess(img, cfg):
    if cfg.get("do_convert_rgb", True) and img.mode != "RGB":
        img = img.convert("RGB")
    chw = np.array(img).transpose(2, 0, 1)
    mean, std = cfg["image_mean"], cfg["image_std"]
    if cfg.get("do_pad", False):
        chw = pad_to_square(chw, mean)
    if cfg.get("do_resize", True):
        h, w = output_size(chw.shape[1], chw.shape[2], cfg["size"])
        pil = Image.fromarray(np.ascontiguousarray(chw.transpose(1, 2, 0)))
        chw = np.array(pil.resize((w, h), resample=cfg["resample"])).transpose(2, 0, 1)
    if cfg.get("do_center_crop", False):
        chw = center_crop(chw, cfg["crop_size"]["height"], cfg["crop_size"]["width"])
    if cfg.get("do_rescale", True):
        chw = (chw.astype(np.float64) * cfg["rescale_factor"]).astype(np.float32)
    if cfg.get("do_normalize", True):
        if not np.issubdtype(chw.dtype, np.floating):
            chw = chw.astype(np.float32)
        m = np.array(mean, dtype=chw.dtype)
        s = np.array(std, dtype=chw.dtype)
        chw = ((chw.T - m) / s).T
    return np.ascontiguousarray(chw, dtype=np.float32)


def clip_cfg(shortest, crop, resample=3):
    return {"image_processor_type": "CLIPImageProcessor", "do_resize": True, "size": {"shortest_edge": shortest},
            "resample": resample, "do_center_crop": True, "crop_size": {"height": crop[0], "width": crop[1]},
            "do_rescale": True, "rescale_factor": 0.00392156862745098, "do_normalize": True,
            "image_mean": CLIP_MEAN, "image_std": CLIP_STD, "do_convert_rgb": True}


CASES = {
    "clip": clip_cfg(24, (20, 20)),
    "clip_upscale": clip_cfg(40, (36, 38)),
    "clip_crop_pads": clip_cfg(16, (20, 18)),
    "clip_nearest": clip_cfg(21, (21, 21), resample=0),
    "siglip": {"image_processor_type": "SiglipImageProcessor", "do_resize": True, "size": {"height": 16, "width": 16},
               "resample": 2, "do_rescale": True, "rescale_factor": 0.00392156862745098, "do_normalize": True,
               "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "do_convert_rgb": True,
               "processor_class": "SiglipProcessor"},
    "llava_pad": dict(clip_cfg(24, (24, 24)), image_processor_type="LlavaImageProcessor", do_pad=True,
                      processor_class="LlavaProcessor"),
}


def main():
    assert Image.__version__.startswith("9.4"), Image.__version__
    src = noise_image(37, 29, 0)
    Image.fromarray(src, "RGB").save(os.path.join(ROOT, "source_rgb.png"))
    manifest = {"pillow": Image.__version__, "numpy": np.__version__, "resize": [], "pipeline": [], "decoded": []}
    for fname, code in FILTERS.items():
        for (w, h) in RESIZE_TARGETS:
            out = np.array(Image.fromarray(src, "RGB").resize((w, h), resample=code))
            rel = f"resize/{fname}_{w}x{h}.u8"
            write(os.path.join(ROOT, rel), out.tobytes())
            manifest["resize"].append({"filter": code, "width": w, "height": h, "file": rel})
    paths = make_inputs()
    for name, path in paths.items():
        rgb = np.array(Image.open(path).convert("RGB"))
        rel = f"decoded/{name}.u8"
        write(os.path.join(ROOT, rel), rgb.tobytes())
        manifest["decoded"].append({"image": "inputs/" + name, "width": rgb.shape[1], "height": rgb.shape[0],
                                    "mode": Image.open(path).mode, "file": rel})
    for case, cfg in CASES.items():
        write(os.path.join(ROOT, "configs", case + ".json"), (json.dumps(cfg, indent=2) + "\n").encode())
        for name, path in paths.items():
            out = preprocess(Image.open(path), cfg)
            rel = f"expected/{case}__{name}.f32"
            write(os.path.join(ROOT, rel), out.astype("<f4").tobytes())
            manifest["pipeline"].append({"case": case, "config": f"configs/{case}.json", "image": "inputs/" + name,
                                         "shape": list(out.shape), "file": rel})
    with open(os.path.join(ROOT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(ROOT) for f in fs)
    print(f"wrote {ROOT}: {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
