"""Dataset inputs: mlflow.log_input with pandas datasets, read back, search by datasets.*."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import mlflow
from helpers import assert_error, unique


@pytest.fixture
def logged_inputs(client):
    exp = mlflow.set_experiment(unique("inputs"))
    df = pd.DataFrame({"a": [1, 2, 3], "b": [0.1, 0.2, 0.3]})
    train = mlflow.data.from_pandas(df, source="s3://bucket/data.csv", name="train-ds", targets="b")
    evald = mlflow.data.from_pandas(df.head(2), source="s3://bucket/eval.csv", name="eval-ds")
    with mlflow.start_run(run_name="with-train") as r1:
        mlflow.log_input(train, context="training", tags={"extra": "1"})
        mlflow.log_input(train, context="training")  # same dataset again: no duplicate input
        mlflow.log_input(evald, context="eval")
    with mlflow.start_run(run_name="with-eval") as r2:
        mlflow.log_input(evald, context="eval")
    with mlflow.start_run(run_name="no-inputs") as r3:
        pass
    return exp.experiment_id, train, evald, r1.info.run_id, r2.info.run_id, r3.info.run_id


def test_inputs_read_back(client, logged_inputs):
    eid, train, evald, r1, r2, r3 = logged_inputs
    run = client.get_run(r1)
    inputs = sorted(run.inputs.dataset_inputs, key=lambda di: di.dataset.name)
    assert [di.dataset.name for di in inputs] == ["eval-ds", "train-ds"]
    ev, tr = inputs
    assert tr.dataset.digest == train.digest
    assert tr.dataset.source_type == "s3"
    assert json.loads(tr.dataset.source) == {"uri": "s3://bucket/data.csv"}
    assert json.loads(tr.dataset.schema) == json.loads(train.to_dict()["schema"])
    assert json.loads(tr.dataset.profile) == {"num_rows": 3, "num_elements": 6}
    assert {t.key: t.value for t in tr.tags} == {"extra": "1", "mlflow.data.context": "training"}
    assert ev.dataset.digest == evald.digest
    assert {t.key: t.value for t in ev.tags} == {"mlflow.data.context": "eval"}
    assert client.get_run(r3).inputs.dataset_inputs == []
    # the dataset can be loaded back as a DatasetSource
    source = mlflow.data.get_source(tr)
    assert source.to_dict() == {"uri": "s3://bucket/data.csv"}


def test_inputs_wire_shape(api, logged_inputs):
    eid, train, evald, r1, r2, r3 = logged_inputs
    run = api.ok("GET", "/runs/get", params={"run_id": r2})["run"]
    assert run["inputs"]["dataset_inputs"] == [
        {
            "tags": [{"key": "mlflow.data.context", "value": "eval"}],
            "dataset": {
                "name": "eval-ds",
                "digest": evald.digest,
                "source_type": "s3",
                "source": '{"uri": "s3://bucket/eval.csv"}',
                "schema": evald.to_dict()["schema"],
                "profile": '{"num_rows": 2, "num_elements": 4}',
            },
        }
    ]
    # search results carry dataset inputs too
    runs = api.ok("POST", "/runs/search", json={"experiment_ids": [eid], "filter": f"attributes.run_id = '{r2}'"})["runs"]
    assert runs[0]["inputs"]["dataset_inputs"] == run["inputs"]["dataset_inputs"]


def test_search_runs_by_datasets(client, logged_inputs):
    eid, train, evald, r1, r2, r3 = logged_inputs

    def ids(f):
        return {r.info.run_id for r in client.search_runs([eid], filter_string=f)}

    assert ids("datasets.name = 'train-ds'") == {r1}
    assert ids("dataset.name = 'eval-ds'") == {r1, r2}
    assert ids("datasets.context = 'eval'") == {r1, r2}
    assert ids("datasets.context = 'training'") == {r1}
    assert ids(f"datasets.digest = '{train.digest}'") == {r1}
    assert ids("datasets.name LIKE 'ev%'") == {r1, r2}
    assert ids("datasets.name ILIKE 'TRAIN%'") == {r1}
    assert ids("datasets.name IN ('train-ds', 'nope')") == {r1}
    assert ids("datasets.name != 'eval-ds'") == {r1}
    assert ids("datasets.name = 'eval-ds' AND datasets.context = 'eval' AND attributes.run_name = 'with-eval'") == {r2}
    assert ids("datasets.name = 'nope'") == set()


def test_log_inputs_raw(client, exp_id, api):
    rid = client.create_run(exp_id).info.run_id
    ds = {"name": "raw", "digest": "abc123", "source_type": "local", "source": '{"uri": "/tmp/x"}'}
    api.ok("POST", "/runs/log-inputs", json={"run_id": rid, "datasets": [{"dataset": ds, "tags": [{"key": "mlflow.data.context", "value": "t"}]}]})
    inputs = client.get_run(rid).inputs.dataset_inputs
    assert len(inputs) == 1
    assert inputs[0].dataset.name == "raw" and inputs[0].dataset.digest == "abc123"
    assert inputs[0].dataset.schema in ("", None) and inputs[0].dataset.profile in ("", None)
    assert_error(
        api.post("/runs/log-inputs", {"run_id": rid, "datasets": [{"dataset": dict(ds, digest="d" * 37)}]}),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="'digest' exceeds the maximum length of 36 characters",
    )
