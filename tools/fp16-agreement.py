#!/usr/bin/env python3
"""How often a model's top-1 class in fp16 equals its top-1 in fp32.

    tools/fp16-agreement.py MODEL.onnx [--inputs 200] [--batch 8] [--seed 0]
                            [--device SPEC] [--library PATH]

Runs the same seeded random inputs (standard normal, the model's input shape
with the batch dimension set to --batch) through two sessions on one device,
one per precision, and prints the share of items whose arg-max agrees, the
largest logit difference relative to the largest |logit|, and the worst item.
Exits 1 when the device has no fp16 (the error names it). Needs numpy and the
clgooglenet Python package (tools/python; CLGOOGLENET_LIBRARY or --library
points it at a build's libclgooglenet.so).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--inputs", type=int, default=200, help="random inputs (default 200)")
    ap.add_argument("--batch", type=int, default=8, help="inputs per run (default 8)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default=None, help="device spec (default: $CLGOOGLENET_DEVICE)")
    ap.add_argument("--library", default=None, help="libclgooglenet.so to load")
    a = ap.parse_args()
    if a.inputs < 1 or a.batch < 1:
        ap.error("--inputs and --batch must be at least 1")
    if a.library:
        os.environ["CLGOOGLENET_LIBRARY"] = a.library
    import numpy as np
    import clgooglenet

    sessions = {}
    for precision in ("fp32", "fp16"):
        try:
            sessions[precision] = clgooglenet.InferenceSession(a.model, device=a.device, precision=precision)
        except clgooglenet.ClgError as e:
            print(f"fp16-agreement: {precision}: {e}", file=sys.stderr)
            return 1
    meta = sessions["fp32"].get_inputs()[0]
    name = meta.name
    item_shape = [d if isinstance(d, int) else 1 for d in meta.shape[1:]]
    rng = np.random.default_rng(a.seed)
    agree = done = 0
    worst_rel, worst_item = 0.0, -1
    while done < a.inputs:
        n = min(a.batch, a.inputs - done)
        x = rng.standard_normal([n] + item_shape).astype(np.float32)
        ref = sessions["fp32"].run(None, {name: x})[0].reshape(n, -1)
        got = sessions["fp16"].run(None, {name: x})[0].reshape(n, -1)
        agree += int(np.sum(ref.argmax(1) == got.argmax(1)))
        rel = np.abs(got - ref).max(1) / np.maximum(np.abs(ref).max(1), 1e-30)
        if rel.max() > worst_rel:
            worst_rel, worst_item = float(rel.max()), done + int(rel.argmax())
        done += n
    print(f"{os.path.basename(a.model)}: top-1 agreement {agree / done:.4f} ({agree}/{done} inputs); "
          f"largest logit difference {worst_rel:.3g} of the largest |logit| (input {worst_item})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
