"""Params: write-once semantics, value length, batches, key validation."""

from __future__ import annotations

import pytest
from mlflow.entities import Param
from mlflow.exceptions import MlflowException

import mlflow
from helpers import assert_error, unique

NAME_CHARS_MSG = (
    "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."
)


def _run(client, exp_id):
    return client.create_run(exp_id).info.run_id


def test_fluent_params(client):
    mlflow.set_experiment(unique("params-fluent"))
    with mlflow.start_run() as run:
        mlflow.log_param("alpha", 0.5)
        mlflow.log_param("name", "adam")
        mlflow.log_params({"layers": 3, "dropout": None, "flag": True, "lst": [1, 2]})
    params = client.get_run(run.info.run_id).data.params
    assert params == {
        "alpha": "0.5",
        "name": "adam",
        "layers": "3",
        "dropout": "None",
        "flag": "True",
        "lst": "[1, 2]",
    }


def test_param_immutability(client, exp_id, api):
    rid = _run(client, exp_id)
    client.log_param(rid, "p", "a")
    client.log_param(rid, "p", "a")  # same value again: no-op
    with pytest.raises(MlflowException) as e:
        client.log_param(rid, "p", "b")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    assert_error(
        api.post("/runs/log-parameter", {"run_id": rid, "key": "p", "value": "b"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=(
            f"Changing param values is not allowed. Param with key='p' was already logged with value='a' "
            f"for run ID='{rid}'. Attempted logging new value 'b'."
        ),
    )
    # same through log-batch
    assert_error(
        api.post("/runs/log-batch", {"run_id": rid, "params": [{"key": "p", "value": "c"}]}),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="Changing param values is not allowed.",
    )
    api.ok("POST", "/runs/log-batch", json={"run_id": rid, "params": [{"key": "p", "value": "a"}]})
    assert client.get_run(rid).data.params == {"p": "a"}


def test_duplicate_param_keys_in_one_batch(client, exp_id, api):
    rid = _run(client, exp_id)
    assert_error(
        api.post("/runs/log-batch", {"run_id": rid, "params": [{"key": "d", "value": "1"}, {"key": "d", "value": "2"}]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=(
            "Duplicate parameter keys have been submitted: ['d']. Please ensure the request contains only one "
            "param value per param key."
        ),
    )
    assert client.get_run(rid).data.params == {}


def test_long_param_value_is_truncated_to_6000(client, exp_id, api):
    rid = _run(client, exp_id)
    client.log_param(rid, "long", "x" * 7000)
    assert client.get_run(rid).data.params["long"] == "x" * 6000
    # logging the same over-long value again is accepted (compares after truncation)
    api.ok("POST", "/runs/log-parameter", json={"run_id": rid, "key": "long", "value": "x" * 6001})
    api.ok("POST", "/runs/log-batch", json={"run_id": rid, "params": [{"key": "long-b", "value": "y" * 8000}]})
    params = client.get_run(rid).data.params
    assert params["long"] == "x" * 6000
    assert params["long-b"] == "y" * 6000


def test_empty_and_missing_param_values(client, exp_id, api):
    rid = _run(client, exp_id)
    api.ok("POST", "/runs/log-parameter", json={"run_id": rid, "key": "empty", "value": ""})
    api.ok("POST", "/runs/log-parameter", json={"run_id": rid, "key": "absent"})
    body = api.ok("GET", "/runs/get", params={"run_id": rid})
    params = {p["key"]: p for p in body["run"]["data"]["params"]}
    assert params["empty"] == {"key": "empty", "value": ""}
    assert params["absent"] == {"key": "absent", "value": ""}


def test_many_params_split_by_client(client, exp_id):
    rid = _run(client, exp_id)
    params = {f"p{i:03d}": str(i) for i in range(250)}
    client.log_batch(rid, params=[Param(k, v) for k, v in params.items()])
    assert client.get_run(rid).data.params == params
    mlflow.set_experiment(experiment_id=exp_id)
    with mlflow.start_run() as run:
        mlflow.log_params({f"q{i}": i for i in range(150)})
    assert len(client.get_run(run.info.run_id).data.params) == 150


def test_more_than_100_params_in_one_raw_batch(client, exp_id, api):
    rid = _run(client, exp_id)
    assert_error(
        api.post("/runs/log-batch", {"run_id": rid, "params": [{"key": f"p{i}", "value": "1"} for i in range(101)]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=(
            "A batch logging request can contain at most 100 params. Got 101 params. Please split up params "
            "across multiple requests and try again."
        ),
    )
    assert client.get_run(rid).data.params == {}


@pytest.mark.parametrize(
    "key, resolves_to",
    [
        ("..", ".."),
        (".", "."),
        ("../a", "../a"),
        ("/abs", "/abs"),
        ("a//b", "a/b"),
        ("a/./b", "a/b"),
        ("a/../b", "b"),
        ("trailing/", "trailing"),
    ],
)
def test_param_key_path_validation(client, exp_id, api, key, resolves_to):
    rid = _run(client, exp_id)
    assert_error(
        api.post("/runs/log-parameter", {"run_id": rid, "key": key, "value": "v"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=(
            f"Invalid value \"{key}\" for parameter 'key' supplied: Names may be treated as files in certain cases, "
            f"and must not resolve to other names when treated as such. This name would resolve to '{resolves_to}'"
        ),
    )


@pytest.mark.parametrize("key", ["bad$", "semi;colon", "a\tb", "quote'", "star*", "a\\b"])
def test_param_key_char_validation(client, exp_id, api, key):
    rid = _run(client, exp_id)
    r = api.post("/runs/log-parameter", {"run_id": rid, "key": key, "value": "v"})
    body = assert_error(r, 400, "INVALID_PARAMETER_VALUE", contains=NAME_CHARS_MSG)
    assert body["message"].startswith("Invalid value ")
    with pytest.raises(MlflowException) as e:
        client.log_param(rid, key, "v")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"


def test_param_key_accepted_characters_and_length(client, exp_id, api):
    rid = _run(client, exp_id)
    ok_keys = ["a..b", "with space", "colon:key", "slash/key", "dash-key", "dot.key", "ünïcödé", "k" * 250]
    for k in ok_keys:
        client.log_param(rid, k, "v")
    assert set(client.get_run(rid).data.params) == set(ok_keys)
    assert_error(
        api.post("/runs/log-parameter", {"run_id": rid, "key": "k" * 251, "value": "v"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="'Param key' exceeds the maximum length of 250 characters",
    )
    assert_error(
        api.post("/runs/log-batch", {"run_id": rid, "params": [{"key": "ok", "value": "v"}, {"key": "bad$", "value": "v"}]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=f"Invalid value \"bad$\" for parameter 'params[1].key' supplied: {NAME_CHARS_MSG}",
    )
    assert "ok" not in client.get_run(rid).data.params


def test_param_wire_type_errors(client, exp_id, api):
    rid = _run(client, exp_id)
    assert_error(
        api.post("/runs/log-parameter", {"run_id": rid, "key": "num", "value": 5}),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="Invalid value 5 for parameter 'value' supplied",
    )
    assert_error(
        api.post("/runs/log-parameter", {"run_id": rid, "value": "v"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Missing value for required parameter 'key'. See the API docs for more information about request parameters.",
    )
    assert_error(
        api.post("/runs/log-parameter", {"key": "k", "value": "v"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
    )
