"""Runs: create/get/update/delete/restore, names, nested runs, tags, lifecycle errors."""

from __future__ import annotations

import re
import time

import pytest
from mlflow.entities import RunStatus, ViewType
from mlflow.exceptions import MlflowException

import mlflow
from helpers import assert_error, unique

RUN_ID_RE = re.compile(r"^[0-9a-f]{32}$")


def test_fluent_run_with_name(client):
    exp = mlflow.set_experiment(unique("runs-fluent"))
    before = int(time.time() * 1000)
    with mlflow.start_run(run_name="my-run", description="hello") as run:
        run_id = run.info.run_id
        assert RUN_ID_RE.match(run_id)
        assert run.info.run_name == "my-run"
        assert run.info.status == "RUNNING"
        assert run.info.experiment_id == exp.experiment_id
    after = int(time.time() * 1000)
    got = client.get_run(run_id)
    assert got.info.run_id == run_id
    assert got.info.run_name == "my-run"
    assert got.info.status == "FINISHED"
    assert got.info.lifecycle_stage == "active"
    assert before - 5000 <= got.info.start_time <= got.info.end_time <= after + 5000
    assert got.info.artifact_uri == f"mlflow-artifacts:/{exp.experiment_id}/{run_id}/artifacts"
    tags = got.data.tags
    assert tags["mlflow.runName"] == "my-run"
    assert tags["mlflow.note.content"] == "hello"
    assert tags["mlflow.source.type"] == "LOCAL"
    assert "mlflow.user" in tags and "mlflow.source.name" in tags


def test_server_generates_run_name(client, exp_id, api):
    run = client.create_run(exp_id)
    name = run.info.run_name
    assert name and re.match(r"^[a-z]+-[a-z]+-\d{1,4}$", name), name
    assert run.data.tags["mlflow.runName"] == name
    assert client.get_run(run.info.run_id).info.run_name == name
    # raw wire: run_uuid mirrors run_id; end_time omitted while unset; status RUNNING
    body = api.ok("POST", "/runs/create", json={"experiment_id": exp_id, "start_time": 1234})
    info = body["run"]["info"]
    assert info["run_uuid"] == info["run_id"]
    assert RUN_ID_RE.match(info["run_id"])
    assert info["status"] == "RUNNING"
    assert info["start_time"] == 1234
    assert info["lifecycle_stage"] == "active"
    assert info["experiment_id"] == exp_id
    assert "end_time" not in info
    assert {"key": "mlflow.runName", "value": info["run_name"]} in body["run"]["data"]["tags"]


def test_run_name_from_tag_and_conflict(client, exp_id, api):
    run = client.create_run(exp_id, tags={"mlflow.runName": "from-tag"})
    assert run.info.run_name == "from-tag"
    body = api.ok("POST", "/runs/create", json={"experiment_id": exp_id, "run_name": "same", "tags": [{"key": "mlflow.runName", "value": "same"}]})
    assert body["run"]["info"]["run_name"] == "same"
    assert_error(
        api.post("/runs/create", {"experiment_id": exp_id, "run_name": "a", "tags": [{"key": "mlflow.runName", "value": "b"}]}),
        400,
        "INVALID_PARAMETER_VALUE",
    )


def test_update_run(client, exp_id, api):
    run = client.create_run(exp_id, run_name="before")
    rid = run.info.run_id
    client.update_run(rid, status="FAILED", name="after")
    got = client.get_run(rid)
    assert got.info.status == "FAILED"
    assert got.info.run_name == "after"
    assert got.data.tags["mlflow.runName"] == "after"
    client.set_terminated(rid, status="KILLED", end_time=1_700_000_000_000)
    got = client.get_run(rid)
    assert got.info.status == "KILLED"
    assert got.info.end_time == 1_700_000_000_000
    # no transition validation: a terminated run can go back to RUNNING
    body = api.ok("POST", "/runs/update", json={"run_id": rid, "status": "RUNNING"})
    assert body["run_info"]["status"] == "RUNNING"
    assert body["run_info"]["run_name"] == "after"
    assert body["run_info"]["end_time"] == 1_700_000_000_000  # untouched when absent
    # wire: numeric enum and run_uuid alias
    body = api.ok("POST", "/runs/update", json={"run_uuid": rid, "status": 3, "end_time": 1_700_000_000_001})
    assert body["run_info"]["status"] == "FINISHED"
    assert body["run_info"]["end_time"] == 1_700_000_000_001


