"""The worker's heartbeat: `manage.py heartbeat` (scheduled every few minutes) enqueues
`heartbeat`; the worker running it is what /healthz's worker check reads (shell.health)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def heartbeat() -> str:
    return timezone.now().isoformat()
