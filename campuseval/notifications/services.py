"""Sending notifications: in the product at once and, where the user has an address, by e-mail
from a background task started after the notifying transaction commits (never inside it: a
rolled-back step sends nothing, and a slow mail server holds no lock)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from django.db import transaction
from django.utils import timezone

from campuseval.accounts.models import User

from .models import EmailStatus, Notification
from .tasks import send_emails

TEXT_LENGTH = 300


def notify(*, users: Iterable[User], text: str, link: str = "", email: bool = True) -> int:
    """In-app notification, and an e-mail copy (queued; sent by `tasks.send_emails` once the
    current transaction commits) where the user has an address. Returns how many users were
    notified."""
    count = 0
    mailed: list[int] = []
    for user in users:
        wants_mail = email and bool(user.email)
        note = Notification.objects.create(
            user=user,
            text=text[:TEXT_LENGTH],
            link=link,
            email_status=EmailStatus.QUEUED if wants_mail else "",
        )
        if wants_mail:
            mailed.append(note.pk)
        count += 1
    if mailed:
        transaction.on_commit(partial(send_emails.enqueue, mailed))
    return count


def notify_each(*, messages: Sequence[tuple[User, str]], link: str = "", email: bool = True) -> int:
    """`notify` for many users with a text each (an automatic assignment tells a hundred
    experts their own counts): one insert for all, the e-mail copies queued as `notify` does."""
    notes = [
        Notification(
            user=user,
            text=text[:TEXT_LENGTH],
            link=link,
            email_status=EmailStatus.QUEUED if email and user.email else "",
        )
        for user, text in messages
    ]
    Notification.objects.bulk_create(notes)
    mailed = [note.pk for note in notes if note.email_status == EmailStatus.QUEUED]
    if mailed:
        transaction.on_commit(partial(send_emails.enqueue, mailed))
    return len(notes)


def mark_all_read(*, user: User) -> int:
    """The user has seen their notifications; returns how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
