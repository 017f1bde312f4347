"""Metrics: logging, history paging, NaN/Inf, latest-value semantics, batch limits, bulk interval."""

from __future__ import annotations

import math
import time

import pytest
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException

import mlflow
from helpers import assert_error, unique

DOUBLE_MAX = 1.7976931348623157e308


def _run(client, exp_id):
    return client.create_run(exp_id).info.run_id


def _hist(client, rid, key):
    return [(m.step, m.timestamp, m.value) for m in client.get_metric_history(rid, key)]


def test_fluent_metrics_with_step_and_timestamp(client):
    mlflow.set_experiment(unique("metrics-fluent"))
    before = int(time.time() * 1000)
    with mlflow.start_run() as run:
        mlflow.log_metric("loss", 0.5)
        mlflow.log_metric("loss", 0.25, step=1)
        mlflow.log_metric("acc", 0.9, step=3, timestamp=1_700_000_000_123)
        mlflow.log_metrics({"a": 1, "b": 2.5}, step=7)
    after = int(time.time() * 1000)
    rid = run.info.run_id
    hist = client.get_metric_history(rid, "loss")
    assert [(m.step, m.value) for m in hist] == [(0, 0.5), (1, 0.25)]
    for m in hist:
        assert before - 5000 <= m.timestamp <= after + 5000
        assert m.key == "loss"
    assert _hist(client, rid, "acc") == [(3, 1_700_000_000_123, 0.9)]
    assert [(m.step, m.value) for m in client.get_metric_history(rid, "b")] == [(7, 2.5)]
    assert client.get_run(rid).data.metrics == {"loss": 0.25, "acc": 0.9, "a": 1.0, "b": 2.5}
    assert client.get_metric_history(rid, "never-logged") == []


def test_history_order_and_wire_shape(client, exp_id, api):
    rid = _run(client, exp_id)
    # logged out of order: history is ordered by timestamp, then step, then value
    client.log_batch(
        rid,
        metrics=[
            Metric("m", 3.0, 300, 1),
            Metric("m", 1.0, 100, 5),
            Metric("m", 2.0, 200, 0),
            Metric("m", 0.5, 200, 0),
            Metric("m", -7.25, 100, 2),
        ],
    )
    assert _hist(client, rid, "m") == [(2, 100, -7.25), (5, 100, 1.0), (0, 200, 0.5), (0, 200, 2.0), (1, 300, 3.0)]
    body = api.ok("GET", "/metrics/get-history", params={"run_id": rid, "metric_key": "m", "max_results": 2})
    assert body["metrics"][0] == {"key": "m", "value": -7.25, "timestamp": 100, "step": 2}
    assert len(body["metrics"]) == 2
    token = body["next_page_token"]
    body2 = api.ok("GET", "/metrics/get-history", params={"run_id": rid, "metric_key": "m", "max_results": 2, "page_token": token})
    body3 = api.ok(
        "GET", "/metrics/get-history", params={"run_id": rid, "metric_key": "m", "max_results": 2, "page_token": body2["next_page_token"]}
    )
    assert len(body2["metrics"]) == 2 and len(body3["metrics"]) == 1
    assert "next_page_token" not in body3
    # without max_results everything comes back in one response
    body = api.ok("GET", "/metrics/get-history", params={"run_id": rid, "metric_key": "m"})
    assert len(body["metrics"]) == 5 and "next_page_token" not in body
    # integral doubles are JSON numbers, int64 fields are numbers too
    assert isinstance(body["metrics"][0]["timestamp"], int)
    assert isinstance(body["metrics"][0]["step"], int)
    # unknown key: empty object
    assert api.ok("GET", "/metrics/get-history", params={"run_id": rid, "metric_key": "nope", "max_results": 5}) == {}


