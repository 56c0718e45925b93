"""Writing to the audit log. Every service that changes state calls `record`."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connections, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditEntry, AuditExport


def _trusted(address: str, proxies: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for proxy in proxies:
        try:
            if ip in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from (审计日志的来源地址). Behind a reverse proxy REMOTE_ADDR is
    the proxy's; then, and only when REMOTE_ADDR is one of settings.TRUSTED_PROXIES, the
    X-Forwarded-For chain is read from the right, skipping the trusted proxies: the first other
    address is the client. A header sent by anyone else is ignored (it is trivially forged)."""
    if request is None:
        return None
    remote = str(request.META.get("REMOTE_ADDR") or "").strip()
    proxies = list(getattr(settings, "TRUSTED_PROXIES", []))
    if remote and proxies and _trusted(remote, proxies):
        chain = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [hop.strip() for hop in chain.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not _valid(hop):
                break  # a malformed entry: nothing left of it can be believed
            if not _trusted(hop, proxies):
                return hop
    return remote if _valid(remote) else None


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: Any = None,
    summary: str = "",
    before: Any = None,
    after: Any = None,
    campaign_id: int | None = None,
    unit_id: int | None = None,
    ip: str | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Append one entry: who (`actor`), what (`action`, `obj`), from where (`ip`), and the
    state before and after, so "谁受理、谁负责、谁签字" can be answered later. `actor_name`
    names someone who is not a signed-in user (the user name a failed sign-in tried)."""
    entry = pending(
        actor=actor,
        action=action,
        obj=obj,
        summary=summary,
        before=before,
        after=after,
        campaign_id=campaign_id,
        unit_id=unit_id,
        ip=ip,
        actor_name=actor_name,
    )
    entry.save()
    return entry


def pending(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: Any = None,
    summary: str = "",
    before: Any = None,
    after: Any = None,
    campaign_id: int | None = None,
    unit_id: int | None = None,
    ip: str | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """The entry `record` would append, not yet saved: bulk writers (imports of thousands of
    rows) collect them and append them with `record_many`."""
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry(
        actor_id=user.pk if user is not None else None,
        actor_name=(str(user) if user else plain_text(actor_name))[:150],
        ip=ip,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        summary=summary[:300],
        campaign_id=campaign_id,
        unit_id=unit_id,
        before=before,
        after=after,
    )


def record_many(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Append entries built with `pending`, a thousand per INSERT: one entry per account an
    import created, without one statement each."""
    return AuditEntry.objects.bulk_create(entries, batch_size=1000)


def plain_text(value: Any, limit: int = 150) -> str:
    """Text typed by anyone (a user name tried at sign-in) as the log may keep it: control
    characters (NUL fails on PostgreSQL) removed, at most `limit` characters."""
    return "".join(ch for ch in str(value or "") if ord(ch) >= 32)[:limit]


# --- retention (网络安全法 §21: network logs kept at least six months) ---------------------------

#: the shortest retention the system check accepts (six months, rounded up)
MIN_RETENTION_DAYS = 180
DEFAULT_RETENTION_DAYS = 365


def retention_days() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


@dataclass(frozen=True)
class Purge:
    cutoff: dt.datetime
    rows: int
    dry_run: bool


def purge_expired(*, dry_run: bool = False, now: dt.datetime | None = None) -> Purge:
    """Delete the entries older than the retention period, the only deletion the database
    allows: the permit names the cutoff and lives only inside this transaction, so the trigger
    still refuses every other DELETE, and nothing newer than the cutoff, even here. The purge
    itself is audited (how many, older than when). A dry run counts and writes nothing."""
    days = retention_days()
    if days < MIN_RETENTION_DAYS:
        # the system check refuses this setting already; a purge never runs with it
        raise ValueError(f"AUDIT_RETENTION_DAYS={days} 少于 {MIN_RETENTION_DAYS} 天")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    expired = AuditEntry.objects.filter(at__lt=cutoff)
    if dry_run:
        return Purge(cutoff=cutoff, rows=expired.count(), dry_run=True)
    alias = router.db_for_write(AuditEntry)
    connection = connections[alias]
    with transaction.atomic(using=alias):
        with purge_permit(connection, cutoff):
            deleted, _ = expired.delete()
        record(
            actor=None,
            action="audit.purge",
            summary=f"删除早于 {timezone.localtime(cutoff):%Y-%m-%d %H:%M} 的审计记录 {deleted} 条（保存 {days} 天）",
            after={"deleted": deleted, "before": cutoff.isoformat(), "retention_days": days},
        )
    return Purge(cutoff=cutoff, rows=deleted, dry_run=False)


@contextmanager
def purge_permit(connection: Any, cutoff: dt.datetime) -> Iterator[None]:
    """Inside a transaction: let the append-only trigger pass DELETEs of rows older than
    `cutoff` until the block ends (PostgreSQL: a transaction-local setting; SQLite: a row of
    audit_purge_permit, removed again before the transaction commits). When the block fails the
    transaction rolls back, and the permit with it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('campuseval.audit_purge_before', %s, true)", [cutoff.isoformat()])
        elif connection.vendor == "sqlite":
            value = connection.ops.adapt_datetimefield_value(cutoff)
            cursor.execute('INSERT INTO audit_purge_permit ("before") VALUES (%s)', [value])
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('campuseval.audit_purge_before', '', true)")
        elif connection.vendor == "sqlite":
            cursor.execute("DELETE FROM audit_purge_permit")


def permit_all(connection: Any) -> AbstractContextManager[None]:
    """The permit for `flush` on SQLite, which empties every table row by row: every entry."""
    return purge_permit(connection, dt.datetime(9999, 12, 31, tzinfo=dt.UTC))


def remove_old_exports(*, keep_days: int, now: dt.datetime | None = None) -> int:
    """Delete the audit log exports (rows and workbooks) made more than `keep_days` ago, as the
    other background exports are (EXPORT_KEEP_DAYS): a copy of the log is not kept forever.
    Returns how many were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    removed = 0
    for job in AuditExport.objects.filter(created_at__lt=cutoff):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
