"""The clgooglenet Python package: ONNX Runtime's API over the C library."""
import os
import threading

import numpy as np
import pytest

import clgooglenet as rt


def load_golden(data_dir, name):
    return (os.path.join(data_dir, name + ".onnx"), np.load(os.path.join(data_dir, name + ".input.npy")),
            np.load(os.path.join(data_dir, name + ".output.npy")))


def test_version_and_devices():
    assert rt.__version__ == "0.1.0"
    devs = rt.devices()
    assert devs and all(d.type in ("cpu", "gpu", "accelerator", "other") for d in devs)
    # Every entry read at the C struct's stride: names intact, half flags consistent.
    assert all(d.name and d.platform for d in devs)
    assert all(not d.fp16_emulated or (d.has_fp16 and d.type == "cpu") for d in devs)
    assert os.path.exists(rt.get_library_path())


@pytest.mark.parametrize("name", ["d2l_small", "d2l_small_112x80"])
def test_golden_logits(data_dir, name):
    path, x, want = load_golden(data_dir, name)
    sess = rt.InferenceSession(path)
    inp, = sess.get_inputs()
    out, = sess.get_outputs()
    assert inp.shape == ["batch", 1] + list(x.shape[2:]) and inp.type == "tensor(float)"
    assert out.shape == ["batch", 10] and out.name == "logits"
    got, = sess.run(None, {inp.name: x})
    assert got.dtype == np.float32 and got.shape == want.shape
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()
    # By name, from bytes, and with a non-contiguous input (copied once).
    got2, = rt.InferenceSession(open(path, "rb").read()).run(["logits"], {inp.name: x})
    np.testing.assert_array_equal(got, got2)
    wide = np.repeat(x, 2, axis=3)[:, :, :, ::2]
    assert not wide.flags.c_contiguous
    got3, = sess.run(None, {inp.name: wide})
    np.testing.assert_array_equal(got, got3)


@pytest.mark.parametrize("device", [None, "Intel(R) OpenCL"])
def test_precision_fp16(data_dir, device):
    """fp16 runs where the device has cl_khr_fp16 and is refused, naming the device, where not."""
    path, x, want = load_golden(data_dir, "d2l_small")
    if device and not any(device in d.platform for d in rt.devices()):
        pytest.skip(f"no {device} device")
    with pytest.raises(ValueError):
        rt.InferenceSession(path, device=device, precision="fp8")
    try:
        sess = rt.InferenceSession(path, device=device, precision="fp16")
    except rt.ClgError as e:
        assert e.status == "CLG_ERR_UNSUPPORTED" and "has no cl_khr_fp16" in e.message
        return
    got, = sess.run(None, {"input": x})
    # Half keeps about three decimal digits; the bundled model's logits stay within 1% of float32.
    assert np.abs(got - want).max() <= 1e-2 * np.abs(want).max()
    assert (got.argmax(1) == want.argmax(1)).all()


def test_wrong_shape_raises_library_message(data_dir):
    path, x, _ = load_golden(data_dir, "d2l_small")
    sess = rt.InferenceSession(path)
    with pytest.raises(rt.ClgError) as e:
        sess.run(None, {"input": x[:, :, :50]})
    assert e.value.status == "CLG_ERR_SHAPE"
    assert "input 'input': expected shape ?x1x96x96, got 3x1x50x96" in e.value.message
    assert str(e.value).startswith("CLG_ERR_SHAPE: ")
    # The session still works afterwards.
    sess.run(None, {"input": x})


def test_bad_inputs(data_dir):
    path, x, _ = load_golden(data_dir, "d2l_small")
    sess = rt.InferenceSession(path)
    cases = [
        ({"input": x.astype(np.float64)}, "has type float64"),
        ({}, "input 'input' is missing"),
        ({"input": x, "extra": x}, "unknown input(s) 'extra'"),
        ({"input": np.zeros((1,) * 9, np.float32)}, "rank 9"),
        ([x], "must be a dict"),
    ]
    for feed, msg in cases:
        with pytest.raises(rt.ClgError) as e:
            sess.run(None, feed)
        assert e.value.status == "CLG_ERR_INVALID_ARGUMENT" and msg in e.value.message, e.value
    with pytest.raises(rt.ClgError, match="'nope' is not an output"):
        sess.run(["nope"], {"input": x})
    with pytest.raises(rt.ClgError) as e:
        sess.run(None, {"input": np.zeros((2, 1, 96), np.float32)})
    assert e.value.status == "CLG_ERR_SHAPE"


