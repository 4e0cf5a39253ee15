"""The README's Spark pattern: mapInPandas with one session per Python worker
(needs pyspark, pandas and a Java runtime)."""
import gzip
import os
import shutil
import sys

import numpy as np
import pytest

pyspark = pytest.importorskip("pyspark")
pd = pytest.importorskip("pandas")

FASHION = "/usr/share/datasets/fashion-mnist"


def make_classify(model):
    """The README's function; a closure so that Spark ships the model path with it."""
    state = {}

    def classify(batches):
        import clgooglenet as rt
        if "session" not in state:
            state["session"] = rt.InferenceSession(model, batch_buckets=[64])
        for pdf in batches:
            images = np.stack([np.frombuffer(b, np.uint8).reshape(28, 28) for b in pdf["image"]])
            preds = state["session"].classify(images)
            yield pd.DataFrame({"id": pdf["id"], "pred": [p.index for p in preds]})

    return classify


def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def test_map_in_pandas(bundled):
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java runtime for Spark")
    if not os.path.exists(os.path.join(FASHION, "t10k-images-idx3-ubyte.gz")):
        pytest.skip("Fashion-MNIST is not installed (Debian: dataset-fashion-mnist)")
    n = 256
    images = read_idx(os.path.join(FASHION, "t10k-images-idx3-ubyte.gz"), 16)[:n * 784].reshape(n, 784)
    labels = read_idx(os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz"), 8)[:n]
    from pyspark.sql import SparkSession
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers need this Python's packages
    spark = (SparkSession.builder.master("local[2]").appName("clgooglenet-test")
             .config("spark.ui.enabled", "false").config("spark.driver.memory", "1g")
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
             .config("spark.executorEnv.PYTHONPATH", os.environ.get("PYTHONPATH", ""))
             .getOrCreate())
    try:
        df = spark.createDataFrame(pd.DataFrame({"id": np.arange(n, dtype=np.int64),
                                                 "image": [bytes(row) for row in images]})).repartition(2)
        out = df.mapInPandas(make_classify(bundled), schema="id long, pred int").toPandas().sort_values("id")
    finally:
        spark.stop()
    assert len(out) == n
    accuracy = float((out["pred"].to_numpy() == labels).mean())
    assert accuracy > 0.85, accuracy
