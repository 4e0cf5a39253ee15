"""tools/ray-classify.py on a local Ray cluster with two actors (needs ray[data])."""
import os
import re
import subprocess
import sys

import pytest

pytest.importorskip("ray")


def run_script(root, *args):
    cmd = [sys.executable, os.path.join(root, "tools", "ray-classify.py"), *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def images_per_s(out):
    m = re.search(r"([0-9.]+) images/s", out)
    assert m, out
    return float(m.group(1))


def test_fashion_mnist_two_actors(root):
    if not os.path.exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"):
        pytest.skip("Fashion-MNIST is not installed (Debian: dataset-fashion-mnist)")
    # 1,000 of the 10,000 test images in batches of 96: the last one (40) is partial, and the
    # batch bucket lets the same plan serve it.
    out = run_script(root, "--concurrency", "2", "--batch-size", "96", "--limit", "1000")
    m = re.search(r"accuracy: ([0-9.]+) \(([0-9]+)/1000 correct\)", out)
    assert m, out
    assert float(m.group(1)) > 0.88
    assert "a pool of 2 actor(s)" in out
    assert images_per_s(out) > 0


def test_image_folder_two_actors(root):
    samples = os.path.join(root, "models", "samples")
    out = run_script(root, "--images", samples, "--concurrency", "2", "--batch-size", "4")
    m = re.search(r"accuracy: ([0-9.]+) \(([0-9]+)/10 correct\)", out)
    assert m, out
    assert int(m.group(2)) >= 8
    assert "10 images" in out
