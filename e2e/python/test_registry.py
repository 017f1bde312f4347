"""Model registry: registering logged models, loading them by models:/ URIs, stages, aliases, tags,
descriptions, search, rename/delete, error codes, model version source checks, and the same
registry seen by the real MLflow server on the same database."""

from __future__ import annotations

import numpy as np
import pytest
from mlflow.exceptions import MlflowException
from sklearn.linear_model import Ridge

import mlflow
import servers
from helpers import assert_error, unique

X = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, 0.0], [3.0, 1.5], [4.0, 0.2], [5.0, 0.9]])
Y = np.array([0.1, 1.2, 1.9, 3.4, 3.8, 5.3])


def _log_and_register(name: str, alpha: float):
    """One run that trains, logs and registers a model (MLflow 3: a logged model + a version)."""
    with mlflow.start_run() as run:
        model = Ridge(alpha=alpha).fit(X, Y)
        mlflow.log_param("alpha", alpha)
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            registered_model_name=name,
            # skips pip-requirement inference, which imports the model in a subprocess (slow)
            pip_requirements=["scikit-learn"],
        )
    return run.info.run_id, info, model


def _create_version(client, name, run_id=None, source=None):
    """A version registered from the run's own artifact directory (the runs:/ flow)."""
    if run_id is None:
        run_id = client.create_run(client.create_experiment(unique("reg-src"))).info.run_id
    root = client.get_run(run_id).info.artifact_uri
    return client.create_model_version(name, source or f"{root}/model", run_id=run_id)


def test_log_model_register_and_load_by_every_uri(client, exp_id):
    mlflow.set_experiment(experiment_id=exp_id)
    name = unique("reg-sklearn")
    run1, info1, model1 = _log_and_register(name, 0.01)
    run2, info2, model2 = _log_and_register(name, 10.0)

    versions = sorted(client.search_model_versions(f"name = '{name}'"), key=lambda v: int(v.version))
    assert [v.version for v in versions] == ["1", "2"]
    assert [v.run_id for v in versions] == [run1, run2]
    assert [v.source for v in versions] == [info1.model_uri, info2.model_uri]
    assert all(v.status == "READY" and v.current_stage == "None" for v in versions)
    assert client.get_model_version_download_uri(name, "1") == client.get_logged_model(info1.model_id).artifact_location

    client.transition_model_version_stage(name, "1", "Production")
    client.set_registered_model_alias(name, "champion", "2")
    expected1, expected2 = model1.predict(X), model2.predict(X)
    assert not np.array_equal(expected1, expected2)
    for uri, expected in (
        (info1.model_uri, expected1),
        (f"models:/{name}/1", expected1),
        (f"models:/{name}/Production", expected1),
        (f"models:/{name}@champion", expected2),
        (f"models:/{name}/latest", expected2),
    ):
        loaded = mlflow.pyfunc.load_model(uri)
        np.testing.assert_array_equal(loaded.predict(X), expected, err_msg=uri)

    # the server records the registrations on the logged model (plus the client's own entry)
    tag = client.get_logged_model(info1.model_id).tags["mlflow.modelVersions"]
    assert f'{{"name": "{name}", "version": 1}}' in tag


def test_stage_transitions_with_and_without_archiving(client, api, target):
    name = unique("reg-stages")
    client.create_registered_model(name)
    for _ in range(3):
        _create_version(client, name)
    client.transition_model_version_stage(name, "1", "Production")
    mv = client.transition_model_version_stage(name, "2", "production", archive_existing_versions=False)
    assert mv.current_stage == "Production"
    assert client.get_model_version(name, "1").current_stage == "Production"
    assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == ["2"]

    client.transition_model_version_stage(name, "3", "Production", archive_existing_versions=True)
    stages = {v: client.get_model_version(name, v).current_stage for v in ("1", "2", "3")}
    assert stages == {"1": "Archived", "2": "Archived", "3": "Production"}
    latest = client.get_latest_versions(name)
    assert sorted((v.version, v.current_stage) for v in latest) == [("2", "Archived"), ("3", "Production")]
    assert client.get_latest_versions(name, stages=["Staging"]) == []

    # MLflow answers 500 INTERNAL_ERROR for this client mistake; Carnet answers 400
    r = api.post(
        "/model-versions/transition-stage",
        json={"name": name, "version": "1", "stage": "Archived", "archive_existing_versions": True},
        allow_5xx=True,
    )
    assert_error(
        r,
        500 if target == "mlflow" else 400,
        "INTERNAL_ERROR" if target == "mlflow" else "INVALID_PARAMETER_VALUE",
        message="Model version transition cannot archive existing model versions because 'Archived' "
        "is not an Active stage. Valid stages are ['Staging', 'Production']",
    )
    with pytest.raises(MlflowException) as e:
        client.transition_model_version_stage(name, "1", "bogus")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"


