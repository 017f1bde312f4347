"""Backend URI variants: the same database reached through an explicit SQLAlchemy driver."""

from __future__ import annotations

import pytest
from mlflow import MlflowClient

import servers
from helpers import unique


def test_postgresql_psycopg2_uri(server, database, target, tmp_path):
    if isinstance(server, servers.ExternalServer):
        pytest.skip("needs a server started by the suite")
    if database.kind != "postgres":
        pytest.skip("only for COMPAT_BACKEND=postgres")
    # the session server got `database.uri_for(target)`: bare postgresql:// for Carnet (SQLAlchemy
    # 2.1 maps that to psycopg 3, absent here, so the real MLflow gets +psycopg2 there as well)
    main = MlflowClient(server.url)
    name = unique("driver-uri")
    eid = main.create_experiment(name, tags={"via": "postgresql://"})
    rid = main.create_run(eid, run_name="r").info.run_id
    main.log_metric(rid, "m", 1.25, step=3, timestamp=77)
    main.log_param(rid, "p", "v")

    uri = database.uri_with_driver("psycopg2")
    assert uri.startswith("postgresql+psycopg2://")
    with servers.start_server(target, uri, tmp_path / "mlartifacts") as second:
        other = MlflowClient(second.url)
        exp = other.get_experiment_by_name(name)
        assert exp.experiment_id == eid and exp.tags == {"via": "postgresql://"}
        run = other.get_run(rid)
        assert run.data.params == {"p": "v"}
        assert run.data.metrics == {"m": 1.25}
        assert [(m.step, m.timestamp, m.value) for m in other.get_metric_history(rid, "m")] == [(3, 77, 1.25)]
        # and writes through the second server are visible through the first
        other.set_tag(rid, "written-by", "psycopg2-uri")
    assert main.get_run(rid).data.tags["written-by"] == "psycopg2-uri"