def test_bad_files_and_options(tmp_path, data_dir):
    with pytest.raises(rt.ClgError) as e:
        rt.InferenceSession(str(tmp_path / "missing.onnx"))
    assert e.value.status == "CLG_ERR_IO"
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x08\x07garbage" * 10)
    with pytest.raises(rt.ClgError) as e:
        rt.InferenceSession(str(junk))
    assert e.value.status == "CLG_ERR_PARSE"
    with pytest.raises(rt.ClgError) as e:
        rt.InferenceSession(b"")
    assert e.value.status == "CLG_ERR_PARSE"
    path = os.path.join(data_dir, "d2l_small.onnx")
    with pytest.raises(rt.ClgError) as e:
        rt.InferenceSession(path, device="no-such-device-anywhere")
    assert e.value.status == "CLG_ERR_DEVICE_NOT_FOUND"
    with pytest.raises(rt.ClgError, match="options.conv_algorithm='bogus'"):
        rt.InferenceSession(path, conv_algorithm="bogus")
    with pytest.raises(rt.ClgError, match="options.passes_off"):
        rt.InferenceSession(path, passes_off="1,x")
    with pytest.raises(TypeError, match="unknown option"):
        rt.InferenceSession(path, threads=4)
    with pytest.raises(ValueError):
        rt.InferenceSession(path, tuning="sometimes")


def test_options_give_the_same_logits(data_dir):
    path, x, want = load_golden(data_dir, "d2l_small")
    for opts in ({"passes_off": "all", "gemm": "kernel"}, {"queues": 2, "tuning": "off", "passes_off": [3]},
                 {"conv_algorithm": "kvec", "max_plans": 1, "kernel_family": "cpu"}):
        got, = rt.InferenceSession(path, **opts).run(None, {"input": x})
        assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max(), opts


def test_batch_buckets_and_plan_limit(data_dir):
    path, x, want = load_golden(data_dir, "d2l_small")
    sess = rt.InferenceSession(path, batch_buckets=[4])
    for b in (1, 2, 3):
        got, = sess.run(None, {"input": x[:b]})
        assert got.shape == (b, 10)
        assert np.abs(got - want[:b]).max() <= 1e-4 * np.abs(want).max()
    assert sess.plan_count() == 1
    sess.set_batch_buckets([])
    sess.set_plan_limit(1)
    sess.run(None, {"input": x[:1]})
    sess.run(None, {"input": x[:2]})
    assert sess.plan_count() == 1
    with pytest.raises(rt.ClgError, match="ascending"):
        sess.set_batch_buckets([8, 4])


def test_threads_share_a_session(data_dir):
    path, x, want = load_golden(data_dir, "d2l_small")
    sess = rt.InferenceSession(path)
    sess.run(None, {"input": x})  # plan once
    results, errors = [], []

    def work():
        try:
            for _ in range(3):
                results.append(sess.run(None, {"input": x})[0])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 12
    for r in results:
        np.testing.assert_array_equal(r, results[0])


def test_classify_files_and_arrays(root, bundled):
    if not os.path.exists(bundled):
        pytest.skip("the bundled model is not in models/")
    sess = rt.InferenceSession(bundled)
    assert sess.class_names()[0] == "T-shirt/top"
    samples = os.path.join(root, "models", "samples")
    files = sorted(os.path.join(samples, f) for f in os.listdir(samples) if f.endswith(".png"))
    preds = sess.classify(files)
    assert len(preds) == len(files)
    hits = sum(int(os.path.basename(f).split("-")[0]) == p.index for f, p in zip(files, preds))
    assert hits >= 8, preds
    assert all(0.0 <= p.probability <= 1.0 and p.name for p in preds)
    # uint8 arrays: one HxW image, a batch NxHxW, and top-k.
    img = np.zeros((28, 28), np.uint8)
    img[4:24, 10:18] = 200
    one = sess.classify(img)
    assert len(one) == 1
    batch = sess.classify(np.stack([img, img]), top_k=3)
    assert len(batch) == 2 and len(batch[0]) == 3 and batch[0][0].index == one[0].index
    x = sess.preprocess(img)
    assert x.shape == (1, 1, 96, 96) and x.dtype == np.float32
    with pytest.raises(rt.ClgError) as e:
        sess.classify(np.zeros((28, 28), np.float32))
    assert e.value.status == "CLG_ERR_INVALID_ARGUMENT"
    with pytest.raises(rt.ClgError) as e:
        sess.classify([os.path.join(root, "README.md")])
    assert e.value.status in ("CLG_ERR_UNSUPPORTED", "CLG_ERR_PARSE")


def test_trace(tmp_path, data_dir):
    path, x, _ = load_golden(data_dir, "d2l_small")
    sess = rt.InferenceSession(path, profiling=True)
    sess.run(None, {"input": x})
    assert sess.trace_event_count() > 0
    assert sess.trace_total_ms() > 0
    table = sess.trace_table()
    assert "Conv" in table
    out = sess.write_trace(str(tmp_path / "trace.json"))
    import json
    assert json.load(open(out))["traceEvents"]
    with pytest.raises(rt.ClgError, match="profiling=True"):
        rt.InferenceSession(path).trace_table()


def test_close(data_dir):
    path, x, _ = load_golden(data_dir, "d2l_small")
    with rt.InferenceSession(path) as sess:
        sess.run(None, {"input": x})
    with pytest.raises(ValueError, match="closed"):
        sess.run(None, {"input": x})


def test_onnxruntime_arguments_are_accepted(data_dir):
    path, x, want = load_golden(data_dir, "d2l_small")
    sess = rt.InferenceSession(path, providers=["CPUExecutionProvider"], sess_options=None)
    assert sess.get_providers() == ["OpenCLExecutionProvider"]
    got, = sess.run(["logits"], {"input": x})
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()