def test_aliases(client, api):
    name = unique("reg-alias")
    client.create_registered_model(name)
    for _ in range(2):
        _create_version(client, name)
    client.set_registered_model_alias(name, "champion", "1")
    client.set_registered_model_alias(name, "champion", "2")
    client.set_registered_model_alias(name, "challenger", "1")
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    assert client.get_model_version(name, "1").aliases == ["challenger"]
    assert client.get_registered_model(name).aliases == {"champion": "2", "challenger": "1"}
    by_alias = api.ok("GET", "/registered-models/alias", params={"name": name, "alias": "champion"})
    assert by_alias["model_version"]["aliases"] == ["champion"]
    assert_error(
        api.get("/registered-models/alias", {"name": name, "alias": "missing"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Registered model alias missing not found.",
    )
    for bad in ("latest", "v2", "a b"):
        with pytest.raises(MlflowException) as e:
            client.set_registered_model_alias(name, bad, "1")
        assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    client.delete_registered_model_alias(name, "challenger")
    assert client.get_registered_model(name).aliases == {"champion": "2"}
    # deleting a version removes the aliases that point at it
    client.delete_model_version(name, "2")
    assert client.get_registered_model(name).aliases == {}


def test_tags_and_descriptions(client, api):
    name = unique("reg-tags")
    rm = client.create_registered_model(name, tags={"team": "red"}, description="first")
    assert rm.tags == {"team": "red"} and rm.description == "first"
    _create_version(client, name)
    client.set_registered_model_tag(name, "team", "blue")
    client.set_registered_model_tag(name, "k.with/odd:chars", "v")
    client.delete_registered_model_tag(name, "missing-is-fine")
    client.set_model_version_tag(name, "1", "validated", "yes")
    client.delete_model_version_tag(name, "1", "missing-is-fine")
    client.update_registered_model(name, description="second")
    client.update_model_version(name, "1", description="v1 notes")
    rm = client.get_registered_model(name)
    assert rm.tags == {"team": "blue", "k.with/odd:chars": "v"}
    assert rm.description == "second"
    mv = client.get_model_version(name, "1")
    assert mv.tags == {"validated": "yes"} and mv.description == "v1 notes"
    client.delete_registered_model_tag(name, "team")
    client.delete_model_version_tag(name, "1", "validated")
    assert client.get_registered_model(name).tags == {"k.with/odd:chars": "v"}
    assert client.get_model_version(name, "1").tags == {}

    # wire: an absent description clears a version's (NULL) and empties a model's ('')
    body = api.ok("PATCH", "/model-versions/update", json={"name": name, "version": "1"})
    assert "description" not in body["model_version"]
    body = api.ok("PATCH", "/registered-models/update", json={"name": name})
    assert "description" not in body["registered_model"]


def test_wire_shapes(api, client):
    name = unique("reg-wire")
    body = api.ok("POST", "/registered-models/create", json={"name": name})
    rm = body["registered_model"]
    assert rm["name"] == name and rm["creation_timestamp"] == rm["last_updated_timestamp"]
    assert "latest_versions" not in rm and "tags" not in rm and "aliases" not in rm
    run = client.create_run(client.create_experiment(unique("reg-wire-exp")))
    run_id = run.info.run_id
    source = f"{run.info.artifact_uri}/model"
    body = api.ok("POST", "/model-versions/create", json={"name": name, "source": source, "run_id": run_id})
    mv = body["model_version"]
    # absent run_link and description: MLflow stores the proto default '' and echoes it
    assert mv == {
        "name": name,
        "version": "1",
        "creation_timestamp": mv["creation_timestamp"],
        "last_updated_timestamp": mv["creation_timestamp"],
        "current_stage": "None",
        "description": "",
        "source": source,
        "run_id": run_id,
        "status": "READY",
        "run_link": "",
    }
    body = api.ok(
        "POST",
        "/model-versions/create",
        json={"name": name, "source": source, "run_id": run_id, "run_link": "http://x/y", "description": "d"},
    )
    assert body["model_version"]["version"] == "2"
    assert body["model_version"]["run_link"] == "http://x/y"
    assert body["model_version"]["description"] == "d"
    # a version registered from another one inherits its run and resolves to its location
    body = api.ok("POST", "/model-versions/create", json={"name": name, "source": f"models:/{name}/1"})
    assert body["model_version"]["run_id"] == run_id
    assert body["model_version"]["source"] == f"models:/{name}/1"
    assert api.ok("GET", "/model-versions/get-download-uri", params={"name": name, "version": "3"}) == {
        "artifact_uri": source
    }
    api.ok("DELETE", "/model-versions/delete", json={"name": name, "version": "3"})
    body = api.ok("GET", "/registered-models/get", params={"name": name})
    latest = body["registered_model"]["latest_versions"]
    assert [v["version"] for v in latest] == ["2"] and "aliases" not in latest[0]
    assert api.ok("GET", "/model-versions/get-download-uri", params={"name": name, "version": "2"}) == {
        "artifact_uri": source
    }
    assert api.ok("POST", "/registered-models/get-latest-versions", json={"name": name, "stages": ["Staging"]}) == {}


def test_search_registered_models(client, api):
    prefix = unique("reg-search")
    for suffix, team in (("Alpha", "red"), ("alpha2", "blue"), ("beta", "red")):
        client.create_registered_model(f"{prefix}-{suffix}", tags={"team": team})
    # a prompt (a registered model with the prompt tag) is hidden from model searches
    api.ok(
        "POST",
        "/registered-models/create",
        json={"name": f"{prefix}-prompt", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]},
    )

    def names(filter_string, **kw):
        return [m.name[len(prefix) + 1 :] for m in client.search_registered_models(filter_string, **kw)]

    assert names(f"name LIKE '{prefix}-%'") == ["Alpha", "alpha2", "beta"]
    assert names(f"name LIKE '{prefix}-a%'") == ["alpha2"]
    assert names(f"name ILIKE '{prefix}-a%'") == ["Alpha", "alpha2"]
    assert names(f"name = '{prefix}-beta'") == ["beta"]
    assert names(f"name LIKE '{prefix}-%' AND tags.team = 'red'") == ["Alpha", "beta"]
    assert names(f"name LIKE '{prefix}-%'", order_by=["name DESC"]) == ["beta", "alpha2", "Alpha"]
    assert names(f"name LIKE '{prefix}-%' AND tags.`mlflow.prompt.is_prompt` = 'true'") == ["prompt"]

    page1 = client.search_registered_models(f"name LIKE '{prefix}-%'", max_results=2)
    assert len(page1) == 2 and page1.token
    page2 = client.search_registered_models(f"name LIKE '{prefix}-%'", max_results=2, page_token=page1.token)
    assert [m.name for m in page2] == [f"{prefix}-beta"] and not page2.token

    with pytest.raises(MlflowException) as e:
        client.search_registered_models("description = 'x'")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    assert_error(api.get("/registered-models/search", {"max_results": 1001}), 400, "INVALID_PARAMETER_VALUE")


def test_search_model_versions(client):
    name = unique("reg-mvsearch")
    client.create_registered_model(name)
    run_id = client.create_run(client.create_experiment(unique("reg-mvsearch-exp"))).info.run_id
    for _ in range(3):
        _create_version(client, name, run_id)
    client.set_model_version_tag(name, "2", "k", "v")

    def versions(filter_string, **kw):
        return [v.version for v in client.search_model_versions(filter_string, **kw)]

    assert versions(f"name = '{name}'", order_by=["version_number ASC"]) == ["1", "2", "3"]
    assert versions(f"name = '{name}' AND version_number > 1", order_by=["version_number DESC"]) == ["3", "2"]
    assert versions(f"name = '{name}' AND tags.k = 'v'") == ["2"]
    assert versions(f"run_id = '{run_id}'", order_by=["version_number"]) == ["1", "2", "3"]
    page = client.search_model_versions(f"name = '{name}'", max_results=2, order_by=["version_number"])
    assert [v.version for v in page] == ["1", "2"] and page.token
    rest = client.search_model_versions(f"name = '{name}'", max_results=2, order_by=["version_number"], page_token=page.token)
    assert [v.version for v in rest] == ["3"] and not rest.token
    with pytest.raises(MlflowException) as e:
        client.search_model_versions("version_number = 1.5")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as e:
        client.search_model_versions("source_path IN ('a')")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"


def test_rename_and_delete(client):
    name = unique("reg-rename")
    client.create_registered_model(name, tags={"t": "1"})
    _create_version(client, name)
    client.set_registered_model_alias(name, "prod", "1")
    new_name = unique("reg-renamed")
    client.rename_registered_model(name, new_name)
    assert client.get_model_version_by_alias(new_name, "prod").name == new_name
    assert client.get_registered_model(new_name).tags == {"t": "1"}
    with pytest.raises(MlflowException) as e:
        client.get_registered_model(name)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    other = unique("reg-other")
    client.create_registered_model(other)
    with pytest.raises(MlflowException) as e:
        client.rename_registered_model(new_name, other)
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"

    _create_version(client, new_name)
    client.delete_model_version(new_name, "1")
    with pytest.raises(MlflowException) as e:
        client.get_model_version(new_name, "1")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    # a deleted version's number is never reused
    assert _create_version(client, new_name).version == "3"
    client.delete_registered_model(new_name)
    assert client.search_model_versions(f"name = '{new_name}'") == []
    with pytest.raises(MlflowException) as e:
        client.delete_registered_model(new_name)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_error_codes(client, api):
    name = unique("reg-errors")
    client.create_registered_model(name)
    assert_error(
        api.post("/registered-models/create", json={"name": name}),
        400,
        "RESOURCE_ALREADY_EXISTS",
        message=f"Registered Model (name={name}) already exists.",
    )
    missing = unique("reg-missing")
    assert_error(
        api.get("/registered-models/get", {"name": missing}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        message=f"Registered Model with name={missing} not found",
    )
    assert_error(
        api.get("/model-versions/get", {"name": name, "version": "7"}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        message=f"Model Version (name={name}, version=7) not found",
    )
    assert_error(
        api.get("/model-versions/get", {"name": name, "version": "x"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Parameter 'version' must be an integer, got 'x'.",
    )
    assert_error(
        api.post("/registered-models/create", json={"name": "a/b"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Invalid model name 'a/b'. Names cannot contain '/' or ':'.",
    )
    assert_error(api.post("/registered-models/create", json={}), 400, "INVALID_PARAMETER_VALUE")
    assert_error(
        api.post("/model-versions/create", json={"name": missing, "source": "models:/x/1"}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    assert_error(
        api.post("/registered-models/get-latest-versions", json={"name": name, "stages": ["bad"]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Invalid Model Version stage: bad. Value must be one of None, Staging, Production, Archived.",
    )
    with pytest.raises(MlflowException) as e:
        client.create_registered_model(name)
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_model_version_source_must_stay_in_its_run(client, api):
    name = unique("reg-source")
    client.create_registered_model(name)
    exp = client.create_experiment(unique("reg-source-exp"))
    run = client.create_run(exp)
    other = client.create_run(exp)
    root = run.info.artifact_uri

    def refused(source, contains, **ids):
        assert_error(
            api.post("/model-versions/create", json={"name": name, "source": source, **ids}),
            400,
            "INVALID_PARAMETER_VALUE",
            contains=contains,
        )

    refused("/etc/passwd", "To use a local path as a model version source", run_id=run.info.run_id)
    refused("file:///etc/passwd", "To use a local path", run_id=run.info.run_id)
    refused(f"{other.info.artifact_uri}/model", "The run_id request parameter must identify", run_id=run.info.run_id)
    refused(f"{other.info.artifact_uri}/model", "The run_id request parameter must identify")
    refused(f"runs:/{other.info.run_id}/model", "The run_id request parameter must identify", run_id=run.info.run_id)
    refused(f"{root}/../../x", "without relative path references", run_id=run.info.run_id)
    refused(f"{root}/%252E%252E/%252E%252E/x", "without relative path references", run_id=run.info.run_id)
    refused("http://169.254.169.254/latest/meta-data", "'source' cannot use the 'http' scheme")
    refused(f"models:/{'m-' + '0' * 32}", "The model_id request parameter must identify")
    assert _create_version(client, name, run.info.run_id).version == "1"
    mv = client.create_model_version(name, f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    assert mv.version == "2"


@pytest.mark.carnet_only
def test_other_scheme_sources_must_be_in_a_root(api, client):
    """Carnet refuses sources outside the run's, logged model's or server's roots (MLflow accepts s3://…)."""
    name = unique("reg-strict")
    client.create_registered_model(name)
    run = client.create_run(client.create_experiment(unique("reg-strict-exp")))
    for source, ids in (
        ("s3://some-bucket/model", {}),
        ("s3://some-bucket/model", {"run_id": run.info.run_id}),
        ("gs://bucket/x", {}),
    ):
        assert_error(
            api.post("/model-versions/create", json={"name": name, "source": source, **ids}),
            400,
            "INVALID_PARAMETER_VALUE",
            contains="must identify the resource that contains the source",
        )
    # the server's own artifact root, outside every run's directory, is fine without a run
    body = api.ok("POST", "/model-versions/create", json={"name": name, "source": "mlflow-artifacts:/shared/model"})
    assert body["model_version"]["version"] == "1"


@pytest.mark.carnet_only
def test_real_mlflow_reads_the_registry_carnet_wrote(tmp_path):
    """Registry rows are MLflow's: what Carnet wrote, `mlflow server` serves identically, and back."""
    from mlflow import MlflowClient

    db = servers.create_database(servers.backend_kind(), tmp_path)
    try:
        artifacts = tmp_path / "mlartifacts"
        name = unique("reg-cross")

        def snapshot(c: MlflowClient):
            rm = c.get_registered_model(name)
            versions = sorted(c.search_model_versions(f"name = '{name}'"), key=lambda v: int(v.version))
            return {
                "rm": (rm.name, rm.description, rm.tags, rm.aliases, rm.creation_timestamp),
                "latest": sorted((v.version, v.current_stage) for v in rm.latest_versions),
                "versions": [
                    (v.version, v.source, v.run_id, v.current_stage, v.tags, v.description, v.status)
                    for v in versions
                ],
                "by_alias": c.get_model_version_by_alias(name, "champion").version,
                "uri": c.get_model_version_download_uri(name, "2"),
            }

        with servers.start_server("carnet", db.uri_for("carnet"), artifacts) as carnet:
            c = MlflowClient(carnet.url)
            run = c.create_run(c.create_experiment(unique("reg-cross-exp")))
            c.create_registered_model(name, tags={"team": "red"}, description="shared")
            for _ in range(3):
                c.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run.info.run_id, tags={"k": "v"})
            c.transition_model_version_stage(name, "2", "Production")
            c.set_registered_model_alias(name, "champion", "2")
            c.delete_model_version(name, "3")
            written = snapshot(c)
        with servers.start_server("mlflow", db.uri_for("mlflow"), artifacts) as real:
            c = MlflowClient(real.url)
            assert snapshot(c) == written
            # MLflow continues the numbering Carnet started, and Carnet reads it back
            assert c.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run.info.run_id).version == "4"
            c.set_registered_model_alias(name, "challenger", "4")
        with servers.start_server("carnet", db.uri_for("carnet"), artifacts) as carnet:
            c = MlflowClient(carnet.url)
            assert c.get_model_version_by_alias(name, "challenger").version == "4"
            assert c.get_registered_model(name).aliases == {"champion": "2", "challenger": "4"}
    finally:
        db.drop()
