"""Artifacts through the proxy (`mlflow-artifacts:`) with the official client, on local disk.

test_artifacts_s3.py runs the same tests against an S3-compatible server by overriding the
module fixture `art`. Each module starts its own server (it needs to know where artifacts land).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import subprocess
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import requests

import servers
TARGET = servers.target()
BACKEND = servers.backend_kind()
from helpers import unique

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository  # noqa: E402


@dataclass
class ArtifactServer:
    kind: str  # "local" | "s3"
    url: str
    backend_uri: str
    destination: str
    list_stored: Callable[[str], list[str]]  # keys/paths below a prefix of the destination
    gc_env: dict


def _use_tracking_uri(url: str):
    previous_env = os.environ.get("MLFLOW_TRACKING_URI")
    previous = mlflow.get_tracking_uri() if previous_env else None
    os.environ["MLFLOW_TRACKING_URI"] = url
    mlflow.set_tracking_uri(url)

    def restore():
        if previous_env is None:
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        else:
            os.environ["MLFLOW_TRACKING_URI"] = previous_env
        mlflow.set_tracking_uri(previous or previous_env or "")

    return restore


@pytest.fixture(scope="module")
def art(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("artifacts-local")
    database = servers.create_database(BACKEND, workdir)
    destination = workdir / "mlartifacts"
    try:
        handle = servers.start_server(TARGET, database.uri, destination)
    except servers.ServerStartError as e:
        database.drop()
        pytest.fail(str(e), pytrace=False)
    restore = _use_tracking_uri(handle.url)

    def list_stored(prefix: str) -> list[str]:
        root = destination / prefix
        return sorted(
            str(p.relative_to(destination)) for p in root.rglob("*") if p.is_file()
        ) if root.exists() else []

    yield ArtifactServer("local", handle.url, database.uri, str(destination), list_stored, {})
    restore()
    handle.stop()
    database.drop()


@pytest.fixture
def run_id(art):
    mlflow.set_experiment(unique("artifacts"))
    with mlflow.start_run() as run:
        yield run.info.run_id


def _listing(client, run_id, path=None):
    return sorted((f.path, f.is_dir, f.file_size) for f in client.list_artifacts(run_id, path))


def test_artifact_uri_is_proxied(art, run_id):
    run = MlflowClient(art.url).get_run(run_id)
    assert run.info.artifact_uri == f"mlflow-artifacts:/{run.info.experiment_id}/{run_id}/artifacts"


def test_log_artifact_and_list(art, run_id, tmp_path):
    (tmp_path / "weights.bin").write_bytes(b"\x00\x01" * 500)
    (tmp_path / "notes.md").write_text("# notes")
    mlflow.log_artifact(str(tmp_path / "weights.bin"))
    mlflow.log_artifact(str(tmp_path / "notes.md"), artifact_path="docs/v1")
    client = MlflowClient(art.url)
    assert _listing(client, run_id) == [("docs", True, None), ("weights.bin", False, 1000)]
    assert _listing(client, run_id, "docs") == [("docs/v1", True, None)]
    assert _listing(client, run_id, "docs/v1") == [("docs/v1/notes.md", False, 7)]
    # a file path lists nothing, a missing one too
    assert client.list_artifacts(run_id, "weights.bin") == []
    assert client.list_artifacts(run_id, "missing/dir") == []
    exp_id = client.get_run(run_id).info.experiment_id
    assert f"{exp_id}/{run_id}/artifacts/docs/v1/notes.md" in art.list_stored(exp_id)


def test_log_artifacts_nested_and_download_folder(art, run_id, tmp_path):
    src = tmp_path / "src"
    (src / "a" / "b").mkdir(parents=True)
    (src / "top.txt").write_text("top")
    (src / "a" / "mid.json").write_text('{"x": 1}')
    (src / "a" / "b" / "deep.csv").write_text("c1,c2\n1,2\n")
    (src / "a" / "b" / "ünïcode näme.txt").write_text("uni")
    mlflow.log_artifacts(str(src), artifact_path="tree")
    client = MlflowClient(art.url)
    assert _listing(client, run_id, "tree") == [("tree/a", True, None), ("tree/top.txt", False, 3)]
    assert _listing(client, run_id, "tree/a/b") == [
        ("tree/a/b/deep.csv", False, 10),
        ("tree/a/b/ünïcode näme.txt", False, 3),
    ]
    out = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="tree", dst_path=str(tmp_path / "dl")))
    got = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert got == ["a/b/deep.csv", "a/b/ünïcode näme.txt", "a/mid.json", "top.txt"]
    assert (out / "a" / "b" / "deep.csv").read_text() == "c1,c2\n1,2\n"
    single = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="tree/a/mid.json", dst_path=str(tmp_path / "one"))
    assert Path(single).read_text() == '{"x": 1}'


def test_log_text_log_dict_and_load(art, run_id):
    mlflow.log_text("hello\nworld", "texts/hello.txt")
    mlflow.log_dict({"lr": 0.1, "layers": [1, 2]}, "config/params.json")
    mlflow.log_dict({"k": "v"}, "config/params.yaml")
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/texts/hello.txt") == "hello\nworld"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/params.json") == {"lr": 0.1, "layers": [1, 2]}
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/config/params.yaml").strip() == "k: v"


def test_log_image_and_figure(art, run_id):
    import numpy as np

    image = (np.arange(8 * 8 * 3) % 255).astype(np.uint8).reshape(8, 8, 3)
    mlflow.log_image(image, "images/grad.png")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 1, 2])
    mlflow.log_figure(fig, "figures/plot.png")
    plt.close(fig)
    client = MlflowClient(art.url)
    names = [f.path for f in client.list_artifacts(run_id, "images")]
    assert names == ["images/grad.png"]
    png = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="figures/plot.png")
    assert Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the UI's download endpoint serves it as an attachment with its content type
    r = requests.get(f"{art.url}/get-artifact", params={"path": "figures/plot.png", "run_uuid": run_id}, timeout=30)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.carnet_only  # MLflow answers ranges on local disk only
def test_range_requests(art, run_id):
    mlflow.log_text("0123456789", "ranges/digits.txt")
    exp_id = MlflowClient(art.url).get_run(run_id).info.experiment_id
    url = f"{art.url}/api/2.0/mlflow-artifacts/artifacts/{exp_id}/{run_id}/artifacts/ranges/digits.txt"
    r = requests.get(url, headers={"Range": "bytes=3-5"}, timeout=30)
    assert r.status_code == 206
    assert r.text == "345"
    assert r.headers["Content-Range"] == "bytes 3-5/10"
    r = requests.get(url, headers={"Range": "bytes=50-"}, timeout=30)
    assert r.status_code == 416


def test_tracking_list_endpoint(art, run_id):
    mlflow.log_text("x", "d/e/f.txt")
    r = requests.get(f"{art.url}/api/2.0/mlflow/artifacts/list", params={"run_id": run_id, "path": "d"}, timeout=30)
    body = r.json()
    assert body["root_uri"].endswith(f"/{run_id}/artifacts")
    assert body["files"] == [{"path": "d/e", "is_dir": True}]


def test_delete_artifacts(art, run_id):
    mlflow.log_text("a", "del/a.txt")
    mlflow.log_text("b", "del/sub/b.txt")
    mlflow.log_text("c", "keep.txt")
    client = MlflowClient(art.url)
    repo = get_artifact_repository(client.get_run(run_id).info.artifact_uri)
    repo.delete_artifacts("del/sub")
    assert _listing(client, run_id, "del") == [("del/a.txt", False, 1)]
    repo.delete_artifacts("del")
    assert [f.path for f in client.list_artifacts(run_id)] == ["keep.txt"]


@pytest.mark.slow
def test_200mb_round_trip_through_multipart(art, run_id, tmp_path, monkeypatch):
    # Multipart on: on S3 the client uploads 20 presigned parts; on local disk the server answers
    # MLflow's 501 and the client falls back to one streamed PUT.
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(50 * 1024 * 1024))
    big = tmp_path / "big.bin"
    digest = hashlib.sha256()
    block = os.urandom(1024 * 1024)
    with big.open("wb") as f:
        for i in range(200):
            chunk = block[i:] + block[:i]
            digest.update(chunk)
            f.write(chunk)
    mlflow.log_artifact(str(big), artifact_path="large")
    big.unlink()
    client = MlflowClient(art.url)
    assert _listing(client, run_id, "large") == [("large/big.bin", False, 200 * 1024 * 1024)]
    out = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="large/big.bin", dst_path=str(tmp_path / "dl")))
    check = hashlib.sha256()
    with out.open("rb") as f:
        while chunk := f.read(8 * 1024 * 1024):
            check.update(chunk)
    assert check.hexdigest() == digest.hexdigest()
    out.unlink()
    get_artifact_repository(client.get_run(run_id).info.artifact_uri).delete_artifacts("large")
    assert client.list_artifacts(run_id, "large") == []


def _carnet_gc(art, *args):
    env = {**servers._server_env(), **art.gc_env}
    return subprocess.run(
        [os.environ.get("COMPAT_NODE", "node"), str(servers.CARNET_BIN), "gc",
         "--backend-store-uri", art.backend_uri, "--artifacts-destination", art.destination, *args],
        capture_output=True, text=True, env=env, timeout=120,
    )


@pytest.mark.carnet_only
def test_gc_purges_runs_and_experiments_with_artifacts(art, tmp_path):
    client = MlflowClient(art.url)
    name = unique("gc")
    exp_id = client.create_experiment(name)
    doomed = client.create_run(exp_id).info.run_id
    kept = client.create_run(exp_id).info.run_id
    for rid in (doomed, kept):
        client.log_text(rid, "payload", "p/payload.txt")
    client.delete_run(doomed)
    result = _carnet_gc(art, "--run-ids", doomed)
    assert result.returncode == 0, result.stderr
    assert f"Run with ID {doomed} has been permanently deleted." in result.stdout
    with pytest.raises(mlflow.exceptions.MlflowException):
        client.get_run(doomed)
    assert art.list_stored(f"{exp_id}/{doomed}") == []
    assert art.list_stored(f"{exp_id}/{kept}") == [f"{exp_id}/{kept}/artifacts/p/payload.txt"]

    client.delete_experiment(exp_id)
    result = _carnet_gc(art, "--experiment-ids", exp_id)
    assert result.returncode == 0, result.stderr
    assert f"Experiment with ID {exp_id} has been permanently deleted." in result.stdout
    assert art.list_stored(exp_id) == []
    # the name is free again
    assert client.create_experiment(name)


@pytest.mark.carnet_only
def test_gc_refuses_active_runs(art):
    client = MlflowClient(art.url)
    rid = client.create_run(client.create_experiment(unique("gc-active"))).info.run_id
    result = _carnet_gc(art, "--run-ids", rid)
    assert result.returncode == 1
    assert "is not in `deleted` lifecycle stage" in result.stderr
    assert client.get_run(rid).info.lifecycle_stage == "active"


# ---------------------------------------------------------------------------------------------
# path safety, as raw HTTP (nothing on the way normalizes the request target)
# ---------------------------------------------------------------------------------------------


def _raw(art, method, target, body=None, headers=None):
    u = urllib.parse.urlsplit(art.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


TRAVERSALS = [
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%252e%252e%252f%252e%252e%252fetc%252fpasswd",  # CVE-2023-6831
    "a%2f..%2f..%2f..%2fetc%2fpasswd",
]
# MLflow on Linux stores `..\..\x` as a literal file name (it refuses backslashes on Windows only)
# and redirects `//etc/passwd`; Carnet refuses both everywhere.
STRICTER = ["%2fetc%2fpasswd", "..%5c..%5cetc%5cpasswd", "C:%5Cwindows%5Cwin.ini", "a%00b", "a%23b"]


@pytest.mark.parametrize("path", TRAVERSALS)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_proxy_refuses_traversal(art, method, path):
    status, body = _raw(art, method, f"/api/2.0/mlflow-artifacts/artifacts/{path}", body=b"PWNED" if method == "PUT" else None)
    assert 400 <= status < 500, (status, body[:300])
    assert b"root:x:0" not in body


@pytest.mark.carnet_only
@pytest.mark.parametrize("path", STRICTER)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_proxy_refuses_windows_absolute_and_control_paths(art, method, path):
    status, body = _raw(art, method, f"/api/2.0/mlflow-artifacts/artifacts/{path}", body=b"PWNED" if method == "PUT" else None)
    assert status == 400, (status, body[:300])


@pytest.mark.parametrize("path", ["../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd"])
def test_get_artifact_refuses_traversal(art, run_id, path):  # CVE-2023-30172
    status, body = _raw(art, "GET", f"/get-artifact?path={path}&run_uuid={run_id}")
    assert status == 400, body[:300]
    assert b"root:x:0" not in body


@pytest.mark.parametrize(
    "location",
    [
        "http:///#/../../../../etc/",  # CVE-2024-1483
        "http://host#/abc/etc/",  # CVE-2024-1594
        "http://host/;..%2F..%2Fetc",  # CVE-2024-1593
        "runs:/abc/x",
    ],
)
def test_create_experiment_refuses_artifact_location_tricks(art, location):
    r = requests.post(f"{art.url}/api/2.0/mlflow/experiments/create",
                      json={"name": unique("loc"), "artifact_location": location}, timeout=30)
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"


@pytest.mark.carnet_only
@pytest.mark.parametrize(
    "location",
    [
        "http:///?/../../../../../../etc/",  # CVE-2023-6909
        "file:///etc/",
        "//proc/self/root",  # CVE-2023-6977
        "http://169.254.169.254/latest/meta-data/",  # SSRF
    ],
)
def test_create_experiment_refuses_roots_outside_the_server(art, location):
    r = requests.post(f"{art.url}/api/2.0/mlflow/experiments/create",
                      json={"name": unique("loc"), "artifact_location": location}, timeout=30)
    assert r.status_code == 400, r.text
