"""Start/stop tracking servers (Carnet or the real MLflow) and create throw-away databases.

Used by conftest.py (one session server) and by tests that need their own servers
(test_cross_open.py, test_backend_uri.py).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent  # e2e/python -> e2e -> repo root
CARNET_BIN = REPO_ROOT / "packages" / "server" / "bin" / "carnet.mjs"
PYTHON_BIN_DIR = Path(sys.executable).parent

DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_MYSQL_ADMIN_URL = "mysql://root@127.0.0.1:3306/"

# MLflow (python, migrations on a fresh DB) is slow to boot on 2 cores; Carnet must be quick.
STARTUP_TIMEOUT = {"carnet": 60.0, "mlflow": 180.0}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def target() -> str:
    value = os.environ.get("COMPAT_TARGET", "carnet").strip().lower()
    if value not in ("carnet", "mlflow"):
        raise ValueError(f"COMPAT_TARGET must be 'carnet' or 'mlflow', got {value!r}")
    return value


def backend_kind() -> str:
    value = os.environ.get("COMPAT_BACKEND", "sqlite").strip().lower()
    if value not in ("sqlite", "postgres", "mysql"):
        raise ValueError(f"COMPAT_BACKEND must be sqlite, postgres or mysql, got {value!r}")
    return value


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    env["MLFLOW_DISABLE_TELEMETRY"] = "true"
    env["DO_NOT_TRACK"] = "true"
    env.pop("MLFLOW_TRACKING_URI", None)
    # make sure `mlflow` resolves to the venv next to the interpreter running the tests
    env["PATH"] = f"{PYTHON_BIN_DIR}{os.pathsep}{env.get('PATH', '')}"
    return env


# --------------------------------------------------------------------------------------
# databases
# --------------------------------------------------------------------------------------


@dataclass
class Database:
    """A throw-away database created for the suite. ``uri`` is what servers get."""

    kind: str
    uri: str
    name: str
    _admin_url: str | None = None
    _path: Path | None = None

    def uri_with_driver(self, driver: str | None) -> str:
        """The same database addressed with an explicit SQLAlchemy driver (``psycopg2``...)."""
        if self.kind == "sqlite" or not driver:
            return self.uri
        scheme, rest = self.uri.split("://", 1)
        return f"{scheme.split('+')[0]}+{driver}://{rest}"

    def uri_for(self, server_kind: str) -> str:
        """The URI to hand to a server of the given kind.

        SQLAlchemy 2.1 resolves a bare ``postgresql://`` to the psycopg 3 driver, which the venv
        does not have (only psycopg2-binary), so the real MLflow server gets the explicit
        ``postgresql+psycopg2://`` spelling. Carnet must accept the bare form.
        """
        if self.kind == "postgres" and server_kind == "mlflow" and not _has_module("psycopg"):
            return self.uri_with_driver("psycopg2")
        return self.uri

    def drop(self) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                p = Path(str(self._path) + suffix)
                if p.exists():
                    p.unlink()
        elif self.kind == "postgres":
            _pg_admin(self._admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        elif self.kind == "mysql":
            _mysql_admin(self._admin_url, f"DROP DATABASE IF EXISTS `{self.name}`")


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _pg_admin(admin_url: str, sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def _mysql_admin(admin_url: str, sql: str) -> None:
    import pymysql

    u = urllib.parse.urlsplit(admin_url)
    conn = pymysql.connect(
        host=u.hostname or "127.0.0.1",
        port=u.port or 3306,
        user=urllib.parse.unquote(u.username or "root"),
        password=urllib.parse.unquote(u.password or ""),
        autocommit=True,
    )
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def _replace_db(url: str, scheme: str, dbname: str) -> str:
    u = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((scheme, u.netloc, "/" + dbname, u.query, ""))


def create_database(kind: str | None = None, workdir: Path | None = None) -> Database:
    """Create a fresh, empty database of the given backend kind."""
    kind = kind or backend_kind()
    name = f"carnet_compat_{secrets.token_hex(5)}"
    if kind == "sqlite":
        workdir = Path(workdir or tempfile.mkdtemp(prefix="carnet-compat-"))
        path = (workdir / f"{name}.db").resolve()
        return Database(kind, f"sqlite:///{path}", name, _path=path)
    if kind == "postgres":
        admin = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL)
        admin = admin.replace("postgresql+psycopg2://", "postgresql://")
        _pg_admin(admin, f'CREATE DATABASE "{name}"')
        return Database(kind, _replace_db(admin, "postgresql", name), name, _admin_url=admin)
    if kind == "mysql":
        admin = os.environ.get("TEST_MYSQL_URL", DEFAULT_MYSQL_ADMIN_URL)
        # server default charset/collation, as most users create it
        _mysql_admin(admin, f"CREATE DATABASE `{name}`")
        return Database(kind, _replace_db(admin, "mysql+pymysql", name), name, _admin_url=admin)
    raise ValueError(kind)


# --------------------------------------------------------------------------------------
# servers
# --------------------------------------------------------------------------------------


class ServerStartError(RuntimeError):
    pass


@dataclass
class ServerHandle:
    kind: str  # "carnet" | "mlflow"
    url: str
    backend_uri: str
    proc: subprocess.Popen
    log_dir: Path
    _logs: list = field(default_factory=list)

    @property
    def stderr_text(self) -> str:
        return _read_tail(self.log_dir / "server.stderr.log")

    @property
    def stdout_text(self) -> str:
        return _read_tail(self.log_dir / "server.stdout.log")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server and every process it spawned (its own process group)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        else:
            # leader exited; make sure no worker of its group survives
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for f in self._logs:
            f.close()
        self._logs.clear()

    def __enter__(self) -> "ServerHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class ExternalServer:
    """A server somebody else started (COMPAT_SERVER_URL); never stopped by the suite."""

    kind: str
    url: str
    backend_uri: str = "<external>"
    stderr_text: str = "<external server: no captured stderr>"
    stdout_text: str = ""

    def alive(self) -> bool:
        return True

    def stop(self, timeout: float = 0) -> None:
        pass


def _read_tail(path: Path, limit: int = 20000) -> str:
    try:
        data = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return data[-limit:]


def _command(kind: str, backend_uri: str, artifacts_dir: Path, port: int) -> list[str]:
    common = [
        "--backend-store-uri",
        backend_uri,
        "--artifacts-destination",
        str(artifacts_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if kind == "carnet":
        node = os.environ.get("COMPAT_NODE", "node")
        return [node, str(CARNET_BIN), "server", *common]
    mlflow_bin = PYTHON_BIN_DIR / "mlflow"
    return [str(mlflow_bin), "server", *common, "--workers", "1"]


def start_server(
    kind: str,
    backend_uri: str,
    artifacts_dir: Path | str,
    timeout: float | None = None,
) -> ServerHandle:
    artifacts_dir = Path(artifacts_dir).resolve()
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    log_dir = Path(tempfile.mkdtemp(prefix=f"carnet-compat-{kind}-log-"))
    port = free_port()
    cmd = _command(kind, backend_uri, artifacts_dir, port)
    out = open(log_dir / "server.stdout.log", "wb")
    err = open(log_dir / "server.stderr.log", "wb")
    proc = subprocess.Popen(
        cmd,
        stdout=out,
        stderr=err,
        stdin=subprocess.DEVNULL,
        cwd=str(log_dir),  # nothing (mlruns/, mlflow.db) may land in the repo
        env=_server_env(),
        start_new_session=True,
    )
    handle = ServerHandle(kind, f"http://127.0.0.1:{port}", backend_uri, proc, log_dir, [out, err])
    timeout = timeout or float(os.environ.get("COMPAT_STARTUP_TIMEOUT", STARTUP_TIMEOUT[kind]))
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            handle.stop()
            raise ServerStartError(
                f"{kind} server exited with code {proc.returncode} before becoming healthy.\n"
                f"command: {' '.join(cmd)}\n--- stderr ---\n{handle.stderr_text}\n"
                f"--- stdout ---\n{handle.stdout_text}"
            )
        try:
            r = requests.get(handle.url + "/health", timeout=2)
            if r.status_code == 200:
                return handle
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            handle.stop()
            raise ServerStartError(
                f"{kind} server did not answer GET /health with 200 within {timeout:.0f}s.\n"
                f"command: {' '.join(cmd)}\n--- stderr ---\n{handle.stderr_text}\n"
                f"--- stdout ---\n{handle.stdout_text}"
            )
        time.sleep(0.25)


def start_carnet(backend_uri: str, artifacts_dir: Path | str, timeout: float | None = None) -> ServerHandle:
    return start_server("carnet", backend_uri, artifacts_dir, timeout)


def start_mlflow(backend_uri: str, artifacts_dir: Path | str, timeout: float | None = None) -> ServerHandle:
    return start_server("mlflow", backend_uri, artifacts_dir, timeout)
