"""Carnet-only behaviour: search grammar extensions and stricter error handling.

Everything here is skipped with COMPAT_TARGET=mlflow (MLflow rejects these filters, or answers
some bad requests with a 500 that Carnet must turn into a 4xx).
"""

from __future__ import annotations

import json

import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag

from helpers import assert_error, unique

pytestmark = pytest.mark.carnet_only

# name: (start_time, params, metrics, tags)
RUNS = {
    "a": (1000, {"opt": "adam", "lr": "0.01"}, {"acc": 0.9, "loss": 0.3}, {"team": "red"}),
    "b": (2000, {"opt": "sgd", "lr": "0.1"}, {"acc": 0.8}, {"team": "blue"}),
    "c": (3000, {"lr": "0.01"}, {"acc": 0.5, "loss": 0.1}, {}),
    "d": (4000, {}, {"acc": 0.95}, {"team": "red"}),
}
ALL = set(RUNS)


@pytest.fixture(scope="module")
def world(server):
    client = MlflowClient(server.url)
    eid = client.create_experiment(unique("carnet-ext"))
    ids = {}
    for name, (start, params, metrics, tags) in RUNS.items():
        rid = client.create_run(eid, start_time=start, run_name=name).info.run_id
        client.log_batch(
            rid,
            metrics=[Metric(k, v, 1, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
            tags=[RunTag(k, v) for k, v in tags.items()],
        )
        ids[name] = rid
    return eid, ids, client


def matched(world, filter_string):
    eid, _, client = world
    return {r.info.run_name for r in client.search_runs([eid], filter_string=filter_string)}


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("metrics.acc > 0.92 OR params.opt = 'sgd'", {"b", "d"}),
        ("metrics.acc > 0.92 or params.opt = 'sgd'", {"b", "d"}),
        ("params.opt = 'adam' OR params.opt = 'sgd' OR tags.team = 'red'", {"a", "b", "d"}),
        # AND binds tighter than OR
        ("params.lr = '0.01' AND metrics.acc < 0.6 OR tags.team = 'blue'", {"b", "c"}),
        ("tags.team = 'blue' OR params.lr = '0.01' AND metrics.acc < 0.6", {"b", "c"}),
        # parentheses
        ("(params.lr = '0.01' OR params.lr = '0.1') AND metrics.acc >= 0.8", {"a", "b"}),
        ("params.lr = '0.01' AND (metrics.acc < 0.6 OR tags.team = 'red')", {"a", "c"}),
        ("((metrics.acc > 0.85))", {"a", "d"}),
        ("(metrics.acc > 0.85 AND (tags.team = 'red' AND (params.opt IS NULL)))", {"d"}),
        # NOT is the complement of the matched set (runs lacking the key included)
        ("NOT params.opt = 'adam'", {"b", "c", "d"}),
        ("NOT (params.opt = 'adam' OR params.opt = 'sgd')", {"c", "d"}),
        ("not (metrics.loss > 0)", {"b", "d"}),
        ("NOT tags.team = 'red' AND metrics.acc > 0.6", {"b"}),
        ("NOT (NOT metrics.acc > 0.85)", {"a", "d"}),
        ("metrics.acc > 0.85 AND NOT (tags.team = 'red' AND params.opt IS NULL)", {"a"}),
        # combined with the MLflow features
        ("attributes.run_name = 'a' OR attributes.run_name LIKE 'd%'", {"a", "d"}),
    ],
)
def test_boolean_extensions(world, filter_string, expected):
    assert matched(world, filter_string) == expected


def test_run_id_in_with_or(world):
    eid, ids, client = world
    f = f"attributes.run_id IN ('{ids['a']}', '{ids['b']}') OR metrics.acc > 0.9"
    assert matched(world, f) == {"a", "b", "d"}
    f = f"NOT attributes.run_id IN ('{ids['a']}')"
    assert matched(world, f) == ALL - {"a"}


def test_extensions_still_reject_garbage(world, api):
    eid, _, _ = world
    for f in ["metrics.acc > 0.5 OR", "(metrics.acc > 0.5", "metrics.acc > 0.5)", "NOT", "OR metrics.acc > 1", "() AND metrics.acc > 1"]:
        assert_error(api.post("/runs/search", {"experiment_ids": [eid], "filter": f}), 400, "INVALID_PARAMETER_VALUE")


