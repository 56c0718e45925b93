"""A user's own notifications, newest first: nobody reads another's. An organizer also sees
which e-mail copies to people of their region could not be delivered (not the messages' pages)."""

from __future__ import annotations

from django.db.models import QuerySet

from campuseval.access.rules import Actor, as_user, organizer_scope

from .models import EmailStatus, Notification

PAGE = 200
FAILED_PAGE = 50


def own_notifications(user: Actor) -> QuerySet[Notification]:
    signed = as_user(user)
    if signed is None:
        return Notification.objects.none()
    return Notification.objects.filter(user=signed)


def unread_count(user: Actor) -> int:
    return own_notifications(user).filter(read_at__isnull=True).count()


def failed_emails(user: Actor) -> QuerySet[Notification]:
    """E-mail copies that failed, to people holding a role in the organizer's region (or to the
    organizer themself); none for anyone who is not an organizer."""
    region = organizer_scope(user)
    if not region:
        return Notification.objects.none()
    recipients = Notification.objects.filter(region.q("user__memberships__unit")).values("pk")
    return (
        Notification.objects.filter(email_status=EmailStatus.FAILED, pk__in=recipients)
        .select_related("user")
        .order_by("-created_at", "-pk")
    )
