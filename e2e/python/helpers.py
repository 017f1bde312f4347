"""Helpers shared by the compatibility tests."""

from __future__ import annotations

import uuid

import requests
from mlflow.exceptions import MlflowException


def unique(prefix: str = "x") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Api:
    """Thin raw-HTTP helper. Every response is checked to be < 500 unless allow_5xx=True."""

    def __init__(self, base_url: str):
        self.base = base_url
        self.session = requests.Session()

    def request(self, method, path, *, allow_5xx=False, prefix="/api/2.0/mlflow", **kw):
        url = self.base + (prefix or "") + path
        kw.setdefault("timeout", 30)
        r = self.session.request(method, url, **kw)
        if not allow_5xx:
            assert r.status_code < 500, f"{method} {url} -> {r.status_code}: {r.text[:1000]}"
        return r

    def get(self, path, params=None, **kw):
        return self.request("GET", path, params=params, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def ok(self, method, path, **kw) -> dict:
        r = self.request(method, path, **kw)
        assert r.status_code == 200, f"{method} {path} -> {r.status_code}: {r.text[:1000]}"
        assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
        return r.json()


def assert_error(response: requests.Response, status: int, error_code: str, message: str | None = None,
                 contains: str | None = None) -> dict:
    """Assert a JSON MLflow error body."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text[:1000]}"
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    body = response.json()
    assert body.get("error_code") == error_code, body
    if message is not None:
        assert body.get("message") == message, body
    if contains is not None:
        assert contains in body.get("message", ""), body
    return body


def error_code_of(exc: BaseException) -> str:
    assert isinstance(exc, MlflowException), repr(exc)
    return exc.error_code