def test_pagination_with_or(world):
    eid, ids, client = world
    f = "metrics.acc > 0.85 OR params.lr = '0.01'"
    page1 = client.search_runs([eid], filter_string=f, max_results=2, order_by=["metrics.acc DESC"])
    page2 = client.search_runs([eid], filter_string=f, max_results=2, order_by=["metrics.acc DESC"], page_token=page1.token)
    assert [r.info.run_name for r in page1] + [r.info.run_name for r in page2] == ["d", "a", "c"]
    assert not page2.token


# --------------------------------------------------------------------------------------
# where MLflow answers 500, Carnet must answer 4xx with a JSON error
# --------------------------------------------------------------------------------------


def test_duplicate_order_by_is_a_client_error(world, api):
    eid, _, _ = world
    # MLflow 3.17: 500 INTERNAL_ERROR with this message
    assert_error(
        api.post("/runs/search", {"experiment_ids": [eid], "order_by": ["metrics.acc DESC", "metrics.acc ASC"]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="`order_by` contains duplicate fields: ['metrics.acc DESC', 'metrics.acc ASC']",
    )


@pytest.mark.parametrize("raw", ['"just a string"', "[1, 2, 3]", "42", "true"])
@pytest.mark.parametrize("path", ["/experiments/create", "/runs/create", "/runs/log-batch", "/runs/search", "/experiments/search"])
def test_non_object_json_body(api, raw, path):
    # MLflow 3.17: HTML 500 for non-object JSON bodies
    r = api.request("POST", path, data=raw, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    body = r.json()
    assert body["error_code"] == "INVALID_PARAMETER_VALUE", body


def test_bad_batch_items(api, exp_id):
    rid = api.ok("POST", "/runs/create", json={"experiment_id": exp_id})["run"]["info"]["run_id"]
    # MLflow 3.17: HTML 500
    r = api.post("/runs/log-batch", {"run_id": rid, "metrics": [1, 2]})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE")


@pytest.mark.parametrize(
    "method, path, payload",
    [
        ("GET", "/experiments/get", {"experiment_id": "99999999999999999999999"}),
        ("POST", "/experiments/delete", {"experiment_id": "99999999999999999999999"}),
        ("POST", "/experiments/restore", {"experiment_id": "99999999999999999999999"}),
        ("POST", "/runs/create", {"experiment_id": "99999999999999999999999"}),
    ],
)
def test_out_of_range_experiment_id(api, method, path, payload):
    # MLflow 3.17 on SQLite: 500 "Python int too large to convert to SQLite INTEGER"
    r = api.get(path, payload) if method == "GET" else api.post(path, payload)
    assert r.status_code in (400, 404), r.text
    assert r.json()["error_code"] in ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST")


def test_unknown_route_json_body(api):
    r = api.get("/api/2.0/mlflow/definitely-not-here", prefix=None)
    body = assert_error(r, 404, "ENDPOINT_NOT_FOUND")
    assert isinstance(body["message"], str) and body["message"]
    # the client maps this to ENDPOINT_NOT_FOUND too (registry fallback logic relies on it)
    assert json.loads(r.text)["error_code"] == "ENDPOINT_NOT_FOUND"


@pytest.mark.parametrize(
    "path, payload",
    [
        ("/experiments/create", {"name": "nul\u0000name"}),
        ("/experiments/set-experiment-tag", {"key": "k", "value": "nul\u0000value"}),
        ("/runs/set-tag", {"key": "k", "value": "nul\u0000value"}),
        ("/runs/log-parameter", {"key": "k", "value": "nul\u0000value"}),
    ],
)
def test_nul_characters(api, exp_id, path, payload):
    """MLflow on PostgreSQL answers 500 ("A string literal cannot contain NUL (0x00) characters")."""
    rid = api.ok("POST", "/runs/create", json={"experiment_id": exp_id})["run"]["info"]["run_id"]
    body = dict(payload, experiment_id=exp_id, run_id=rid)
    r = api.post(path, body)
    if r.status_code == 200:
        # stored: it must read back unchanged
        if path == "/experiments/create":
            got = api.ok("GET", "/experiments/get", params={"experiment_id": r.json()["experiment_id"]})["experiment"]["name"]
            assert got == payload["name"]
    else:
        # a 400 with a JSON error; BAD_REQUEST is what MLflow uses for values the database refuses
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST"), r.text
