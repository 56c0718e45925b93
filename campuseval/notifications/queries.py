"""A user's own notifications, newest first: nobody reads another's."""

from __future__ import annotations

from django.db.models import QuerySet

from campuseval.access.rules import Actor, signed_in

from .models import Notification

PAGE = 200


def own_notifications(user: Actor) -> QuerySet[Notification]:
    if not signed_in(user):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def unread_count(user: Actor) -> int:
    return own_notifications(user).filter(read_at__isnull=True).count()
