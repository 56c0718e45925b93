"""gunicorn settings for CampusEval (make run, systemd, the compose web service, the smoke test).

Every value can be overridden from the environment (GUNICORN_*), see deploy/campuseval.env.example.
Long work (big exports, imports of many units, reminders) belongs to the task worker
(`manage.py db_worker`); the timeout below is sized for what stays in a request: a PDF of a
large 申报书 and an upload of a 20 MB evidence file over a slow county line.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Where to listen (`make run HOST=…` sets it); a unix socket is written "unix:/run/campuseval/gunicorn.sock".
bind = [os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"]

# Synchronous workers: the pages are database-bound and short. 2 × cores + 1, at most 12.
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# A PDF or an import that takes longer than this is killed (and logged); graceful_timeout lets a
# restart (upgrade) finish the requests in flight.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so a slow leak (fonts, PDF layout caches) never grows unbounded.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# nginx in front sets X-Forwarded-For/-Proto; trust it only from these addresses (the local nginx;
# in compose the nginx container, hence "*" there with the port not published).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips

# Logs to stdout/stderr (journald or docker collect them). The access log names the real client
# (from nginx's X-Forwarded-For) and the time taken in milliseconds.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(h)s %(u)s [%(t)s] "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'

# Load the application before forking: a broken setting fails at start, not per worker.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in {"0", "false", "no"}
# The temporary heartbeat files on tmpfs where there is one (containers with a small /tmp).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# gunicorn's control socket (for `gunicornc`): only where one is asked for (the systemd unit puts
# it in /run/campuseval), so two servers of one user (make run, the smoke test) never share one.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
if not control_socket:
    del control_socket
