"""Database compatibility in both directions (COMPAT_TARGET=carnet only).

(a) Carnet writes a fresh database, then the real `mlflow server` opens the same database and
    must read back exactly what Carnet served.
(b) The real `mlflow server` creates (migrates) a fresh database and writes; Carnet then opens it
    and must read back exactly what MLflow served.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType

import mlflow
import servers
from helpers import unique

pytestmark = pytest.mark.carnet_only


def _norm(v):
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    return v


def populate(client: MlflowClient) -> str:
    """Write a representative data set; returns the experiment name."""
    name = unique("cross-open")
    eid = client.create_experiment(name, tags={"team": "red", "note": "héllo ✓"})
    client.set_experiment_tag(eid, "stage", "dev")
    client.create_experiment(unique("cross-open-other"), artifact_location="s3://bucket/elsewhere")

    parent = client.create_run(eid, run_name="parent", start_time=1_700_000_000_000, tags={"kind": "parent"})
    pid = parent.info.run_id
    client.log_batch(
        pid,
        metrics=[Metric("loss", 1.0 / (i + 1), 1_700_000_000_000 + i, i) for i in range(50)]
        + [Metric("nan", float("nan"), 5, 0), Metric("inf", float("inf"), 5, 0), Metric("ninf", float("-inf"), 5, 0)],
        params=[Param("lr", "0.01"), Param("opt", "adam"), Param("long", "x" * 5000)],
        tags=[RunTag("unicode", "ünïcödé ✓"), RunTag("empty", "")],
    )
    client.log_metric(pid, "loss", 0.5, timestamp=1_700_000_000_010, step=10)  # duplicate step, other value
    client.log_metric(pid, "acc", 0.75, timestamp=1, step=0)
    df = pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 0.25, 0.125]})
    ds = mlflow.data.from_pandas(df, source="s3://bucket/train.csv", name="train")
    client.log_inputs(pid, datasets=[mlflow.entities.DatasetInput(ds._to_mlflow_entity(), tags=[mlflow.entities.InputTag("mlflow.data.context", "training")])])
    client.set_terminated(pid, status="FINISHED", end_time=1_700_000_100_000)

    for i in range(3):
        child = client.create_run(eid, run_name=f"child-{i}", start_time=1_700_000_001_000 + i, tags={"mlflow.parentRunId": pid})
        client.log_metric(child.info.run_id, "score", float(i), step=i, timestamp=10 + i)
        client.log_param(child.info.run_id, "i", str(i))
        if i == 1:
            client.set_terminated(child.info.run_id, status="FAILED", end_time=1_700_000_002_000)
        if i == 2:
            client.delete_run(child.info.run_id)
    unnamed = client.create_run(eid)  # server-generated name
    client.set_tag(unnamed.info.run_id, "mlflow.runName", "renamed-later")
    deleted_exp = client.create_experiment(name + "-deleted")
    client.create_run(deleted_exp, run_name="in-deleted")
    client.delete_experiment(deleted_exp)
    return name


def snapshot(client: MlflowClient, name: str) -> dict:
    """Everything the client can read about the experiments written by populate()."""
    out = {}
    exps = client.search_experiments(view_type=ViewType.ALL, filter_string=f"name LIKE '{name}%'", order_by=["experiment_id ASC"])
    assert exps, "experiments not found"
    for exp in exps:
        runs = client.search_runs([exp.experiment_id], run_view_type=ViewType.ALL, max_results=1000, order_by=["attributes.run_name ASC"])
        run_snaps = []
        for r in runs:
            full = client.get_run(r.info.run_id)
            histories = {
                k: [(m.step, m.timestamp, _norm(m.value)) for m in client.get_metric_history(r.info.run_id, k)]
                for k in sorted(full.data.metrics)
            }
            run_snaps.append(
                {
                    "info": {
                        k: getattr(full.info, k)
                        for k in ("run_id", "run_name", "experiment_id", "user_id", "status", "start_time", "end_time", "artifact_uri", "lifecycle_stage")
                    },
                    "params": full.data.params,
                    "metrics": {k: _norm(v) for k, v in full.data.metrics.items()},
                    "tags": full.data.tags,
                    "inputs": sorted(
                        (
                            di.dataset.name,
                            di.dataset.digest,
                            di.dataset.source_type,
                            di.dataset.source,
                            di.dataset.schema,
                            di.dataset.profile,
                            tuple(sorted((t.key, t.value) for t in di.tags)),
                        )
                        for di in full.inputs.dataset_inputs
                    ),
                    "history": histories,
                    "search_equals_get": (r.data.params, {k: _norm(v) for k, v in r.data.metrics.items()}, r.data.tags)
                    == (full.data.params, {k: _norm(v) for k, v in full.data.metrics.items()}, full.data.tags),
                }
            )
        out[exp.name] = {
            "experiment_id": exp.experiment_id,
            "artifact_location": exp.artifact_location,
            "lifecycle_stage": exp.lifecycle_stage,
            "tags": exp.tags,
            "creation_time": exp.creation_time,
            "last_update_time": exp.last_update_time,
            "runs": run_snaps,
        }
    # search semantics over the stored data
    main = out[name]["experiment_id"]
    out["_searches"] = {
        f: sorted(r.info.run_name for r in client.search_runs([main], filter_string=f, run_view_type=ViewType.ALL))
        for f in (
            "metrics.loss < 0.1",
            "params.lr = '0.01'",
            "tags.mlflow.parentRunId IS NOT NULL",
            "attributes.status = 'FAILED'",
            "datasets.name = 'train'",
            "metrics.nan != 1",
        )
    }
    return out


def _assert_same(written: dict, read: dict, who_wrote: str, who_read: str):
    assert set(read) == set(written), f"{who_read} sees other experiments than {who_wrote} wrote"
    for key in written:
        assert read[key] == written[key], f"{key!r}: {who_read} reads differently than {who_wrote} served"


def _roundtrip(writer_kind: str, reader_kind: str, tmp_path):
    db = servers.create_database(servers.backend_kind(), tmp_path)
    try:
        artifacts = tmp_path / "mlartifacts"
        # (b) needs a database created and migrated by MLflow: it is the writer then
        with servers.start_server(writer_kind, db.uri_for(writer_kind), artifacts) as writer:
            client = MlflowClient(writer.url)
            name = populate(client)
            written = snapshot(client, name)
        with servers.start_server(reader_kind, db.uri_for(reader_kind), artifacts) as reader:
            client = MlflowClient(reader.url)
            read = snapshot(client, name)
            _assert_same(written, read, writer_kind, reader_kind)
            # the reader can keep writing to the same data
            main = read[name]["experiment_id"]
            rid = client.create_run(main, run_name="after-reopen").info.run_id
            client.log_metric(rid, "loss", 0.01, step=1)
            parent_id = next(r["info"]["run_id"] for r in read[name]["runs"] if r["info"]["run_name"] == "parent")
            client.log_metric(parent_id, "loss", 0.001, step=100, timestamp=1_700_000_000_100)
            assert client.get_run(parent_id).data.metrics["loss"] == 0.001
            eid2 = client.create_experiment(unique("after-reopen"))
            assert int(eid2) > max(int(v["experiment_id"]) for k, v in read.items() if not k.startswith("_"))
        # and the original writer reads the reader's writes
        with servers.start_server(writer_kind, db.uri_for(writer_kind), artifacts) as writer_again:
            client = MlflowClient(writer_again.url)
            assert client.get_run(parent_id).data.metrics["loss"] == 0.001
            assert client.get_run(rid).data.metrics == {"loss": 0.01}
    finally:
        db.drop()


def test_carnet_writes_mlflow_reads(tmp_path):
    _roundtrip("carnet", "mlflow", tmp_path)


def test_mlflow_writes_carnet_reads(tmp_path):
    _roundtrip("mlflow", "carnet", tmp_path)