def test_logging_to_a_finished_run_is_allowed(client, exp_id):
    run = client.create_run(exp_id)
    client.set_terminated(run.info.run_id)
    client.log_metric(run.info.run_id, "m", 1.0)
    client.log_param(run.info.run_id, "p", "v")
    client.set_tag(run.info.run_id, "t", "v")
    data = client.get_run(run.info.run_id).data
    assert data.metrics == {"m": 1.0} and data.params == {"p": "v"} and data.tags["t"] == "v"


def test_delete_and_restore_run(client, exp_id, api):
    run = client.create_run(exp_id)
    rid = run.info.run_id
    client.delete_run(rid)
    assert client.get_run(rid).info.lifecycle_stage == "deleted"
    # deleting twice is fine
    client.delete_run(rid)
    msg = f"The run {rid} must be in the 'active' state. Current state is deleted."
    for call in (
        lambda: client.log_metric(rid, "m", 1.0),
        lambda: client.log_param(rid, "p", "v"),
        lambda: client.set_tag(rid, "t", "v"),
        lambda: client.log_batch(rid, params=[mlflow.entities.Param("a", "b")]),
        lambda: client.update_run(rid, status="FINISHED"),
    ):
        with pytest.raises(MlflowException) as e:
            call()
        assert e.value.error_code == "INVALID_PARAMETER_VALUE"
        assert msg in e.value.message
    assert_error(
        api.post("/runs/log-metric", {"run_id": rid, "key": "m", "value": 1, "timestamp": 1}), 400, "INVALID_PARAMETER_VALUE", message=msg
    )
    assert_error(api.post("/runs/set-tag", {"run_id": rid, "key": "k", "value": "v"}), 400, "INVALID_PARAMETER_VALUE", message=msg)
    assert_error(api.post("/runs/delete-tag", {"run_id": rid, "key": "mlflow.runName"}), 400, "INVALID_PARAMETER_VALUE", message=msg)
    # the fluent API refuses to resume a deleted run
    mlflow.set_experiment(experiment_id=exp_id)
    with pytest.raises(MlflowException, match="deleted"):
        mlflow.start_run(run_id=rid)
    client.restore_run(rid)
    assert client.get_run(rid).info.lifecycle_stage == "active"
    client.log_metric(rid, "m", 1.0)


def test_unknown_run(client, api):
    missing = "0" * 32
    with pytest.raises(MlflowException) as e:
        client.get_run(missing)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert_error(api.get("/runs/get", {"run_id": missing}), 404, "RESOURCE_DOES_NOT_EXIST", message=f"Run with id={missing} not found")
    assert_error(api.post("/runs/delete", {"run_id": missing}), 404, "RESOURCE_DOES_NOT_EXIST")
    assert_error(api.post("/runs/restore", {"run_id": missing}), 404, "RESOURCE_DOES_NOT_EXIST")
    assert_error(api.post("/runs/update", {"run_id": missing, "status": "FINISHED"}), 404, "RESOURCE_DOES_NOT_EXIST")
    assert_error(
        api.post("/runs/log-metric", {"run_id": missing, "key": "m", "value": 1, "timestamp": 1}), 404, "RESOURCE_DOES_NOT_EXIST"
    )
    assert_error(api.post("/runs/log-parameter", {"run_id": missing, "key": "p", "value": "v"}), 404, "RESOURCE_DOES_NOT_EXIST")
    assert_error(api.post("/runs/set-tag", {"run_id": missing, "key": "p", "value": "v"}), 404, "RESOURCE_DOES_NOT_EXIST")
    assert_error(api.post("/runs/log-batch", {"run_id": missing, "params": [{"key": "p", "value": "v"}]}), 404, "RESOURCE_DOES_NOT_EXIST")
    with pytest.raises(MlflowException) as e:
        client.create_run("987654321")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_get_run_with_legacy_run_uuid(client, exp_id, api):
    run = client.create_run(exp_id)
    body = api.ok("GET", "/runs/get", params={"run_uuid": run.info.run_id})
    assert body["run"]["info"]["run_id"] == run.info.run_id


