"""The artifact tests of test_artifacts.py with the proxy destination on S3.

An S3-compatible server (moto's standalone server, from e2e/python/requirements.txt) runs on a
free loopback port; the tracking server gets `--artifacts-destination s3://<bucket>/mlartifacts`
and the usual MLflow/boto environment (MLFLOW_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, …). Without
moto these tests fail, unless CARNET_SKIP_S3=1.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

import servers
from test_artifacts import *  # noqa: F401,F403  (the shared tests run again with the fixture below)
from test_artifacts import ArtifactServer, _use_tracking_uri

if os.environ.get("CARNET_SKIP_S3") == "1":
    pytest.skip("CARNET_SKIP_S3=1: S3 artifact tests skipped", allow_module_level=True)

BUCKET = "carnet-e2e"
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "carnet-test",
    "AWS_SECRET_ACCESS_KEY": "carnet-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _moto_binary() -> str:
    candidate = Path(sys.executable).parent / "moto_server"
    found = str(candidate) if candidate.exists() else shutil.which("moto_server")
    if not found:
        pytest.fail(
            "moto_server is not installed: pip install -r e2e/python/requirements.txt "
            "(or CARNET_SKIP_S3=1 to skip the S3 tests)",
            pytrace=False,
        )
    return found


def _wait(url: str, proc: subprocess.Popen, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {timeout:.0f}s")
        time.sleep(0.25)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="module")
def s3_endpoint():
    port = servers.free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [_moto_binary(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, **S3_ENV},
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{endpoint}/moto-api/", proc, "moto_server", 60)
        import boto3

        boto3.client("s3", endpoint_url=endpoint, **_boto_kwargs()).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        _stop(proc)
        log.close()


def _boto_kwargs():
    return {
        "aws_access_key_id": S3_ENV["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": S3_ENV["AWS_SECRET_ACCESS_KEY"],
        "region_name": S3_ENV["AWS_DEFAULT_REGION"],
    }


@pytest.fixture(scope="module")
def art(s3_endpoint, tmp_path_factory):
    import boto3

    workdir = tmp_path_factory.mktemp("artifacts-s3")
    database = servers.create_database(servers.backend_kind(), workdir)
    destination = f"s3://{BUCKET}/mlartifacts"
    server_env = {**S3_ENV, "MLFLOW_S3_ENDPOINT_URL": s3_endpoint}
    kind = servers.target()
    port = servers.free_port()
    common = ["--backend-store-uri", database.uri, "--artifacts-destination", destination,
              "--host", "127.0.0.1", "--port", str(port)]
    if kind == "carnet":
        cmd = [os.environ.get("COMPAT_NODE", "node"), str(servers.CARNET_BIN), "server", *common]
    else:
        cmd = [str(servers.PYTHON_BIN_DIR / "mlflow"), "server", *common, "--workers", "1"]
    log = open(workdir / "server.log", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, cwd=str(workdir),
                            env={**servers._server_env(), **server_env}, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{url}/health", proc, f"{kind} server", servers.STARTUP_TIMEOUT[kind])
    except RuntimeError as e:
        _stop(proc)
        log.close()
        database.drop()
        pytest.fail(f"{e}\n{(workdir / 'server.log').read_text(errors='replace')[-4000:]}", pytrace=False)
    restore = _use_tracking_uri(url)
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, **_boto_kwargs())

    def list_stored(prefix: str) -> list[str]:
        keys = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=f"mlartifacts/{prefix}"):
            keys += [obj["Key"].removeprefix("mlartifacts/") for obj in page.get("Contents", [])]
        return sorted(keys)

    yield ArtifactServer("s3", url, database.uri, destination, list_stored, server_env)
    restore()
    _stop(proc)
    log.close()
    database.drop()


def test_server_advertises_multipart_for_s3(art):
    info = requests.get(f"{art.url}/api/3.0/mlflow/server-info", timeout=30).json()
    assert info["multipart_uploads_enabled"] is True
    assert info["multipart_downloads_enabled"] is True


def test_proxied_download_streams_from_s3(art, run_id):  # noqa: F811
    import mlflow

    mlflow.log_text("0123456789", "s3/digits.txt")
    exp_id = mlflow.get_run(run_id).info.experiment_id
    url = f"{art.url}/api/2.0/mlflow-artifacts/artifacts/{exp_id}/{run_id}/artifacts/s3/digits.txt"
    r = requests.get(url, timeout=30)
    assert r.status_code == 200 and r.text == "0123456789"
    assert r.headers["Content-Type"] == "text/plain"
    assert art.list_stored(f"{exp_id}/{run_id}/artifacts/s3") == [f"{exp_id}/{run_id}/artifacts/s3/digits.txt"]
