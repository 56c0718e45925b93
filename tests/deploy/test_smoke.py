"""Smoke test of the deployment as shipped: nginx with deploy/nginx/campuseval.conf, gunicorn
with deploy/gunicorn.conf.py and the task worker (`manage.py db_worker`), on loopback ports,
against a fresh PostgreSQL database made for this run and dropped after. A school signs in,
saves an answer, uploads evidence and downloads it (sent by nginx through X-Accel-Redirect) and
prints its 申报书 PDF; the organizer asks for an export that the worker builds.

Skipped only when nginx is not installed (`make system-deps` installs it)."""

from __future__ import annotations

import contextlib
import hashlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import psycopg
import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
ADMIN_URL = os.environ.get("SMOKE_PG_URL") or os.environ.get("PG_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
EVIDENCE_MAX_MB = 20

pytestmark = [
    pytest.mark.smoke,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (make system-deps installs it)"),
]

#: Run in a subprocess against the smoke database: the application world of tests/web (a city,
#: two counties, schools, their people) and a started application.
SEED = """
import json, django
django.setup()
from campuseval.applications import services
from tests.web.appworld import PASSWORD, build_world
w = build_world()
app = services.start_application(actor=w.users["school_officer"], campaign=w.campaign, unit=w.school_a)
print(json.dumps({"application": app.pk, "campaign": w.campaign.pk, "password": PASSWORD}))
"""

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def render_site(target: Path, values: dict[str, str]) -> None:
    """deploy/nginx/campuseval.conf with its ${CAMPUSEVAL_*} placeholders filled (what envsubst
    does in production); nginx's own $variables are left alone."""
    text = string.Template((DEPLOY / "nginx" / "campuseval.conf").read_text()).safe_substitute(values)
    missing = re.findall(r"\$\{CAMPUSEVAL_[A-Z_]+\}", text)
    assert not missing, f"placeholders left unfilled: {missing}"
    target.write_text(text)


def nginx_main_conf(run: Path, site: Path) -> str:
    """The smallest main nginx.conf around the site file (Debian's /etc/nginx/nginx.conf plays
    this part in production), with every path inside the run directory."""
    user = "user root root;" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {run / ('tmp-' + kind)};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
{user}
worker_processes 1;
daemon off;
pid {run / "nginx.pid"};
error_log {run / "nginx-error.log"} warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {run / "nginx-access.log"};
{temp}
    include {site};
}}
"""


@dataclass
class Stack:
    base: str
    run: Path
    env: dict[str, str]
    seed: dict[str, Any]
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log(self, name: str) -> str:
        path = self.run / name
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_for_line(self, name: str, needle: str, seconds: float = 10) -> str:
        deadline = time.monotonic() + seconds
        while True:
            found = [line for line in self.log(name).splitlines() if needle in line]
            if found:
                return found[-1]
            assert time.monotonic() < deadline, f"{needle!r} not in {name}"
            time.sleep(0.1)

    def logs(self) -> str:
        return "\n".join(
            f"--- {n} ---\n{self.log(n)[-3000:]}" for n in ("gunicorn.log", "worker.log", "nginx-error.log")
        )


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def start(stack: Stack, name: str, argv: list[str]) -> None:
    out = (stack.run / f"{name}.log").open("wb")
    stack.procs[name] = subprocess.Popen(
        argv, cwd=REPO, env=stack.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Ends one process we started, and its children (its own session), by its id."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    run = tmp_path_factory.mktemp("smoke")
    run.chmod(0o755)
    name = f"campuseval_smoke_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # CI has PostgreSQL; a missing server is a failure
        pytest.fail(f"PostgreSQL not reachable at {ADMIN_URL} ({exc}); start it or set SMOKE_PG_URL")
    admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(ADMIN_URL)
    web_port, nginx_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "GUNICORN_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "campuseval.settings",
            "PYTHONPATH": str(REPO),
            "DATABASE_URL": urllib.parse.urlunsplit(parts._replace(path=f"/{name}")),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "VAR_DIR": str(run / "var"),
            "MEDIA_ROOT": str(run / "media"),
            "STATIC_ROOT": str(run / "static"),
            "FILES_ACCEL_REDIRECT": "/protected/",
            "EVIDENCE_MAX_MB": str(EVIDENCE_MAX_MB),
            "GUNICORN_BIND": f"127.0.0.1:{web_port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESS_LOG": str(run / "gunicorn-access.log"),
            "LOG_LEVEL": "WARNING",
        }
    )
    (run / "var").mkdir()
    stack = Stack(base=f"http://127.0.0.1:{nginx_port}", run=run, env=env, seed={})
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        seeded = subprocess.run(
            [sys.executable, "-c", SEED], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        assert seeded.returncode == 0, seeded.stderr
        stack.seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        site = run / "campuseval.conf"
        render_site(
            site,
            {
                "CAMPUSEVAL_LISTEN": f"127.0.0.1:{nginx_port}",
                "CAMPUSEVAL_SERVER_NAME": "localhost",
                "CAMPUSEVAL_UPSTREAM": f"127.0.0.1:{web_port}",
                "CAMPUSEVAL_STATIC_ROOT": env["STATIC_ROOT"],
                "CAMPUSEVAL_MEDIA_ROOT": env["MEDIA_ROOT"],
                "CAMPUSEVAL_MAX_BODY_MB": str(EVIDENCE_MAX_MB + 1),
            },
        )
        (run / "nginx.conf").write_text(nginx_main_conf(run, site))
        assert NGINX is not None
        check = subprocess.run([NGINX, "-t", "-c", str(run / "nginx.conf"), "-p", str(run)], capture_output=True)
        assert check.returncode == 0, check.stderr.decode()
        start(
            stack,
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"), "campuseval.wsgi"],
        )
        start(stack, "worker", [sys.executable, "manage.py", "db_worker", "--interval", "0.5", "--no-startup-delay"])
        start(stack, "nginx", [NGINX, "-c", str(run / "nginx.conf"), "-p", str(run)])
        deadline = time.monotonic() + 60
        while True:
            for proc_name, proc in stack.procs.items():
                assert proc.poll() is None, f"{proc_name} exited early\n{stack.logs()}"
            try:
                with urllib.request.urlopen(stack.base + "/accounts/login/", timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert time.monotonic() < deadline, f"the stack did not answer within 60 s\n{stack.logs()}"
            time.sleep(0.3)
        yield stack
    finally:
        for proc in reversed(list(stack.procs.values())):
            stop(proc)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class Browser:
    """A signed-in user talking to nginx: cookies, CSRF token from the cookie, no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
        req = urllib.request.Request(
            self.base + path, data=data, headers={"Referer": self.base + "/", **(headers or {})}
        )
        try:
            return self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as exc:  # 3xx (not followed) and errors: the response itself
            return exc

    def get(self, path: str) -> tuple[int, Message, bytes]:
        with self.request(path) as r:
            return r.status, r.headers, r.read()

    def post(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None) -> Any:
        fields = {"csrfmiddlewaretoken": self.csrf(), **fields}
        if files:
            boundary = uuid.uuid4().hex
            body = b""
            for k, v in fields.items():
                body += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, (filename, content) in files.items():
                body += (
                    (
                        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{filename}"\r\n'
                        "Content-Type: application/octet-stream\r\n\r\n"
                    ).encode()
                    + content
                    + b"\r\n"
                )
            body += f"--{boundary}--\r\n".encode()
            ctype = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            ctype = "application/x-www-form-urlencoded"
        with self.request(path, body, {"Content-Type": ctype}) as r:
            r.read()
            return r

    def sign_in(self, username: str, password: str) -> None:
        status, _, _ = self.get("/accounts/login/")
        assert status == 200
        r = self.post("/accounts/login/", {"username": username, "password": password})
        assert r.status == 302, f"sign-in of {username} answered {r.status}"


