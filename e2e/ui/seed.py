"""Seeds a Carnet (or MLflow) tracking server for the UI tests with the official mlflow client.

Usage: seed.py <tracking-uri>   — prints one JSON line with the ids the tests need.
Each part runs on its own, so tracking data is seeded even when the artifact or registry
endpoints are missing; failures are reported in "errors" (the tests then fail loudly).
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
import tempfile
import time
import traceback
import zlib

os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric, Param, RunTag  # noqa: E402

URI = sys.argv[1]
mlflow.set_tracking_uri(URI)
client = MlflowClient(URI)
out: dict = {"errors": {}}


def part(name):
    def wrap(fn):
        started = time.monotonic()
        try:
            fn()
        except Exception:  # noqa: BLE001 - every failure is reported to the test
            out["errors"][name] = traceback.format_exc(limit=3)[-1500:]
        print(f"seed: {name} {time.monotonic() - started:.1f}s", file=sys.stderr)
        return fn

    return wrap


def png_bytes(w: int = 64, h: int = 48) -> bytes:
    """A small gradient PNG written by hand (no imaging library needed)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 4 % 256, y * 5 % 256, 160)) for x in range(w)) for y in range(h)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def pdf_bytes() -> bytes:
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 18 Tf 30 70 Td (Carnet report) Tj ET"
    objs[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    body = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    body += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return body


def curve(step: int, lr: float, seed: int) -> tuple[float, float]:
    loss = 2.0 * math.exp(-lr * 4 * step) + 0.05 * ((seed * 7 + step) % 5) / 5
    if step == 30 and seed == 1:
        loss += 1.5  # a spike the sampled charts must keep
    return loss, 1 - loss / 2.5


@part("experiments")
def experiments():
    eid = client.create_experiment("ui-demo", tags={"team": "vision", "mlflow.note.content": "# UI demo\nRuns for **Carnet** UI tests."})
    out["experiment_id"] = eid
    out["empty_experiment_id"] = client.create_experiment("ui-empty")
    for i in range(3):
        client.create_experiment(f"ui-extra-{i}", tags={"idx": str(i)})


@part("runs")
def runs():
    eid = out["experiment_id"]
    ids = {}
    configs = [
        (opt, lr, seed)
        for opt in ("adam", "sgd")
        for lr in (0.01, 0.1)
        for seed in (1, 2, 3)
    ]
    for i, (opt, lr, seed) in enumerate(configs):
        name = f"{opt}-lr{lr}-s{seed}"
        run = client.create_run(eid, run_name=name, tags={"team": "red" if i % 2 else "blue", "mlflow.user": "alice"})
        rid = run.info.run_id
        metrics = []
        for step in range(0, 60):
            loss, acc = curve(step, lr, seed)
            ts = 1_700_000_000_000 + i * 100_000 + step * 1000
            metrics += [Metric("loss", loss, ts, step), Metric("accuracy", acc, ts, step)]
        metrics.append(Metric("f1", 0.5 + 0.04 * i, 1_700_000_000_000, 0))
        params = [Param("optimizer", opt), Param("lr", str(lr)), Param("seed", str(seed)), Param("epochs", "60")]
        client.log_batch(rid, metrics=metrics, params=params, tags=[RunTag("mlflow.source.name", "train.py")])
        client.set_terminated(rid, "FINISHED")
        ids[name] = rid
    out["run_ids"] = ids


@part("nested")
def nested():
    mlflow.set_experiment(experiment_id=out["experiment_id"])
    with mlflow.start_run(run_name="hpo-parent") as parent:
        mlflow.log_param("search", "grid")
        children = []
        for k in range(3):
            with mlflow.start_run(run_name=f"hpo-child-{k}", nested=True) as child:
                mlflow.log_params({"depth": k + 2, "optimizer": "adam"})
                for step in range(10):
                    mlflow.log_metric("loss", 1.0 / (step + k + 1), step=step)
                children.append(child.info.run_id)
        mlflow.log_metric("best_loss", 0.1)
    out["parent_run_id"] = parent.info.run_id
    out["child_run_ids"] = children


@part("artifacts")
def artifacts():
    mlflow.set_experiment(experiment_id=out["experiment_id"])
    with mlflow.start_run(run_name="with-artifacts") as run:
        mlflow.log_param("kind", "artifacts")
        mlflow.log_metric("score", 0.93)
        with tempfile.TemporaryDirectory() as d:
            files = {
                "plot.png": png_bytes(),
                "config.json": json.dumps({"lr": 0.01, "layers": [64, 32], "name": "demo"}).encode(),
                "data/sample.csv": b"id,feature,label\n1,0.5,cat\n2,0.7,dog\n3,0.1,cat\n",
                "notes.txt": b"Training notes\nline two\n",
                "report.html": b"<html><body><h1>Report</h1><p id='p'>Accuracy 93%</p><script>document.getElementById('p').dataset.ran = 'yes'</script></body></html>",
                "report.pdf": pdf_bytes(),
                "params.yaml": b"lr: 0.01\nlayers:\n  - 64\n  - 32\n",
            }
            for rel, data in files.items():
                path = os.path.join(d, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(data)
                mlflow.log_artifact(path, artifact_path=os.path.dirname(rel) or None)
    out["artifact_run_id"] = run.info.run_id


@part("model_folder")
def model_folder():
    """A model saved as plain run artifacts (the pre-3.x layout), for "Register model" from a folder."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    mlflow.set_experiment(experiment_id=out["experiment_id"])
    with mlflow.start_run(run_name="model-folder") as run, tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "tree")
        mlflow.sklearn.save_model(
            LogisticRegression().fit(np.eye(2), [0, 1]), path, pip_requirements=["scikit-learn"]
        )
        mlflow.log_artifacts(path, artifact_path="tree_model")
    out["model_folder_run_id"] = run.info.run_id


@part("model")
def model():
    import numpy as np
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    mlflow.set_experiment(experiment_id=out["experiment_id"])
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1]])
    y = np.array([0, 1, 0, 1])
    versions = []
    for c in (1.0, 0.5):
        with mlflow.start_run(run_name=f"sklearn-C{c}") as run:
            mlflow.log_param("C", c)
            mlflow.log_metric("train_acc", 1.0)
            # an explicit signature and requirements skip mlflow's slow subprocess inference
            info = mlflow.sklearn.log_model(
                LogisticRegression(C=c).fit(X, y),
                name="model",
                registered_model_name="ui-demo-model",
                signature=infer_signature(X, y),
                pip_requirements=["scikit-learn"],
            )
            versions.append({"run_id": run.info.run_id, "model_id": info.model_id})
    out["model_name"] = "ui-demo-model"
    out["model_runs"] = versions
    client.update_registered_model("ui-demo-model", description="A **demo** classifier.")
    client.set_registered_model_tag("ui-demo-model", "owner", "vision-team")
    client.set_registered_model_alias("ui-demo-model", "champion", "2")
    client.transition_model_version_stage("ui-demo-model", "1", "Staging")


print(json.dumps(out))
