"""Experiments: create/get/search/rename/delete/restore/tags, through the client and the wire."""

from __future__ import annotations

import pytest

import servers
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException

import mlflow
from helpers import assert_error, unique


def test_default_experiment_exists(client):
    exp = client.get_experiment("0")
    assert exp.name == "Default"
    assert exp.lifecycle_stage == "active"
    assert client.get_experiment_by_name("Default").experiment_id == "0"


def test_create_and_get_with_tags_and_artifact_location(client):
    name = unique("exp-create")
    eid = client.create_experiment(
        name, artifact_location="s3://bucket/some/path", tags={"team": "red", "k.with-dots/and:colon": "v"}
    )
    assert isinstance(eid, str) and eid.isdigit()
    exp = client.get_experiment(eid)
    assert exp.experiment_id == eid
    assert exp.name == name
    assert exp.artifact_location == "s3://bucket/some/path"
    assert exp.lifecycle_stage == "active"
    assert exp.tags == {"team": "red", "k.with-dots/and:colon": "v"}
    assert exp.creation_time > 1_600_000_000_000
    assert exp.last_update_time >= exp.creation_time
    by_name = client.get_experiment_by_name(name)
    assert by_name.experiment_id == eid
    assert by_name.tags == exp.tags


def test_default_artifact_location_is_proxied(client):
    eid = client.create_experiment(unique("exp-artloc"))
    assert client.get_experiment(eid).artifact_location == f"mlflow-artifacts:/{eid}"


def test_experiment_ids_are_increasing_integers(client):
    a = int(client.create_experiment(unique("exp-id")))
    b = int(client.create_experiment(unique("exp-id")))
    assert b > a > 0


def test_get_experiment_by_name_missing_returns_none(client):
    assert client.get_experiment_by_name(unique("does-not-exist")) is None
    assert mlflow.get_experiment_by_name(unique("does-not-exist")) is None


