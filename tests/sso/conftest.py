"""A real identity provider for the single sign-on tests: tests/sso/provider_site (django-oidc-
provider for OIDC, django-cas-server for CAS) migrated into a SQLite file in a temporary folder,
seeded with its own users and the platform's OIDC client, and served by gunicorn on a free
loopback port for the whole test session; stopped at the end. The platform runs under
pytest-django's live_server with its settings pointed at it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CLIENT_ID = "campuseval-test"
CLIENT_SECRET = "test-only-client-secret-7f3a"
CALLBACK = "/accounts/sso/oidc/callback/"


@dataclass(frozen=True)
class Person:
    username: str
    password: str
    last_name: str
    first_name: str
    email: str

    @property
    def name(self) -> str:
        return self.last_name + self.first_name


#: the provider's people: the same 工号 as a platform account, a disabled account's, nobody's
KNOWN = Person("T2024001", "Wf-provider-1", "王", "芳", "wang.fang@example.edu.cn")
DISABLED = Person("T2024002", "Lt-provider-2", "李", "停", "li.ting@example.edu.cn")
STRANGER = Person("T2024999", "Zw-provider-9", "赵", "无", "zhao.wu@example.edu.cn")
PEOPLE = (KNOWN, DISABLED, STRANGER)


@dataclass(frozen=True)
class Provider:
    url: str
    log: Path

    @property
    def oidc(self) -> str:
        return f"{self.url}/openid"

    @property
    def cas(self) -> str:
        return f"{self.url}/cas/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the test provider exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"the test provider did not answer {url} within {seconds} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    root = tmp_path_factory.mktemp("sso-provider")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sso.provider_site.settings",
        "PROVIDER_DB": str(root / "provider.sqlite3"),
        "PROVIDER_URL": url,
        "PYTHONPATH": str(REPO),
    }
    run = {"cwd": REPO, "env": env, "check": True, "timeout": 300, "capture_output": True}
    subprocess.run([sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"], **run)
    spec = {
        "users": [vars(p) for p in PEOPLE],
        "redirect_uris": [live_server.url + CALLBACK],
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    subprocess.run([sys.executable, "-m", "tests.sso.provider_site.seed"], input=json.dumps(spec).encode(), **run)
    log = root / "provider.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                "--threads", "4", "--access-logfile", "-", "tests.sso.provider_site.wsgi:application",
            ],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_up(f"{url}/openid/.well-known/openid-configuration", proc, log)
        yield Provider(url=url, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def oidc_on(settings: Any, provider: Provider) -> Provider:
    """The platform's OIDC switched on and pointed at the test provider (CAS off)."""
    settings.OIDC_ENABLED = True
    settings.CAS_ENABLED = False
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.oidc}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.oidc}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.oidc}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.oidc}/jwks"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_MATCH_CLAIM = "preferred_username"
    settings.SSO_MATCH = "staff_no"
    return provider


@pytest.fixture
def cas_on(settings: Any, provider: Provider) -> Provider:
    """The platform's CAS switched on and pointed at the test provider (OIDC off)."""
    settings.CAS_ENABLED = True
    settings.OIDC_ENABLED = False
    settings.CAS_SERVER_URL = provider.cas
    settings.CAS_VERSION = "3"
    settings.CAS_MATCH_ATTRIBUTE = ""
    settings.SSO_MATCH = "staff_no"
    return provider
