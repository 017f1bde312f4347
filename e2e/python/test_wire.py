"""Wire-level details checked with raw HTTP (requests): routing, decoding, errors, encodings."""

from __future__ import annotations

import itertools
import json

import pytest
from packaging.version import Version

import mlflow
from helpers import assert_error, unique

SEE_DOCS = "See the API docs for more information about request parameters."


def missing(field: str) -> str:
    return f"Missing value for required parameter '{field}'. {SEE_DOCS}"


def test_health_and_version(api, target):
    r = api.get("/health", prefix=None)
    assert r.status_code == 200
    assert r.text == "OK"
    r = api.get("/version", prefix=None)
    assert r.status_code == 200
    version = Version(r.text.strip())
    # the client refuses some features on servers older than 3.4
    assert version >= Version("3.4")
    if target == "mlflow":
        assert r.text == mlflow.__version__


@pytest.mark.parametrize("prefix", ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"])
def test_both_prefixes(api, prefix):
    name = unique("prefix")
    eid = api.ok("POST", "/experiments/create", prefix=prefix, json={"name": name})["experiment_id"]
    exp = api.ok("GET", "/experiments/get", prefix=prefix, params={"experiment_id": eid})["experiment"]
    assert exp["name"] == name
    run = api.ok("POST", "/runs/create", prefix=prefix, json={"experiment_id": eid})["run"]
    api.ok("POST", "/runs/log-metric", prefix=prefix, json={"run_id": run["info"]["run_id"], "key": "m", "value": 1.5, "timestamp": 7})
    runs = api.ok("POST", "/runs/search", prefix=prefix, json={"experiment_ids": [eid]})["runs"]
    assert runs[0]["data"]["metrics"] == [{"key": "m", "value": 1.5, "timestamp": 7, "step": 0}]
    assert_error(api.get("/experiments/get", {"experiment_id": "987654321"}, prefix=prefix), 404, "RESOURCE_DOES_NOT_EXIST")


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/2.0/mlflow/no-such-endpoint"),
        ("POST", "/api/2.0/mlflow/runs/no-such-endpoint"),
        ("GET", "/ajax-api/2.0/mlflow/no-such-endpoint"),
        ("GET", "/api/2.0/mlflow/experiments/get/"),
        ("GET", "/api/2.1/mlflow/experiments/get"),
        ("GET", "/api/2.0/mlflow/"),
    ],
)
def test_unknown_route_is_404(api, target, method, path):
    r = api.request(method, path, prefix=None, json={} if method == "POST" else None)
    assert r.status_code == 404
    if target == "carnet":
        body = assert_error(r, 404, "ENDPOINT_NOT_FOUND")
        assert body["message"]


def test_wrong_method_is_405(api):
    assert api.post("/experiments/get", {"experiment_id": "0"}).status_code == 405
    assert api.request("PUT", "/experiments/create", json={"name": "x"}).status_code == 405
    assert api.request("DELETE", "/experiments/delete", json={"experiment_id": "0"}).status_code == 405
    assert api.get("/runs/search", {"experiment_ids": "0"}).status_code == 405


def test_error_body_shape(api):
    r = api.get("/experiments/get", {"experiment_id": "987654321"})
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert body["message"] == "No Experiment with id=987654321 exists"
    # optional extra keys added by newer servers
    assert set(body) <= {"error_code", "message", "sqlstate", "error_class", "details"}


def test_malformed_json_body_is_treated_as_empty(api):
    headers = {"Content-Type": "application/json"}
    for raw in ("{bad json", "", "{", "null"):
        r = api.request("POST", "/experiments/create", data=raw, headers=headers)
        assert_error(r, 400, "INVALID_PARAMETER_VALUE", message=missing("name"))


