"""The newest MLflow 2.x client (2.22.x) against the server: the tracking + registry subset.

Runs only under the 2.x venv (.venv-mlflow2, from requirements-mlflow2.txt); skipped with the
pinned 3.x client. 2.x clients store models as run artifacts and register `runs:/` URIs, which
their client resolves to the run's `mlflow-artifacts:` location before calling the server.
"""

from __future__ import annotations

import pytest
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException

import mlflow
from helpers import unique

pytestmark = pytest.mark.skipif(
    not mlflow.__version__.startswith("2."),
    reason="MLflow 2.x client only: run with .venv-mlflow2/bin/python",
)

MLMODEL = "artifact_path: model\nflavors: {}\nmlflow_version: 2.22.5\n"


def _log_fake_model(tmp_path, run_id, content: str) -> None:
    """A model directory as a 2.x client leaves it in the run's artifacts."""
    model_dir = tmp_path / f"model-{run_id}"
    model_dir.mkdir()
    (model_dir / "MLmodel").write_text(MLMODEL)
    (model_dir / "weights.txt").write_text(content)
    mlflow.MlflowClient().log_artifacts(run_id, str(model_dir), artifact_path="model")


def test_tracking_with_2x_client(client, tmp_path):
    exp = mlflow.set_experiment(unique("v2-tracking"))
    note = tmp_path / "note.txt"
    note.write_text("hello from 2.x")
    with mlflow.start_run(run_name="v2-run") as run:
        mlflow.log_param("alpha", 0.5)
        mlflow.log_metrics({"loss": 0.25, "acc": 0.75}, step=3)
        mlflow.set_tags({"team": "red"})
        mlflow.log_artifact(str(note), artifact_path="docs")
    got = client.get_run(run.info.run_id)
    assert got.info.run_name == "v2-run" and got.info.status == "FINISHED"
    assert got.data.params == {"alpha": "0.5"}
    assert got.data.metrics == {"loss": 0.25, "acc": 0.75}
    assert got.data.tags["team"] == "red"
    assert [f.path for f in client.list_artifacts(run.info.run_id, "docs")] == ["docs/note.txt"]
    assert [m.step for m in client.get_metric_history(run.info.run_id, "loss")] == [3]
    found = client.search_runs([exp.experiment_id], filter_string="metrics.acc > 0.5")
    assert [r.info.run_id for r in found] == [run.info.run_id]
    client.delete_run(run.info.run_id)
    assert client.search_runs([exp.experiment_id], run_view_type=ViewType.ACTIVE_ONLY) == []
    client.restore_run(run.info.run_id)
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "active"


def test_sklearn_log_model_register_and_load_with_2x_client(client):
    """The classic 2.x flow: the model is stored in the run's artifacts and registered from there."""
    np = pytest.importorskip("numpy")
    linear_model = pytest.importorskip("sklearn.linear_model")
    mlflow.set_experiment(unique("v2-sklearn"))
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = linear_model.Ridge(alpha=0.5).fit(X, [0.0, 1.0, 2.5, 3.0])
    name = unique("v2-sklearn-model")
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, "model", registered_model_name=name, pip_requirements=["scikit-learn"])
    assert info.model_uri == f"runs:/{run.info.run_id}/model"
    mv = client.get_model_version(name, "1")
    assert mv.run_id == run.info.run_id and mv.source == f"{run.info.artifact_uri}/model"
    client.set_registered_model_alias(name, "champion", "1")
    for uri in (info.model_uri, f"models:/{name}/1", f"models:/{name}@champion"):
        np.testing.assert_allclose(mlflow.pyfunc.load_model(uri).predict(X), model.predict(X))


def test_registry_with_2x_client(client, tmp_path):
    mlflow.set_experiment(unique("v2-registry"))
    name = unique("v2-model")
    client.create_registered_model(name, tags={"team": "red"}, description="from 2.x")
    run_ids = []
    for i in range(2):
        with mlflow.start_run() as run:
            _log_fake_model(tmp_path, run.info.run_id, f"weights-{i}")
        run_ids.append(run.info.run_id)
        mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
        assert mv.version == str(i + 1) and mv.run_id == run.info.run_id
        assert mv.source == f"{run.info.artifact_uri}/model"

    client.transition_model_version_stage(name, "1", "Production")
    client.transition_model_version_stage(name, "2", "Production", archive_existing_versions=True)
    assert client.get_model_version(name, "1").current_stage == "Archived"
    assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == ["2"]
    client.set_registered_model_alias(name, "champion", "1")
    assert client.get_model_version_by_alias(name, "champion").version == "1"
    client.set_model_version_tag(name, "1", "validated", "yes")
    client.update_model_version(name, "1", description="first")

    # models:/ URIs resolve through the registry and download through the artifact proxy
    for uri, expected in (
        (f"models:/{name}/1", "weights-0"),
        (f"models:/{name}/Production", "weights-1"),
        (f"models:/{name}@champion", "weights-0"),
    ):
        path = mlflow.artifacts.download_artifacts(uri, dst_path=str(tmp_path / unique("dl")))
        with open(f"{path}/weights.txt") as f:
            assert f.read() == expected, uri

    rm = client.get_registered_model(name)
    assert rm.tags == {"team": "red"} and rm.description == "from 2.x"
    assert rm.aliases == {"champion": "1"}
    found = client.search_registered_models(f"name = '{name}'")
    assert [m.name for m in found] == [name]
    versions = client.search_model_versions(f"name = '{name}' AND tags.validated = 'yes'")
    assert [(v.version, v.description) for v in versions] == [("1", "first")]

    new_name = unique("v2-renamed")
    client.rename_registered_model(name, new_name)
    assert client.get_model_version(new_name, "2").run_id == run_ids[1]
    client.delete_model_version(new_name, "2")
    with pytest.raises(MlflowException) as e:
        client.get_model_version(new_name, "2")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as e:
        client.create_registered_model(new_name)
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"
    client.delete_registered_model(new_name)
    with pytest.raises(MlflowException) as e:
        client.get_registered_model(new_name)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
