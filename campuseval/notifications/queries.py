"""A user's own notifications, newest first: nobody reads another's."""

from __future__ import annotations

from django.db.models import QuerySet

from campuseval.access.rules import Actor, as_user

from .models import Notification

PAGE = 200


def own_notifications(user: Actor) -> QuerySet[Notification]:
    signed = as_user(user)
    if signed is None:
        return Notification.objects.none()
    return Notification.objects.filter(user=signed)


def unread_count(user: Actor) -> int:
    return own_notifications(user).filter(read_at__isnull=True).count()