def test_double_encoded_json_body(api):
    name = unique("double")
    r = api.request("POST", "/experiments/create", data=json.dumps(json.dumps({"name": name})), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert api.ok("GET", "/experiments/get-by-name", params={"experiment_name": name})["experiment"]["name"] == name


def test_content_type_checks(api):
    body = json.dumps({"name": unique("ct")})
    assert_error(
        api.request("POST", "/experiments/create", data=body, headers={"Content-Type": "text/plain"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Bad Request. Content-Type must be one of ['application/json'].",
    )
    assert_error(
        api.request("POST", "/experiments/create", data=body.encode()),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Bad Request. Content-Type header is missing.",
    )
    r = api.request("POST", "/experiments/create", data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 200, r.text


def test_wrong_types(api, exp_id):
    assert_error(
        api.post("/runs/create", {"experiment_id": {"a": 1}}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=f"Invalid value {{\"a\":1}} for parameter 'experiment_id' supplied:  Hint: Value was of type 'dict'. {SEE_DOCS}",
    )
    assert_error(
        api.post("/experiments/create", {"name": {"a": 1}}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=f"Invalid value {{\"a\":1}} for parameter 'name' supplied:  Hint: Value was of type 'dict'. {SEE_DOCS}",
    )
    rid = api.ok("POST", "/runs/create", json={"experiment_id": exp_id})["run"]["info"]["run_id"]
    assert_error(
        api.post("/runs/log-metric", {"run_id": rid, "key": "m", "value": "abc", "timestamp": 1}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=f"Invalid value \"abc\" for parameter 'value' supplied:  Hint: Value was of type 'str'. {SEE_DOCS}",
    )
    assert_error(
        api.post("/runs/log-metric", {"run_id": rid, "key": "m", "value": 1, "timestamp": "abc"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=f"Invalid value \"abc\" for parameter 'timestamp' supplied:  Hint: Value was of type 'str'. {SEE_DOCS}",
    )
    assert_error(
        api.post("/runs/update", {"run_id": rid, "end_time": "abc"}),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="for parameter 'end_time' supplied",
    )
    assert_error(
        api.post("/runs/update", {"run_id": rid, "status": 99}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=f"Invalid value 99 for parameter 'status' supplied:  Hint: Value was of type 'int'. {SEE_DOCS}",
    )
    assert_error(
        api.get("/experiments/search", {"max_results": "abc"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=f"Invalid value \"abc\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'. {SEE_DOCS}",
    )
    assert_error(
        api.post("/runs/search", {"experiment_ids": [exp_id], "max_results": 50001}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=f"Invalid value 50001 for parameter 'max_results' supplied:  Hint: Value was of type 'int'. {SEE_DOCS}",
    )


@pytest.mark.parametrize(
    "method, path, payload, field",
    [
        ("POST", "/experiments/create", {}, "name"),
        ("GET", "/experiments/get", {}, "experiment_id"),
        ("GET", "/experiments/get-by-name", {}, "experiment_name"),
        ("POST", "/experiments/update", {"new_name": "x"}, "experiment_id"),
        ("POST", "/experiments/update", {"experiment_id": "0"}, "new_name"),
        ("POST", "/experiments/delete", {}, "experiment_id"),
        ("POST", "/experiments/restore", {}, "experiment_id"),
        ("POST", "/experiments/set-experiment-tag", {"experiment_id": "0", "value": "v"}, "key"),
        ("POST", "/experiments/delete-experiment-tag", {"key": "k"}, "experiment_id"),
        ("GET", "/runs/get", {}, "run_id"),
        ("POST", "/runs/update", {"status": "FINISHED"}, "run_id"),
        ("POST", "/runs/delete", {}, "run_id"),
        ("POST", "/runs/restore", {}, "run_id"),
        ("POST", "/runs/log-metric", {"run_id": "abc", "value": 1, "timestamp": 1}, "key"),
        ("POST", "/runs/log-metric", {"run_id": "abc", "key": "m", "timestamp": 1}, "value"),
        ("POST", "/runs/log-metric", {"run_id": "abc", "key": "m", "value": 1}, "timestamp"),
        ("POST", "/runs/log-parameter", {"key": "k", "value": "v"}, "run_id"),
        ("POST", "/runs/set-tag", {"run_id": "abc", "value": "v"}, "key"),
        ("POST", "/runs/delete-tag", {"run_id": "abc"}, "key"),
        ("POST", "/runs/log-batch", {}, "run_id"),
        ("POST", "/runs/log-inputs", {}, "run_id"),
        ("GET", "/metrics/get-history", {"run_id": "abc"}, "metric_key"),
        ("GET", "/metrics/get-history", {"metric_key": "m"}, "run_id"),
    ],
)
def test_missing_required_fields(api, method, path, payload, field):
    if method == "GET":
        r = api.get(path, payload or None)
    else:
        r = api.post(path, payload)
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", message=missing(field))


def test_empty_string_and_null_count_as_missing(api):
    assert_error(api.post("/experiments/create", {"name": None}), 400, "INVALID_PARAMETER_VALUE", message=missing("name"))
    assert_error(api.get("/experiments/get", {"experiment_id": ""}), 400, "INVALID_PARAMETER_VALUE", message=missing("experiment_id"))
    assert_error(
        api.post("/runs/log-metric", {"run_id": "abc", "key": "m", "value": 1, "timestamp": None}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=missing("timestamp"),
    )


def test_lenient_decoding(api, exp_id):
    # unknown fields are ignored
    name = unique("lenient")
    assert api.ok("POST", "/experiments/create", json={"name": name, "unknownField": 1, "nested": {"x": [1]}})["experiment_id"]
    # int64 as decimal strings, camelCase names for optional fields
    run = api.ok("POST", "/runs/create", json={"experiment_id": exp_id, "runName": "camel", "startTime": "12345"})["run"]
    assert run["info"]["run_name"] == "camel"
    assert run["info"]["start_time"] == 12345
    rid = run["info"]["run_id"]
    # legacy run_uuid instead of run_id
    api.ok("POST", "/runs/log-parameter", json={"run_uuid": rid, "key": "p", "value": "v"})
    api.ok("POST", "/runs/set-tag", json={"run_uuid": rid, "key": "t", "value": "v"})
    data = api.ok("GET", "/runs/get", params={"run_uuid": rid})["run"]["data"]
    assert {"key": "p", "value": "v"} in data["params"]
    assert {"key": "t", "value": "v"} in data["tags"]
    # unknown query-string keys are ignored
    assert api.ok("GET", "/runs/get", params={"run_id": rid, "bogus": "1"})["run"]["info"]["run_id"] == rid
    # a GET without a query string reads a JSON body
    r = api.request("GET", "/experiments/get", json={"experiment_id": exp_id})
    assert r.status_code == 200 and r.json()["experiment"]["experiment_id"] == exp_id


def test_get_with_repeated_query_keys(api):
    prefix = unique("qs")
    for n in ("b", "a", "c"):
        api.ok("POST", "/experiments/create", json={"name": f"{prefix}-{n}"})
    params = [
        ("max_results", "10"),
        ("filter", f"name LIKE '{prefix}%'"),
        ("order_by", "name DESC"),
        ("order_by", "experiment_id ASC"),
        ("view_type", "ACTIVE_ONLY"),
    ]
    body = api.ok("GET", "/experiments/search", params=params)
    assert [e["name"] for e in body["experiments"]] == [f"{prefix}-c", f"{prefix}-b", f"{prefix}-a"]
    # enum by number, pagination via query string
    page = api.ok("GET", "/experiments/search", params=[("max_results", "2"), ("filter", f"name LIKE '{prefix}%'"), ("order_by", "name ASC"), ("view_type", "3")])
    assert [e["name"] for e in page["experiments"]] == [f"{prefix}-a", f"{prefix}-b"]
    rest = api.ok(
        "GET",
        "/experiments/search",
        params=[("max_results", "2"), ("filter", f"name LIKE '{prefix}%'"), ("order_by", "name ASC"), ("page_token", page["next_page_token"])],
    )
    assert [e["name"] for e in rest["experiments"]] == [f"{prefix}-c"]
    assert "next_page_token" not in rest


def test_response_encoding(api, exp_id):
    r = api.post("/runs/create", {"experiment_id": exp_id, "start_time": 1_700_000_000_000, "run_name": "enc"})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    info = r.json()["run"]["info"]
    # int64 as JSON numbers, enums as names, snake_case keys
    assert info["start_time"] == 1_700_000_000_000 and isinstance(info["start_time"], int)
    assert info["status"] == "RUNNING"
    assert info["lifecycle_stage"] == "active"
    assert set(info) >= {"run_id", "run_uuid", "run_name", "experiment_id", "user_id", "status", "start_time", "artifact_uri", "lifecycle_stage"}
    # empty responses are {}
    assert api.ok("POST", "/runs/set-tag", json={"run_id": info["run_id"], "key": "k", "value": "v"}) == {}
    assert api.ok("POST", "/runs/log-batch", json={"run_id": info["run_id"]}) == {}
    exp = api.ok("GET", "/experiments/get", params={"experiment_id": exp_id})["experiment"]
    assert isinstance(exp["creation_time"], int) and isinstance(exp["last_update_time"], int)
    assert exp["experiment_id"] == exp_id and isinstance(exp["experiment_id"], str)
    assert "tags" not in exp  # empty repeated fields are omitted


# --------------------------------------------------------------------------------------
# no 5xx for bad input
# --------------------------------------------------------------------------------------

POST_ENDPOINTS = [
    "experiments/create",
    "experiments/update",
    "experiments/delete",
    "experiments/restore",
    "experiments/set-experiment-tag",
    "experiments/delete-experiment-tag",
    "experiments/search",
    "runs/create",
    "runs/update",
    "runs/delete",
    "runs/restore",
    "runs/log-metric",
    "runs/log-parameter",
    "runs/set-tag",
    "runs/delete-tag",
    "runs/log-batch",
    "runs/search",
    "runs/log-inputs",
]
GET_ENDPOINTS = ["experiments/get", "experiments/get-by-name", "runs/get", "metrics/get-history", "metrics/get-history-bulk-interval", "experiments/search"]


def test_no_5xx_for_bad_input(api, exp_id):
    rid = api.ok("POST", "/runs/create", json={"experiment_id": exp_id})["run"]["info"]["run_id"]
    bodies = [
        {},
        {"experiment_id": {"a": 1}},
        {"experiment_id": None},
        {"experiment_id": [1]},
        {"experiment_id": exp_id, "name": 5, "key": 7, "value": {"x": 1}, "run_id": rid},
        {"run_id": rid, "metrics": "notalist"},
        {"run_id": rid, "params": [{"key": None}]},
        {"run_id": rid, "tags": [{"key": "k", "value": 5}]},
        {"run_id": rid, "key": "m", "value": 1e400, "timestamp": 1},
        {"run_id": rid, "key": "m", "value": 1, "timestamp": 2**70},
        {"run_id": rid, "key": "m", "value": 1, "timestamp": 1, "step": "x"},
        {"experiment_ids": "0", "max_results": "abc"},
        {"experiment_ids": [exp_id], "max_results": 2**40},
        {"max_results": -5},
        {"run_id": rid, "status": "BOGUS"},
        {"run_id": rid, "start_time": -1},
        {"experiment_id": exp_id, "new_name": ""},
        {"experiment_id": exp_id, "key": "", "value": "v"},
        {"run_id": rid, "datasets": [{"dataset": {"name": "x"}}]},
        {"run_id": rid, "datasets": [{}]},
        {"experiment_id": "-1"},
        {"experiment_id": "1.5"},
        {"run_id": "x" * 1000},
        {"experiment_ids": [exp_id], "page_token": "eyJvZmZzZXQiOiAtMX0="},  # {"offset": -1}
        {"experiment_ids": [exp_id], "page_token": "eyJvZmZzZXQiOiAiYSJ9"},  # {"offset": "a"}
        {"run_id": rid, "end_time": -5},
    ]
    failures = []
    for path, body in itertools.product(POST_ENDPOINTS, bodies):
        r = api.request("POST", "/" + path, data=json.dumps(body), headers={"Content-Type": "application/json"}, allow_5xx=True)
        if r.status_code >= 500:
            failures.append(("POST", path, body, r.status_code, r.text[:200]))
    queries = [
        {},
        {"experiment_id": "abc"},
        {"experiment_id": "-1"},
        {"run_id": "x"},
        {"run_id": rid, "metric_key": "m", "max_results": "abc"},
        {"run_id": rid, "metric_key": "m", "max_results": "-1"},
        {"run_id": rid, "metric_key": "m", "page_token": "zzz"},
        {"run_ids": rid, "metric_key": "m", "max_results": "x"},
        {"run_ids": rid, "metric_key": "m", "start_step": "a", "end_step": "b"},
        {"experiment_name": ""},
        {"max_results": "x"},
        {"max_results": "10", "view_type": "7"},
        {"max_results": "10", "filter": "name = "},
    ]
    for path, q in itertools.product(GET_ENDPOINTS, queries):
        r = api.request("GET", "/" + path, params=q, allow_5xx=True)
        if r.status_code >= 500:
            failures.append(("GET", path, q, r.status_code, r.text[:200]))
    assert failures == []
