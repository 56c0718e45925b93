"""Deployment settings: the client address from trusted proxies only, private responses for
signed-in users, the SECRET_KEY check, and `check --deploy` silent with the production variables."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from campuseval.audit.services import client_ip
from campuseval.shell.checks import secret_key_is_real
from tests.personas import Personas

REPO = Path(__file__).resolve().parents[2]

#: The production variables README 配置 documents (besides DATABASE_URL and the like).
PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "pingjia.example.edu.cn",
    "CSRF_TRUSTED_ORIGINS": "https://pingjia.example.edu.cn",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "TRUST_X_FORWARDED_PROTO": "1",
    "TRUSTED_PROXIES": "127.0.0.1",
}


def ip_of(settings, remote: str, forwarded: str | None = None, proxies: tuple[str, ...] = ()) -> str | None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXIES = list(proxies)
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_client_address_is_believed_only_from_a_trusted_proxy(settings) -> None:  # type: ignore[no-untyped-def]
    # no proxy configured: the forwarded header is anyone's invention
    assert ip_of(settings, "203.0.113.9", "10.1.1.1") == "203.0.113.9"
    # nginx on the same machine forwards the school's address
    assert ip_of(settings, "127.0.0.1", "198.51.100.7", proxies=("127.0.0.1",)) == "198.51.100.7"
    # a client's own forged entry on the left is skipped: the rightmost untrusted hop counts
    assert ip_of(settings, "127.0.0.1", "1.2.3.4, 198.51.100.7", proxies=("127.0.0.1",)) == "198.51.100.7"
    # two proxies (a load balancer in 10.0.0.0/8, then nginx)
    chain = "1.2.3.4, 198.51.100.7, 10.2.3.4"
    assert ip_of(settings, "127.0.0.1", chain, proxies=("127.0.0.1", "10.0.0.0/8")) == "198.51.100.7"
    # a request straight from the internet claiming to be forwarded is not believed
    assert ip_of(settings, "203.0.113.9", "198.51.100.7", proxies=("127.0.0.1",)) == "203.0.113.9"
    # rubbish in the header: the proxy's own address, never the rubbish
    assert ip_of(settings, "127.0.0.1", "<script>", proxies=("127.0.0.1",)) == "127.0.0.1"
    assert ip_of(settings, "127.0.0.1", None, proxies=("127.0.0.1",)) == "127.0.0.1"


@pytest.mark.django_db
def test_signed_in_pages_pdfs_and_evidence_are_private(personas: Personas) -> None:
    school = personas.client("school_officer")
    urls = [
        reverse("shell:home"),
        reverse("notifications:list"),
        reverse(
            "applications:evidence_file",
            kwargs={"pk": personas.application.pk, "evidence_pk": personas.evidence.pk},
        ),
    ]
    for url in urls:
        response = school.get(url)
        assert response.status_code == 200, url
        control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= control, (url, response["Cache-Control"])
    # the public list stays cacheable for the anonymous visitor; signed in, it is private
    public = reverse("reviews:public", kwargs={"pk": personas.campaign.pk})
    assert "no-store" not in personas.client("anonymous").get(public).get("Cache-Control", "")
    assert "no-store" in school.get(public)["Cache-Control"]


def test_the_placeholder_or_a_short_secret_key_is_an_error_without_debug(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    settings.SECRET_KEY = settings.PLACEHOLDER_SECRET_KEY
    assert [e.id for e in secret_key_is_real()] == ["campuseval.E001"]
    settings.SECRET_KEY = "short-but-not-placeholder"
    assert [e.id for e in secret_key_is_real()] == ["campuseval.E001"]
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    assert secret_key_is_real() == []
    settings.DEBUG = True
    settings.SECRET_KEY = settings.PLACEHOLDER_SECRET_KEY
    assert secret_key_is_real() == []


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    for name in ("SECRET_KEY", *PRODUCTION_ENV):
        base.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_silent_with_the_production_variables() -> None:
    done = run_check({**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


def test_check_refuses_the_placeholder_key_in_production() -> None:
    done = run_check(PRODUCTION_ENV)
    assert done.returncode != 0
    assert "campuseval.E001" in done.stderr
