#!/usr/bin/python3
"""Golden values for tests/test_images.c: PyTorch's preprocessing of synthetic images.

Each case is an 8-bit image made from the pattern
    pixel(y, x, c) = (37*y + 11*x + 101*c + 7) % 256
(test_images.c builds the same image), converted the way the training
pipeline does: uint8 -> float32 / 255, then
F.interpolate(mode='bilinear', align_corners=False, antialias=False), then
(x - mean) / std.  RGB -> gray uses PIL's convert('L') (ITU-R 601 luma).
Writes tests/data/images/<name>.npy, float32 [C, H, W]. runtime/preprocess.c
reproduces these bit for bit (made with Debian's torch 1.13, CPU).

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
    # Luma of a few RGB triples (inlined in test_images.c).
    rgb = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255],
                     [12, 200, 99], [128, 128, 127], [1, 2, 3]]], dtype=np.uint8)
    print("luma", np.asarray(Image.fromarray(rgb, "RGB").convert("L")).tolist())


if __name__ == "__main__":
    main()