def test_large_history_paging(client, exp_id):
    """30 000 points: the client sends 30 log-batch requests and reads back 2 pages (25 000 + 5 000)."""
    rid = _run(client, exp_id)
    n = 30_000
    t0 = time.monotonic()
    client.log_batch(rid, metrics=[Metric("big", float(i) / 3, 1_000_000 + i, i) for i in range(n)], synchronous=True)
    t1 = time.monotonic()
    hist = client.get_metric_history(rid, "big")
    t2 = time.monotonic()
    print(f"\nlog 30k points: {t1 - t0:.2f}s, read history: {t2 - t1:.2f}s")
    assert len(hist) == n
    assert [m.step for m in hist] == list(range(n))
    bad = [(m.step, m.timestamp, repr(m.value)) for m in hist if m.value != float(m.step) / 3 or m.timestamp != 1_000_000 + m.step]
    # doubles must round-trip bit-exactly (MLflow does on every backend)
    assert bad == [], f"{len(bad)} points differ, first: {bad[:3]} (expected value step/3, timestamp 1000000+step)"
    assert client.get_run(rid).data.metrics["big"] == float(n - 1) / 3


def test_nan_and_infinities_round_trip(client, exp_id, api):
    rid = _run(client, exp_id)
    client.log_metric(rid, "nan", float("nan"), step=1, timestamp=10)
    client.log_metric(rid, "pinf", float("inf"), step=1, timestamp=10)
    client.log_metric(rid, "ninf", float("-inf"), step=1, timestamp=10)
    metrics = client.get_run(rid).data.metrics
    assert math.isnan(metrics["nan"])
    # the SQL store clamps infinities to +/- the largest double
    assert metrics["pinf"] == DOUBLE_MAX
    assert metrics["ninf"] == -DOUBLE_MAX
    assert math.isnan(client.get_metric_history(rid, "nan")[0].value)
    assert client.get_metric_history(rid, "pinf")[0].value == DOUBLE_MAX
    assert client.get_metric_history(rid, "ninf")[0].value == -DOUBLE_MAX
    # on the wire NaN is the JSON string "NaN"
    body = api.ok("GET", "/metrics/get-history", params={"run_id": rid, "metric_key": "nan", "max_results": 10})
    assert body["metrics"] == [{"key": "nan", "value": "NaN", "timestamp": 10, "step": 1}]
    run = api.ok("GET", "/runs/get", params={"run_id": rid})["run"]
    by_key = {m["key"]: m for m in run["data"]["metrics"]}
    assert by_key["nan"]["value"] == "NaN"
    assert by_key["pinf"]["value"] == DOUBLE_MAX
    assert by_key["ninf"]["value"] == -DOUBLE_MAX
    # and is accepted as a string on input, like "Infinity"/"-Infinity"
    api.ok(
        "POST",
        "/runs/log-batch",
        json={
            "run_id": rid,
            "metrics": [
                {"key": "wire", "value": "NaN", "timestamp": 1, "step": 0},
                {"key": "wire", "value": "Infinity", "timestamp": 2, "step": 0},
                {"key": "wire", "value": "-Infinity", "timestamp": 3, "step": 0},
            ],
        },
    )
    values = [m.value for m in client.get_metric_history(rid, "wire")]
    assert math.isnan(values[0]) and values[1:] == [DOUBLE_MAX, -DOUBLE_MAX]


def test_latest_metric_semantics(client, exp_id):
    """run.data.metrics holds the value with the max step, then max timestamp, then max value."""
    rid = _run(client, exp_id)
    client.log_metric(rid, "m", 1.0, timestamp=100, step=5)
    client.log_metric(rid, "m", 2.0, timestamp=200, step=3)  # later but lower step
    assert client.get_run(rid).data.metrics["m"] == 1.0
    client.log_metric(rid, "m", 0.5, timestamp=150, step=5)  # same step, later timestamp
    assert client.get_run(rid).data.metrics["m"] == 0.5
    client.log_metric(rid, "m", 0.7, timestamp=150, step=5)  # same step+timestamp, bigger value
    assert client.get_run(rid).data.metrics["m"] == 0.7
    client.log_metric(rid, "m", 0.6, timestamp=150, step=5)  # smaller value: no change
    assert client.get_run(rid).data.metrics["m"] == 0.7
    client.log_metric(rid, "m", -1.0, timestamp=1, step=6)  # higher step wins regardless of time
    assert client.get_run(rid).data.metrics["m"] == -1.0
    # the same within one batch
    rid2 = _run(client, exp_id)
    client.log_batch(rid2, metrics=[Metric("x", 9.0, 500, 1), Metric("x", 3.0, 10, 2), Metric("x", 4.0, 10, 2)])
    assert client.get_run(rid2).data.metrics["x"] == 4.0
    # the latest value is also what run search and the wire show
    body = client.search_runs([exp_id], filter_string=f"attributes.run_id = '{rid2}'")[0]
    assert body.data.metrics["x"] == 4.0


