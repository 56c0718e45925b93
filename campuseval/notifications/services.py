"""Sending notifications: in the product and, where the user has an address, by e-mail."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from campuseval.accounts.models import User

from .models import Notification

TEXT_LENGTH = 300


def notify(*, users: Iterable[User], text: str, link: str = "", email: bool = True) -> int:
    """In-app notification, and an e-mail through Django's mail settings where the user has an
    address. Returns how many users were notified."""
    count = 0
    for user in users:
        Notification.objects.create(user=user, text=text[:TEXT_LENGTH], link=link)
        if email and user.email:
            send_mail(
                f"[{settings.SITE_NAME}] {text[:60]}",
                f"{text}\n\n{settings.SITE_ROOT}{link}",
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
                fail_silently=True,
            )
        count += 1
    return count


def mark_all_read(*, user: User) -> int:
    """The user has seen their notifications; returns how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
