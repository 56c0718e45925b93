"""The deployment files are valid as shipped: compose (`config`), systemd units (`systemd-analyze
verify`), gunicorn settings, and the env file example documenting every setting."""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
EXAMPLE = DEPLOY / "campuseval.env.example"


def example_values() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in EXAMPLE.read_text().splitlines() if re.match(r"^[A-Z_0-9]+=", line))
    return dict(pairs)


def test_env_example_documents_every_setting() -> None:
    settings_source = (REPO / "campuseval" / "settings.py").read_text()
    read = set(re.findall(r'\benv(?:_int|_bool|_list)?\(\s*"([A-Z0-9_]+)"', settings_source))
    assert read, "no environment variables found in settings.py"
    missing = sorted(read - set(example_values()))
    assert not missing, f"deploy/campuseval.env.example does not document: {missing}"


def test_env_example_holds_no_secret() -> None:
    values = example_values()
    assert values["SECRET_KEY"] == "change-me" and values["POSTGRES_PASSWORD"] == "change-me"
    assert values["EMAIL_HOST_PASSWORD"] == "" and values["S3_SECRET_ACCESS_KEY"] == ""


def test_site_file_placeholders_are_the_documented_ones() -> None:
    site = (DEPLOY / "nginx" / "campuseval.conf").read_text()
    used = set(re.findall(r"\$\{(CAMPUSEVAL_[A-Z_]+)\}", site))
    assert used and used <= set(example_values())
    assert int(example_values()["CAMPUSEVAL_MAX_BODY_MB"]) == int(example_values()["EVIDENCE_MAX_MB"]) + 1


def test_gunicorn_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("GUNICORN_")]:
        monkeypatch.delenv(name)
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["workers"] >= 3 and conf["timeout"] == 120 and conf["graceful_timeout"] == 30
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "300")
    monkeypatch.setenv("GUNICORN_BIND", "unix:/run/campuseval/gunicorn.sock")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["workers"] == 5 and conf["timeout"] == 300 and conf["worker_class"] == "gthread"
    assert conf["bind"] == ["unix:/run/campuseval/gunicorn.sock"]


def compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_compose_file_is_valid() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("neither docker-compose nor the docker compose plugin is installed")
    env = {**os.environ, "CAMPUSEVAL_ENV_FILE": "campuseval.env.example"}
    done = subprocess.run(
        [*command, "--env-file", "campuseval.env.example", "-f", "compose.yaml", "config"],
        cwd=DEPLOY,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    services = set(re.findall(r"^  ([a-z]+):$", done.stdout.split("\nvolumes:")[0].split("services:", 1)[1], re.M))
    assert {"web", "worker", "scheduler", "migrate", "db", "redis", "nginx"} <= services
    assert "db_worker" in done.stdout and "FILES_ACCEL_REDIRECT: /protected/" in done.stdout


def test_systemd_units_verify(tmp_path: Path) -> None:
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    if not (REPO / ".venv" / "bin" / "gunicorn").exists():
        pytest.skip("no .venv to stand in for /opt/campuseval/.venv")
    for unit in (DEPLOY / "systemd").iterdir():
        # the units name /opt/campuseval; this checkout stands in for it
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/campuseval", str(REPO)))
    done = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 0 and not problems, done.stderr
    timers = {p.name for p in (DEPLOY / "systemd").glob("*.timer")}
    assert {"campuseval-reminders.timer", "campuseval-cleanup.timer", "campuseval-clearsessions.timer"} <= timers
    assert "campuseval-purge-audit.timer" in timers  # the audit retention (README 审计日志的保存与清理)
    assert "campuseval-cleanup-imports.timer" in timers  # unclaimed initial-password sheets of imports