def test_latest_metric_wire_shape(client, exp_id, api):
    rid = _run(client, exp_id)
    client.log_metric(rid, "m", 1.5, timestamp=100, step=5)
    client.log_metric(rid, "m", 2.5, timestamp=90, step=4)
    run = api.ok("GET", "/runs/get", params={"run_id": rid})["run"]
    assert run["data"]["metrics"] == [{"key": "m", "value": 1.5, "timestamp": 100, "step": 5}]


def test_duplicate_metrics(client, exp_id, api):
    rid = _run(client, exp_id)
    client.log_metric(rid, "d", 1.0, timestamp=10, step=1)
    client.log_metric(rid, "d", 1.0, timestamp=10, step=1)  # exact duplicate: ignored
    assert _hist(client, rid, "d") == [(1, 10, 1.0)]
    client.log_metric(rid, "d", 2.0, timestamp=10, step=1)  # different value: a new point
    assert _hist(client, rid, "d") == [(1, 10, 1.0), (1, 10, 2.0)]
    # duplicates inside one batch, and against stored rows
    api.ok(
        "POST",
        "/runs/log-batch",
        json={
            "run_id": rid,
            "metrics": [
                {"key": "d", "value": 3.0, "timestamp": 20, "step": 2},
                {"key": "d", "value": 3.0, "timestamp": 20, "step": 2},
                {"key": "d", "value": 1.0, "timestamp": 10, "step": 1},
            ],
        },
    )
    assert _hist(client, rid, "d") == [(1, 10, 1.0), (1, 10, 2.0), (2, 20, 3.0)]