def test_nested_runs(client):
    exp = mlflow.set_experiment(unique("runs-nested"))
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child-1", nested=True) as c1:
            assert mlflow.active_run().info.run_id == c1.info.run_id
            with mlflow.start_run(run_name="grandchild", nested=True) as gc:
                pass
        with mlflow.start_run(run_name="child-2", nested=True) as c2:
            pass
        assert mlflow.active_run().info.run_id == parent.info.run_id
    pid = parent.info.run_id
    assert client.get_run(c1.info.run_id).data.tags["mlflow.parentRunId"] == pid
    assert client.get_run(c2.info.run_id).data.tags["mlflow.parentRunId"] == pid
    assert client.get_run(gc.info.run_id).data.tags["mlflow.parentRunId"] == c1.info.run_id
    assert "mlflow.parentRunId" not in client.get_run(pid).data.tags
    children = client.search_runs([exp.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{pid}'", order_by=["attributes.run_name ASC"])
    assert [r.info.run_name for r in children] == ["child-1", "child-2"]
    for rid in (pid, c1.info.run_id, c2.info.run_id, gc.info.run_id):
        assert client.get_run(rid).info.status == "FINISHED"


def test_failed_run_status_from_exception(client):
    mlflow.set_experiment(unique("runs-fail"))
    with pytest.raises(RuntimeError):
        with mlflow.start_run() as run:
            raise RuntimeError("boom")
    assert client.get_run(run.info.run_id).info.status == "FAILED"


def test_resume_run(client):
    mlflow.set_experiment(unique("runs-resume"))
    with mlflow.start_run() as run:
        mlflow.log_param("a", "1")
    rid = run.info.run_id
    with mlflow.start_run(run_id=rid):
        assert client.get_run(rid).info.status == "RUNNING"
        mlflow.log_param("b", "2")
    got = client.get_run(rid)
    assert got.info.status == "FINISHED"
    assert got.data.params == {"a": "1", "b": "2"}


def test_tags_set_delete_and_rename(client, exp_id, api):
    run = client.create_run(exp_id, run_name="orig")
    rid = run.info.run_id
    client.set_tag(rid, "k", "v1")
    client.set_tag(rid, "k", "v2")  # upsert
    client.set_tag(rid, "unicode", "héllo wörld ✓")
    tags = client.get_run(rid).data.tags
    assert tags["k"] == "v2" and tags["unicode"] == "héllo wörld ✓"
    client.delete_tag(rid, "k")
    assert "k" not in client.get_run(rid).data.tags
    with pytest.raises(MlflowException) as e:
        client.delete_tag(rid, "k")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert_error(
        api.post("/runs/delete-tag", {"run_id": rid, "key": "nope"}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        message=f"No tag with name: nope in run with id {rid}",
    )
    # mlflow.runName tag renames the run
    client.set_tag(rid, "mlflow.runName", "renamed")
    assert client.get_run(rid).info.run_name == "renamed"
    # via log-batch, too
    client.log_batch(rid, tags=[mlflow.entities.RunTag("mlflow.runName", "batch-renamed")])
    got = client.get_run(rid)
    assert got.info.run_name == "batch-renamed"
    assert got.data.tags["mlflow.runName"] == "batch-renamed"
    # fluent
    with mlflow.start_run(run_id=rid):
        mlflow.set_tags({"f1": "a", "f2": "b"})
        mlflow.set_tag("f3", 3)
    tags = client.get_run(rid).data.tags
    assert tags["f1"] == "a" and tags["f2"] == "b" and tags["f3"] == "3"


def test_tag_limits(client, exp_id, api):
    rid = client.create_run(exp_id).info.run_id
    # tag values are truncated to 8000 characters
    client.set_tag(rid, "long", "v" * 9000)
    assert client.get_run(rid).data.tags["long"] == "v" * 8000
    assert_error(
        api.post("/runs/set-tag", {"run_id": rid, "key": "k" * 251, "value": "v"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="'key' exceeds the maximum length of 250 characters",
    )
    assert_error(
        api.post("/runs/set-tag", {"run_id": rid, "key": "bad$key", "value": "v"}),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).",
    )


def test_search_runs_view_types(client, exp_id):
    a = client.create_run(exp_id).info.run_id
    b = client.create_run(exp_id).info.run_id
    client.delete_run(b)

    def ids(view):
        return {r.info.run_id for r in client.search_runs([exp_id], run_view_type=view)}

    assert ids(ViewType.ACTIVE_ONLY) == {a}
    assert ids(ViewType.DELETED_ONLY) == {b}
    assert ids(ViewType.ALL) == {a, b}
    df = mlflow.search_runs([exp_id], run_view_type=ViewType.ALL)
    assert set(df["run_id"]) == {a, b}
    assert mlflow.search_runs([exp_id], output_format="list")[0].info.run_id == a


def test_run_status_enum_values(client, exp_id):
    rid = client.create_run(exp_id).info.run_id
    for status in ("SCHEDULED", "FAILED", "KILLED", "FINISHED", "RUNNING"):
        client.update_run(rid, status=status)
        assert client.get_run(rid).info.status == status
    assert RunStatus.is_terminated(RunStatus.from_string(client.get_run(rid).info.status)) is False