def test_get_unknown_experiment(client, api):
    with pytest.raises(MlflowException) as e:
        client.get_experiment("987654321")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert_error(
        api.get("/experiments/get", {"experiment_id": "987654321"}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        message="No Experiment with id=987654321 exists",
    )


def test_get_invalid_experiment_id(client, api):
    with pytest.raises(MlflowException) as e:
        client.get_experiment("abc")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    assert_error(
        api.get("/experiments/get", {"experiment_id": "abc"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
    )


def test_get_by_name_wire_error(api):
    name = unique("missing")
    assert_error(
        api.get("/experiments/get-by-name", {"experiment_name": name}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        message=f"Could not find experiment with name '{name}'",
    )


def test_duplicate_name_including_deleted(client, api):
    name = unique("exp-dup")
    eid = client.create_experiment(name)
    with pytest.raises(MlflowException) as e:
        client.create_experiment(name)
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"
    body = assert_error(api.post("/experiments/create", {"name": name}), 400, "RESOURCE_ALREADY_EXISTS")
    assert body["message"].startswith(f"Experiment(name={name}) already exists.")
    client.delete_experiment(eid)
    with pytest.raises(MlflowException) as e:
        client.create_experiment(name)
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_create_validation(api):
    assert_error(
        api.post("/experiments/create", {"name": ""}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
    )
    assert_error(
        api.post("/experiments/create", {"name": "x" * 501}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="'name' exceeds the maximum length of 500 characters",
    )
    assert_error(
        api.post("/experiments/create", {"name": unique("runs-loc"), "artifact_location": "runs:/abc"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Artifact location cannot be a runs:/ URI. Given: 'runs:/abc'",
    )


def test_fluent_set_experiment_creates_then_reuses(client):
    name = unique("exp-fluent")
    exp = mlflow.set_experiment(name)
    assert exp.name == name and exp.lifecycle_stage == "active"
    again = mlflow.set_experiment(name)
    assert again.experiment_id == exp.experiment_id
    by_id = mlflow.set_experiment(experiment_id=exp.experiment_id)
    assert by_id.name == name
    with mlflow.start_run() as run:
        assert run.info.experiment_id == exp.experiment_id


def test_rename(client):
    eid = client.create_experiment(unique("exp-rename"))
    new_name = unique("exp-renamed")
    client.rename_experiment(eid, new_name)
    exp = client.get_experiment(eid)
    assert exp.name == new_name
    assert client.get_experiment_by_name(new_name).experiment_id == eid


def test_rename_to_existing_name_is_bad_request(client, api):
    taken = unique("exp-taken")
    client.create_experiment(taken)
    eid = client.create_experiment(unique("exp-rename2"))
    r = api.post("/experiments/update", {"experiment_id": eid, "new_name": taken})
    assert_error(r, 400, "BAD_REQUEST")
    assert client.get_experiment(eid).name != taken


def test_rename_deleted_experiment_is_invalid_state(client, api):
    eid = client.create_experiment(unique("exp-rename-del"))
    client.delete_experiment(eid)
    r = api.post("/experiments/update", {"experiment_id": eid, "new_name": unique("nope")}, allow_5xx=True)
    assert_error(r, 500, "INVALID_STATE", message="Cannot rename a non-active experiment.")


def test_delete_and_restore_lifecycle(client, api):
    eid = client.create_experiment(unique("exp-lifecycle"))
    run = client.create_run(eid)
    client.delete_experiment(eid)
    exp = client.get_experiment(eid)
    assert exp.lifecycle_stage == "deleted"
    # runs of a deleted experiment are deleted too, still readable
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    # deleting twice
    assert_error(api.post("/experiments/delete", {"experiment_id": eid}), 404, "RESOURCE_DOES_NOT_EXIST")
    # no new runs in a deleted experiment
    with pytest.raises(MlflowException) as e:
        client.create_run(eid)
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    assert_error(
        api.post("/runs/create", {"experiment_id": eid}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=f"The experiment {eid} must be in the 'active' state. Current state is deleted.",
    )
    # the fluent API refuses a deleted experiment locally
    with pytest.raises(MlflowException):
        mlflow.set_experiment(experiment_id=eid)
    client.restore_experiment(eid)
    assert client.get_experiment(eid).lifecycle_stage == "active"
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "active"
    # restoring an active experiment
    assert_error(api.post("/experiments/restore", {"experiment_id": eid}), 404, "RESOURCE_DOES_NOT_EXIST")


def test_delete_unknown_experiment(client):
    with pytest.raises(MlflowException) as e:
        client.delete_experiment("987654321")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_experiment_tags(client, api):
    eid = client.create_experiment(unique("exp-tags"), tags={"a": "1"})
    client.set_experiment_tag(eid, "b", "2")
    client.set_experiment_tag(eid, "a", "changed")  # upsert
    assert client.get_experiment(eid).tags == {"a": "changed", "b": "2"}
    client.delete_experiment_tag(eid, "a")
    assert client.get_experiment(eid).tags == {"b": "2"}
    assert_error(
        api.post("/experiments/delete-experiment-tag", {"experiment_id": eid, "key": "nope"}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        message=f"No tag with name: nope in experiment with id {eid}",
    )
    with pytest.raises(MlflowException) as e:
        client.set_experiment_tag(eid, "k" * 251, "v")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    assert_error(
        api.post("/experiments/set-experiment-tag", {"experiment_id": eid, "key": "k" * 251, "value": "v"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="'key' exceeds the maximum length of 250 characters",
    )
    # fluent
    mlflow.set_experiment(experiment_id=eid)
    mlflow.set_experiment_tags({"c": "3", "d": "4"})
    assert client.get_experiment(eid).tags == {"b": "2", "c": "3", "d": "4"}


def test_experiment_tag_long_value(client, api):
    """MLflow 3.17 allows experiment tag values up to 20000 chars (migration 17e22815139b)."""
    eid = client.create_experiment(unique("exp-tagval"))
    client.set_experiment_tag(eid, "long", "v" * 20000)
    assert client.get_experiment(eid).tags["long"] == "v" * 20000
    assert_error(
        api.post("/experiments/set-experiment-tag", {"experiment_id": eid, "key": "x", "value": "v" * 20001}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="'value' exceeds the maximum length of 20000 characters",
    )


def test_experiment_tag_on_deleted_experiment(client, api):
    eid = client.create_experiment(unique("exp-tag-del"))
    client.delete_experiment(eid)
    assert_error(
        api.post("/experiments/set-experiment-tag", {"experiment_id": eid, "key": "k", "value": "v"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message=f"The experiment {eid} must be in the 'active' state. Current state is deleted.",
    )


# --------------------------------------------------------------------------------------
# search
# --------------------------------------------------------------------------------------


@pytest.fixture
def search_family(client):
    """Five experiments sharing a unique prefix; the last one deleted."""
    prefix = unique("sx")
    names = [f"{prefix}-Alpha", f"{prefix}-beta", f"{prefix}-gamma", f"{prefix}-delta", f"{prefix}-epsilon"]
    ids = {}
    for i, name in enumerate(names):
        tags = {"team": "red" if i % 2 == 0 else "blue", "idx": str(i)}
        if i == 2:
            tags["special key"] = "yes"
        ids[name] = client.create_experiment(name, tags=tags)
    client.delete_experiment(ids[names[-1]])
    return prefix, names, ids


def _names(exps):
    return [e.name for e in exps]


def test_search_by_name(client, search_family):
    prefix, names, ids = search_family
    assert _names(client.search_experiments(filter_string=f"name = '{prefix}-beta'")) == [f"{prefix}-beta"]
    assert _names(client.search_experiments(filter_string=f"attribute.name = '{prefix}-beta'")) == [f"{prefix}-beta"]
    got = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name ASC"])
    assert _names(got) == sorted(names[:4])
    # LIKE is case-sensitive, ILIKE is not
    assert _names(client.search_experiments(filter_string=f"name LIKE '{prefix}-alpha'")) == []
    assert _names(client.search_experiments(filter_string=f"name ILIKE '{prefix}-alpha'")) == [f"{prefix}-Alpha"]
    assert set(_names(client.search_experiments(filter_string=f"name != '{prefix}-beta' AND name LIKE '{prefix}%'"))) == {
        f"{prefix}-Alpha",
        f"{prefix}-gamma",
        f"{prefix}-delta",
    }


def test_search_by_tags(client, search_family):
    prefix, names, ids = search_family
    f = f"name LIKE '{prefix}%' AND tags.team = 'red'"
    assert set(_names(client.search_experiments(filter_string=f))) == {f"{prefix}-Alpha", f"{prefix}-gamma"}
    f = f"name LIKE '{prefix}%' AND tags.`special key` = 'yes'"
    assert _names(client.search_experiments(filter_string=f)) == [f"{prefix}-gamma"]
    f = f'name LIKE \'{prefix}%\' AND tags."special key" IS NOT NULL'
    assert _names(client.search_experiments(filter_string=f)) == [f"{prefix}-gamma"]
    f = f"name LIKE '{prefix}%' AND tags.`special key` IS NULL"
    assert set(_names(client.search_experiments(filter_string=f))) == {f"{prefix}-Alpha", f"{prefix}-beta", f"{prefix}-delta"}
    f = f"name LIKE '{prefix}%' AND tag.team LIKE 'bl%'"
    assert set(_names(client.search_experiments(filter_string=f))) == {f"{prefix}-beta", f"{prefix}-delta"}
    f = f"name LIKE '{prefix}%' AND tags.team ILIKE 'RE%'"
    assert set(_names(client.search_experiments(filter_string=f))) == {f"{prefix}-Alpha", f"{prefix}-gamma"}


def test_search_view_types(client, search_family):
    prefix, names, ids = search_family
    f = f"name LIKE '{prefix}%'"
    active = _names(client.search_experiments(filter_string=f, view_type=ViewType.ACTIVE_ONLY))
    deleted = _names(client.search_experiments(filter_string=f, view_type=ViewType.DELETED_ONLY))
    both = _names(client.search_experiments(filter_string=f, view_type=ViewType.ALL))
    assert set(active) == set(names[:4])
    assert deleted == [names[4]]
    assert set(both) == set(names)
    assert set(_names(mlflow.search_experiments(filter_string=f, view_type=ViewType.ALL))) == set(names)


def test_search_order_by(client, search_family):
    prefix, names, ids = search_family
    f = f"name LIKE '{prefix}%'"
    assert _names(client.search_experiments(filter_string=f, order_by=["name DESC"])) == sorted(names[:4], reverse=True)
    assert _names(client.search_experiments(filter_string=f, order_by=["experiment_id ASC"])) == names[:4]
    assert _names(client.search_experiments(filter_string=f, order_by=["experiment_id DESC"])) == names[:4][::-1]
    # default order: creation_time DESC, experiment_id ASC
    got = client.search_experiments(filter_string=f)
    keys = [(-e.creation_time, int(e.experiment_id)) for e in got]
    assert keys == sorted(keys)
    got = client.search_experiments(filter_string=f, order_by=["last_update_time desc"])
    times = [e.last_update_time for e in got]
    assert times == sorted(times, reverse=True)


def test_search_pagination(client, search_family):
    prefix, names, ids = search_family
    f = f"name LIKE '{prefix}%'"
    page1 = client.search_experiments(filter_string=f, max_results=3, order_by=["name ASC"], view_type=ViewType.ALL)
    assert len(page1) == 3 and page1.token
    page2 = client.search_experiments(
        filter_string=f, max_results=3, order_by=["name ASC"], view_type=ViewType.ALL, page_token=page1.token
    )
    assert len(page2) == 2
    assert not page2.token
    assert _names(page1) + _names(page2) == sorted(names)
    # exact fit: no token when the page is exactly full
    exact = client.search_experiments(filter_string=f, max_results=4, order_by=["name ASC"])
    assert len(exact) == 4 and not exact.token
    # the fluent API follows tokens itself
    assert len(mlflow.search_experiments(filter_string=f, max_results=3)) == 3


def test_search_wire_errors(api):
    assert_error(
        api.post("/experiments/search", {"max_results": 0}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    )
    assert_error(
        api.post("/experiments/search", {"max_results": 50001}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000",
    )
    assert_error(
        api.post("/experiments/search", {"max_results": 10, "filter": "name = unquoted"}),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="Parameter value is either not quoted or unidentified quote types used for string value unquoted",
    )
    # lower-case comparators are not accepted for experiments by MLflow; Carnet accepts any case
    # (a documented superset, like OR / NOT / parentheses)
    lower = api.post("/experiments/search", {"max_results": 10, "filter": "name like 'x%'"})
    if servers.target() == "mlflow":
        assert_error(lower, 400, "INVALID_PARAMETER_VALUE", contains="Invalid comparator 'like'")
    else:
        assert lower.status_code == 200, lower.text
    # `attributes.` (plural) is not an experiment entity
    assert_error(
        api.post("/experiments/search", {"max_results": 10, "filter": "attributes.name = 'x'"}),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="Invalid entity type 'attributes'",
    )
    assert_error(
        api.post("/experiments/search", {"max_results": 10, "order_by": ["tags.team"]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Invalid order_by entity: tag",
    )
    assert_error(
        api.post("/experiments/search", {"max_results": 10, "order_by": ["bogus"]}),
        400,
        "INVALID_PARAMETER_VALUE",
        contains="Invalid attribute key 'bogus' specified.",
    )
    assert_error(
        api.post("/experiments/search", {"max_results": 10, "page_token": "not-a-token"}),
        400,
        "INVALID_PARAMETER_VALUE",
    )


def test_search_numeric_attributes(client, search_family):
    prefix, names, ids = search_family
    exp = client.get_experiment(ids[names[0]])
    f = f"name LIKE '{prefix}%' AND creation_time >= {exp.creation_time}"
    assert set(_names(client.search_experiments(filter_string=f))) == set(names[:4])
    f = f"name LIKE '{prefix}%' AND creation_time < {exp.creation_time}"
    assert _names(client.search_experiments(filter_string=f)) == []


def test_search_get_with_query_string(api, search_family):
    """GET /experiments/search with repeated order_by keys in the query string."""
    prefix, names, ids = search_family
    body = api.ok(
        "GET",
        "/experiments/search",
        params=[("max_results", "10"), ("filter", f"name LIKE '{prefix}%'"), ("order_by", "name DESC"), ("order_by", "experiment_id ASC"), ("view_type", "ALL")],
    )
    assert [e["name"] for e in body["experiments"]] == sorted(names, reverse=True)


@pytest.mark.mlflow_only
def test_search_rejects_or(api):
    """OR is a Carnet extension; MLflow rejects it."""
    assert_error(
        api.post("/experiments/search", {"max_results": 10, "filter": "name = 'a' OR name = 'b'"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Invalid clause(s) in filter string: OR",
    )