def test_batch_limits_write_nothing(client, exp_id, api):
    rid = _run(client, exp_id)
    metrics = [{"key": "lim", "value": float(i), "timestamp": 1, "step": i} for i in range(1001)]
    assert_error(
        api.post("/runs/log-batch", {"run_id": rid, "metrics": metrics}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=(
            "A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics "
            "across multiple requests and try again."
        ),
    )
    assert_error(
        api.post("/runs/log-batch", {"run_id": rid, "tags": [{"key": f"t{i}", "value": "v"} for i in range(101)]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=(
            "A batch logging request can contain at most 100 tags. Got 101 tags. Please split up tags across "
            "multiple requests and try again."
        ),
    )
    assert_error(
        api.post(
            "/runs/log-batch",
            {"run_id": rid, "metrics": metrics[:950], "params": [{"key": f"p{i}", "value": "v"} for i in range(51)]},
        ),
        400,
        "INVALID_PARAMETER_VALUE",
        message=(
            "A batch logging request can contain at most 1000 metrics, params, and tags. Got 1001 metrics, params, "
            "and tags. Please split up metrics, params, and tags across multiple requests and try again."
        ),
    )
    data = client.get_run(rid).data
    assert data.metrics == {} and data.params == {}
    assert set(data.tags) == {"mlflow.runName"}
    assert client.get_metric_history(rid, "lim") == []
    # exactly 1000 is fine
    api.ok("POST", "/runs/log-batch", json={"run_id": rid, "metrics": metrics[:1000]})
    assert len(client.get_metric_history(rid, "lim")) == 1000


def test_partially_invalid_batch_writes_nothing(client, exp_id, api):
    rid = _run(client, exp_id)
    ok = {"key": "ok", "value": 1.0, "timestamp": 1, "step": 0}
    assert_error(
        api.post("/runs/log-batch", {"run_id": rid, "metrics": [ok, {"key": "bad$", "value": 1.0, "timestamp": 1}]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=(
            "Invalid value \"bad$\" for parameter 'metrics[1].name' supplied: Names may only contain alphanumerics, "
            "underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."
        ),
    )
    assert_error(
        api.post(
            "/runs/log-batch",
            {"run_id": rid, "metrics": [ok], "params": [{"key": "fine", "value": "1"}], "tags": [{"key": "bad$", "value": "x"}]},
        ),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="'tags[0].key'",
    )
    assert_error(
        api.post("/runs/log-batch", {"run_id": rid, "metrics": [ok, {"key": "neg", "value": 1.0, "timestamp": -1}]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=(
            "Invalid value -1 for parameter 'metrics[1].timestamp' supplied: metric 'neg' (value=1.0). "
            "Timestamp must be a nonnegative long (64-bit integer) "
        ),
    )
    assert_error(
        api.post("/runs/log-batch", {"run_id": rid, "metrics": [ok, {"key": "nots", "value": 1.0, "step": 0}]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Missing value for required parameter 'metrics[1].timestamp'. See the API docs for more information about request parameters.",
    )
    assert_error(
        api.post("/runs/log-batch", {"run_id": rid, "metrics": [ok, {"value": 1.0, "timestamp": 1}]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Missing value for required parameter 'metrics[1].key'. See the API docs for more information about request parameters.",
    )
    # a param conflicting with a stored value fails before metrics are written
    client.log_param(rid, "fixed", "a")
    assert_error(
        api.post("/runs/log-batch", {"run_id": rid, "metrics": [ok], "params": [{"key": "fixed", "value": "b"}]}),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="Changing param values is not allowed.",
    )
    data = client.get_run(rid).data
    assert data.metrics == {}
    assert data.params == {"fixed": "a"}
    assert set(data.tags) == {"mlflow.runName"}


def test_metric_key_validation(client, exp_id, api):
    rid = _run(client, exp_id)
    assert_error(
        api.post("/runs/log-metric", {"run_id": rid, "key": "k" * 251, "value": 1, "timestamp": 1}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="'Metric name' exceeds the maximum length of 250 characters",
    )
    assert_error(
        api.post("/runs/log-metric", {"run_id": rid, "key": "../m", "value": 1, "timestamp": 1}),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="This name would resolve to '../m'",
    )
    for key in ("a$b", "k" * 251):
        with pytest.raises(MlflowException) as e:
            client.log_metric(rid, key, 1.0)
        assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    client.log_metric(rid, "k" * 250, 1.0)
    client.log_metric(rid, "ok/with:all-the .chars_", 1.0)
    assert set(client.get_run(rid).data.metrics) == {"k" * 250, "ok/with:all-the .chars_"}


def test_metric_wire_validation(client, exp_id, api):
    rid = _run(client, exp_id)
    assert_error(
        api.post("/runs/log-metric", {"run_id": rid, "key": "m", "timestamp": 1}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Missing value for required parameter 'value'. See the API docs for more information about request parameters.",
    )
    assert_error(
        api.post("/runs/log-metric", {"run_id": rid, "key": "m", "value": 1}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Missing value for required parameter 'timestamp'. See the API docs for more information about request parameters.",
    )
    assert_error(
        api.post("/runs/log-metric", {"run_id": rid, "key": "m", "value": "abc", "timestamp": 1}),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="Invalid value \"abc\" for parameter 'value' supplied",
    )
    # step defaults to 0; run_uuid is accepted for run_id; int64 as decimal string
    api.ok("POST", "/runs/log-metric", json={"run_uuid": rid, "key": "m", "value": 2, "timestamp": "1700000000000"})
    assert _hist(client, rid, "m") == [(0, 1_700_000_000_000, 2.0)]
    assert client.get_run(rid).data.metrics == {"m": 2.0}


def test_log_batch_mixed_entities(client, exp_id):
    rid = _run(client, exp_id)
    client.log_batch(
        rid,
        metrics=[Metric(f"m{i}", float(i), 1000 + i, i) for i in range(1500)],
        params=[Param(f"p{i}", str(i)) for i in range(120)],
        tags=[RunTag(f"t{i}", str(i)) for i in range(130)],
    )
    data = client.get_run(rid).data
    assert len(data.metrics) == 1500
    assert len(data.params) == 120
    assert len([t for t in data.tags if t.startswith("t")]) == 130


# --------------------------------------------------------------------------------------
# get-history-bulk-interval (UI endpoint)
# --------------------------------------------------------------------------------------

BULK = "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval"


def test_get_history_bulk_interval(client, exp_id, api):
    r1 = _run(client, exp_id)
    r2 = _run(client, exp_id)
    client.log_batch(r1, metrics=[Metric("loss", i * 0.5, 1000 + i, i) for i in range(10)])
    client.log_batch(r2, metrics=[Metric("loss", float(i * 2), 2000 + i, i * 3) for i in range(4)])

    # everything fits: all points, grouped per run in request order, sorted by step
    body = api.ok("GET", BULK, prefix=None, params={"run_ids": [r2, r1], "metric_key": "loss"})
    got = body["metrics"]
    assert set(got[0]) == {"key", "value", "timestamp", "step", "run_id"}
    assert [(m["run_id"], m["step"]) for m in got] == [(r2, s) for s in (0, 3, 6, 9)] + [(r1, s) for s in range(10)]
    assert got[0] == {"key": "loss", "value": 0.0, "timestamp": 2000, "step": 0, "run_id": r2}

    # down-sampled: at most max_results points per run, first and last point kept
    body = api.ok("GET", BULK, prefix=None, params={"run_ids": [r1, r2], "metric_key": "loss", "max_results": 3})
    per_run = {}
    for m in body["metrics"]:
        per_run.setdefault(m["run_id"], []).append(m["step"])
    assert per_run == {r1: [0, 4, 9], r2: [0, 6, 9]}

    # step window (both bounds inclusive)
    body = api.ok("GET", BULK, prefix=None, params={"run_ids": [r1], "metric_key": "loss", "start_step": 2, "end_step": 5})
    assert [(m["step"], m["value"]) for m in body["metrics"]] == [(2, 1.0), (3, 1.5), (4, 2.0), (5, 2.5)]

    # the same handler answers under /api/2.0
    body2 = api.ok("GET", "/metrics/get-history-bulk-interval", params={"run_ids": [r1], "metric_key": "loss", "start_step": 2, "end_step": 5})
    assert body2 == body

    # unknown metric: empty object
    assert api.ok("GET", BULK, prefix=None, params={"run_ids": [r1], "metric_key": "nope"}) == {}


def test_get_history_bulk_interval_errors(client, exp_id, api):
    rid = _run(client, exp_id)

    def err(params, message):
        assert_error(api.get(BULK, params, prefix=None), 400, "INVALID_PARAMETER_VALUE", message=message)

    see = " See the API docs for more information about request parameters."
    err({"metric_key": "loss"}, "Missing value for required parameter 'run_ids'." + see)
    err({"run_ids": [rid]}, "Missing value for required parameter 'metric_key'." + see)
    err({"run_ids": [rid], "metric_key": "m", "max_results": 2501}, "max_results must be between 1 and 2500." + see)
    err({"run_ids": [rid], "metric_key": "m", "max_results": 0}, "max_results must be between 1 and 2500." + see)
    err(
        {"run_ids": [rid] * 101, "metric_key": "m"},
        "GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids." + see,
    )
    err({"run_ids": [rid], "metric_key": "m", "start_step": 2}, "If either start step or end step are specified, both must be specified.")
    err(
        {"run_ids": [rid], "metric_key": "m", "start_step": 5, "end_step": 2},
        "end_step must be greater than start_step. Found start_step=5 and end_step=2.",
    )
