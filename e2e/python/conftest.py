"""Session fixtures: one tracking server (Carnet or real MLflow) on a fresh database.

Environment:
  COMPAT_TARGET   carnet (default) | mlflow      which server to drive
  COMPAT_BACKEND  sqlite (default) | postgres | mysql
  TEST_POSTGRES_URL / TEST_MYSQL_URL   admin connections used to create throw-away databases
  COMPAT_SERVER_URL  (development) drive an already running server instead of starting one
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import requests

import servers
from helpers import Api, unique

# Client-side settings must be in place before mlflow reads them (they are read lazily).
os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = "30"
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["DO_NOT_TRACK"] = "true"
os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"
os.environ.pop("MLFLOW_EXPERIMENT_NAME", None)
os.environ.pop("MLFLOW_EXPERIMENT_ID", None)
os.environ.pop("MLFLOW_RUN_ID", None)

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

TARGET = servers.target()
BACKEND = servers.backend_kind()


def pytest_report_header(config):
    return f"compat target: {TARGET}, backend: {BACKEND}, mlflow client {mlflow.__version__}"


def pytest_collection_modifyitems(config, items):
    skip_carnet_only = pytest.mark.skip(reason="Carnet-only behaviour (COMPAT_TARGET=mlflow)")
    skip_mlflow_only = pytest.mark.skip(reason="MLflow limitation that Carnet lifts on purpose")
    for item in items:
        if "carnet_only" in item.keywords and TARGET != "carnet":
            item.add_marker(skip_carnet_only)
        if "mlflow_only" in item.keywords and TARGET != "mlflow":
            item.add_marker(skip_mlflow_only)


# --------------------------------------------------------------------------------------
# session server
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def target() -> str:
    return TARGET


@pytest.fixture(scope="session")
def backend() -> str:
    return BACKEND


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    db = servers.create_database(BACKEND, tmp_path_factory.mktemp("db"))
    yield db
    db.drop()


@pytest.fixture(scope="session")
def server(request, tmp_path_factory):
    external = os.environ.get("COMPAT_SERVER_URL")
    if external:
        # development shortcut: drive an already running server (nothing is started or stopped)
        handle = servers.ExternalServer(TARGET, external.rstrip("/"))
    else:
        database = request.getfixturevalue("database")
        workdir = tmp_path_factory.mktemp("server")
        try:
            handle = servers.start_server(TARGET, database.uri_for(TARGET), workdir / "mlartifacts")
        except servers.ServerStartError as e:
            pytest.fail(str(e), pytrace=False)
    os.environ["MLFLOW_TRACKING_URI"] = handle.url
    mlflow.set_tracking_uri(handle.url)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def _clean_fluent_state(request):
    yield
    # never leak an active run (or an active experiment) into the next test
    while mlflow.active_run() is not None:
        mlflow.end_run()
    os.environ.pop("MLFLOW_EXPERIMENT_NAME", None)
    os.environ.pop("MLFLOW_EXPERIMENT_ID", None)
    mlflow.tracking.fluent._active_experiment_id = None


@pytest.fixture
def server_alive(server):
    """Fails the test (instead of cascading timeouts) when the server died."""
    yield server
    if not server.alive():
        pytest.fail(f"server died during the test; stderr:\n{server.stderr_text}", pytrace=False)


@pytest.fixture
def client(server_alive) -> MlflowClient:
    return MlflowClient(tracking_uri=server_alive.url)


@pytest.fixture
def api(server_alive) -> Api:
    return Api(server_alive.url)


@pytest.fixture
def exp_id(client, request) -> str:
    """A fresh experiment for the test (name derived from the test name)."""
    name = unique(request.node.name[:60])
    return client.create_experiment(name)
