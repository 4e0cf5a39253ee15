#!/usr/bin/env python3
"""Cold start, warm start and speed of one model on every OpenCL
implementation this machine has, measured side by side.

    tools/compare-implementations.py [--model M.onnx] [--rounds 3] [--runs 20] [--batches 1,32]

Cold start: one `bench` run of a single image with empty kernel caches (PoCL's,
Mesa's and clgooglenet's program store, each in a fresh folder), wall time
of the whole process; warm start: the same command again. Then `bench --json`
at each batch size, interleaved over the implementations for --rounds rounds;
the table gives the median of the rounds' medians. Run it on an idle machine.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# As tests/on-implementation.sh sets them.
IMPLEMENTATIONS = {
    "pocl-pthread": {"POCL_DEVICES": "pthread basic", "CLGOOGLENET_DEVICE": "pthread"},
    "pocl-basic": {"POCL_DEVICES": "pthread basic", "CLGOOGLENET_DEVICE": "basic"},
    "intel": {"CLGOOGLENET_DEVICE": "Intel(R) OpenCL"},
    "rusticl": {"RUSTICL_ENABLE": "llvmpipe", "CLGOOGLENET_DEVICE": "rusticl"},
}


def environment(impl, cache):
    env = dict(os.environ)
    env.update(IMPLEMENTATIONS[impl])
    env.update({"POCL_CACHE_DIR": os.path.join(cache, "pocl"),
                "XDG_CACHE_HOME": os.path.join(cache, "xdg"),
                "MESA_SHADER_CACHE_DIR": os.path.join(cache, "mesa")})
    return env


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "clgooglenet"))
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "googlenet-fashion-mnist.onnx"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--batches", default="1,32")
    ap.add_argument("--implementations", default=",".join(IMPLEMENTATIONS))
    args = ap.parse_args()
    batches = [int(b) for b in args.batches.split(",")]

    work = tempfile.mkdtemp(prefix="clg-impls-")
    present = []
    for impl in args.implementations.split(","):
        if impl not in IMPLEMENTATIONS:
            sys.exit(f"unknown implementation {impl}; known: {', '.join(IMPLEMENTATIONS)}")
        env = environment(impl, os.path.join(work, impl))
        if subprocess.run([args.cli, "devices"], env=env, capture_output=True).returncode == 0:
            present.append(impl)
        else:
            print(f"skipped: {impl} (no device)")

    starts = {}
    for impl in present:
        env = environment(impl, os.path.join(work, impl))
        times = []
        for _ in ("cold", "warm"):
            t0 = time.perf_counter()
            subprocess.run([args.cli, "bench", args.model, "--batch", "1", "--runs", "1", "--warmup", "0"],
                           env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
        starts[impl] = times
        print(f"{impl}: cold start {times[0]:.2f} s, warm start {times[1]:.2f} s", flush=True)

    results = {(impl, b): [] for impl in present for b in batches}
    for r in range(args.rounds):
        for b in batches:
            for impl in present:
                env = environment(impl, os.path.join(work, impl))
                out = subprocess.run([args.cli, "bench", args.model, "--batch", str(b), "--runs", str(args.runs),
                                      "--json"], env=env, capture_output=True, text=True, check=True).stdout
                results[(impl, b)].append(json.loads(out.strip().splitlines()[-1])["latency_ms_median"])
        print(f"round {r + 1}/{args.rounds} done", flush=True)

    header = f"{'implementation':<14} {'cold s':>7} {'warm s':>7}"
    for b in batches:
        header += f" {'b' + str(b) + ' ms':>10} {'b' + str(b) + ' img/s':>11}"
    print("\n" + header)
    for impl in present:
        line = f"{impl:<14} {starts[impl][0]:7.2f} {starts[impl][1]:7.2f}"
        for b in batches:
            ms = statistics.median(results[(impl, b)])
            line += f" {ms:10.2f} {1000.0 * b / ms:11.1f}"
        print(line)
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