def test_journey_through_nginx(stack: Stack) -> None:
    started = time.monotonic()
    pk, password = stack.seed["application"], stack.seed["password"]

    # static files come from STATIC_ROOT through nginx
    school = Browser(stack.base)
    status, headers, body = school.get("/accounts/login/")
    css = re.search(rb'href="(/static/[^"]+\.css)"', body)
    assert css, "the login page links no stylesheet"
    status, headers, _ = school.get(css.group(1).decode())
    assert status == 200 and "ETag" in headers

    # sign in (CSRF), save an answer
    school.sign_in("school_officer", password)
    page = f"/applications/{pk}/indicator/1.2/"
    status, _, body = school.get(page)
    assert status == 200
    revision = re.search(rb'name="revision" id="revision" value="(\d+)"', body)
    assert revision, "the indicator page carries no revision"
    r = school.post(page, {"revision": revision.group(1).decode(), "in_has_rules": "true", "narrative": "制度齐全"})
    assert r.status == 302, r.status
    status, _, body = school.get(page)
    assert "制度齐全".encode() in body

    # upload evidence, then download it: Django answers empty with X-Accel-Redirect, nginx sends the bytes
    evidence = PDF + secrets.token_bytes(256 * 1024)
    r = school.post(f"/applications/{pk}/evidence/", {"indicator": "1.1"}, {"file": ("网络合同.pdf", evidence)})
    assert r.status == 302
    status, _, body = school.get(f"/applications/{pk}/indicator/1.1/")
    link = re.search(rb'href="(/applications/%d/evidence/(\d+)/)"' % pk, body)
    assert link, "the uploaded evidence is not listed"
    status, headers, body = school.get(link.group(1).decode())
    assert status == 200 and hashlib.sha256(body).hexdigest() == hashlib.sha256(evidence).hexdigest()
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("inline; filename*=utf-8''")
    assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
    cache = headers.get_all("Cache-Control") or []  # Django's own, passed on once by nginx
    assert len(cache) <= 1 and all("no-store" in c for c in cache), cache
    assert headers.get_all("X-Frame-Options") == ["SAMEORIGIN"]
    assert "X-Accel-Redirect" not in headers  # nginx consumed it
    assert "ETag" in headers and headers.get("Accept-Ranges") == "bytes"  # sent by nginx's static module
    line = stack.wait_for_line("gunicorn-access.log", link.group(1).decode())  # written after the answer
    assert re.search(r'" 200 (0|-) ', line), f"gunicorn sent the file body itself: {line}"
    # nobody else gets it, nginx's internal location is not reachable from outside
    assert Browser(stack.base).get(link.group(1).decode())[0] == 302
    assert school.get("/protected/" + "x")[0] == 404
    assert school.get("/media/evidence/")[0] == 404

    # the 申报书 PDF
    status, headers, body = school.get(f"/reports/applications/{pk}/application-form.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")

    # an export the worker builds
    organizer = Browser(stack.base)
    organizer.sign_in("organizer", password)
    r = organizer.request(f"/reports/exports/applications/{stack.seed['campaign']}.xlsx?background=1")
    assert r.status == 302 and r.headers["Location"].endswith("/reports/exports/"), r.status
    deadline = time.monotonic() + 90
    while True:
        _, _, body = organizer.get("/reports/exports/")
        done = re.search(rb'href="(/reports/exports/(\d+)/download/)"', body)
        if done:
            break
        assert time.monotonic() < deadline, f"the worker did not finish the export\n{stack.logs()}"
        time.sleep(0.5)
    status, headers, body = organizer.get(done.group(1).decode())
    assert status == 200 and body.startswith(b"PK"), status
    assert "spreadsheetml" in headers["Content-Type"]

    assert time.monotonic() - started < 120
    for name, proc in stack.procs.items():
        assert proc.poll() is None, f"{name} died during the journey\n{stack.logs()}"
