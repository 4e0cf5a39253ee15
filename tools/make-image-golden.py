#!/usr/bin/python3
"""Golden values for tests/test_images.c: PyTorch's preprocessing of synthetic images.

Each case is an 8-bit image made from the pattern
    pixel(y, x, c) = (37*y + 11*x + 101*c + 7) % 256
(test_images.c builds the same image), converted the way the training
pipeline does: uint8 -> float32 / 255, then
F.interpolate(mode='bilinear', align_corners=False, antialias=False), then
(x - mean) / std.  RGB -> gray uses PIL's convert('L') (ITU-R 601 luma).
Writes tests/data/images/<name>.npy, float32 [C, H, W]. runtime/image/preprocess.c
reproduces these bit for bit (made with Debian's torch 1.13, CPU).

The crop-* cases are torchvision's ImageNet recipe on tensors, on the image
files photo-*.{jpg,png} of the same directory (drawn here once, then kept:
a new JPEG encoder must not change them): decoded by PIL, / 255, Resize(S)
(the shorter side to S, the longer int(S * long / short)), bilinear without
antialias, then CenterCrop and Normalize. They are computed twice, with
F.interpolate and slicing as written here and with torchvision's own
functions when it is installed, which must agree.

    /usr/bin/python3 tools/make-image-golden.py
"""
import os

import numpy as np
import torch
from PIL import Image
from torch.nn import functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "images")

# name: (height, width, image channels, out height, out width, model channels,
#        channel order, mean, std)
CASES = {
    "resize-gray-28x28-96x96": (28, 28, 1, 96, 96, 1, "RGB", [0.0], [1.0]),
    "resize-gray-5x7-12x9": (5, 7, 1, 12, 9, 1, "RGB", [0.0], [1.0]),
    "resize-gray-9x8-4x5": (9, 8, 1, 4, 5, 1, "RGB", [0.0], [1.0]),
    "resize-gray-6x6-6x10": (6, 6, 1, 6, 10, 1, "RGB", [0.5], [0.25]),
    "resize-rgb-4x6-7x5": (4, 6, 3, 7, 5, 3, "RGB", [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    "resize-bgr-4x6-7x5": (4, 6, 3, 7, 5, 3, "BGR", [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    "resize-rgb2gray-4x6-7x5": (4, 6, 3, 7, 5, 1, "RGB", [0.0], [1.0]),
}


# name: (image file, channel order, resize shorter side to, crop (h, w), mean, std)
CROP_CASES = {
    # 45x60 -> 40x53: the crop's left offset round(10.5) goes down to 10.
    "crop-rgb-45x60-s40-c32": ("photo-45x60.jpg", "RGB", 40, (32, 32),
                               [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    # 51x37 -> 55x40: the top offset round(11.5) goes up to 12.
    "crop-bgr-51x37-s40-c32x30": ("photo-51x37.png", "BGR", 40, (32, 30), [0.5], [0.25]),
}


def photo(h, w):
    """A smooth colour picture with some structure (JPEG keeps it well)."""
    y, x = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    r = 128 + 100 * np.sin(x / 5.0) * np.cos(y / 7.0)
    g = 255.0 * x / (w - 1)
    b = 40 + 3.0 * ((x + 2 * y) % 60)
    return np.clip(np.stack([r, g, b], axis=2), 0, 255).round().astype(np.uint8)


def make_photos():
    for name in sorted({case[0] for case in CROP_CASES.values()}):
        path = os.path.join(OUT, name)
        if os.path.exists(path):
            continue
        h, w = (int(v) for v in name.split("-")[1].split(".")[0].split("x"))
        if name.endswith(".jpg"):
            Image.fromarray(photo(h, w), "RGB").save(path, quality=90)
        else:
            Image.fromarray(photo(h, w), "RGB").save(path)
        print("drew", name)


def resized_size(h, w, s):
    """torchvision's _compute_resized_output_size for Resize(s)."""
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = s, int(s * long / short)
    return (new_long, new_short) if w <= h else (new_short, new_long)


def crop_case(name, file, order, s, crop, mean, std):
    img = np.asarray(Image.open(os.path.join(OUT, file)).convert("RGB"))
    if order == "BGR":
        img = img[:, :, ::-1]
    x = torch.from_numpy(np.array(img)).permute(2, 0, 1)[None].float() / 255.0
    h, w = resized_size(x.shape[2], x.shape[3], s)
    y = F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False, antialias=False)
    top = int(round((h - crop[0]) / 2.0))
    left = int(round((w - crop[1]) / 2.0))
    y = y[:, :, top:top + crop[0], left:left + crop[1]]
    y = (y - torch.tensor(mean).view(1, -1, 1, 1)) / torch.tensor(std).view(1, -1, 1, 1)
    try:
        from torchvision.transforms import functional as TF
    except ImportError:
        print("torchvision is not installed: not cross-checked")
    else:
        t = TF.resize(x, [s], antialias=False)
        t = TF.normalize(TF.center_crop(t, list(crop)), mean * (3 // len(mean)),
                         std * (3 // len(std)))
        assert torch.equal(t, y), name + ": torchvision disagrees"
    np.save(os.path.join(OUT, name + ".npy"), y[0].numpy().astype(np.float32))
    print("wrote", name, tuple(y[0].shape), "resized", (h, w), "crop at", (top, left))


def pattern(h, w, c):
    y, x, ch = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    return ((37 * y + 11 * x + 101 * ch + 7) % 256).astype(np.uint8)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (h, w, c, oh, ow, mc, order, mean, std) in CASES.items():
        img = pattern(h, w, c)
        if mc == 1 and c == 3:
            img = np.asarray(Image.fromarray(img, "RGB").convert("L"))[:, :, None]
        if order == "BGR":
            img = img[:, :, ::-1]
        x = torch.from_numpy(np.array(img)).permute(2, 0, 1)[None].float() / 255.0
        y = F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=False,
                          antialias=False)
        y = (y - torch.tensor(mean).view(1, -1, 1, 1)) / torch.tensor(std).view(1, -1, 1, 1)
        np.save(os.path.join(OUT, name + ".npy"), y[0].numpy().astype(np.float32))
        print("wrote", name, tuple(y[0].shape))
    make_photos()
    for name, case in CROP_CASES.items():
        crop_case(name, *case)
    # Luma of a few RGB triples (inlined in test_images.c).
    rgb = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255],
                     [12, 200, 99], [128, 128, 127], [1, 2, 3]]], dtype=np.uint8)
    print("luma", np.asarray(Image.fromarray(rgb, "RGB").convert("L")).tolist())


if __name__ == "__main__":
    main()
