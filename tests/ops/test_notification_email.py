"""E-mail copies of notifications leave from a background task after the transaction commits;
a failure is recorded on the notification and listed for the organizer of the region."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from campuseval.notifications.models import EmailStatus, Notification
from campuseval.notifications.services import notify
from tests.personas import Personas

pytestmark = pytest.mark.django_db(transaction=True)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = IMMEDIATE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def addressed(personas: Personas, who: str, email: str):  # type: ignore[no-untyped-def]
    user = personas.user(who)
    assert user is not None
    user.email = email
    user.save(update_fields=["email"])
    return user


def test_mail_leaves_only_after_commit(personas: Personas, immediate) -> None:  # type: ignore[no-untyped-def]
    user = addressed(personas, "school_officer", "school@example.cn")
    mail.outbox.clear()
    with transaction.atomic():
        notify(users=[user], text="补正通知", link="/x/")
        assert mail.outbox == []  # not inside the transaction
        assert Notification.objects.get(text="补正通知").email_status == EmailStatus.QUEUED
    assert [m.to for m in mail.outbox] == [["school@example.cn"]]
    note = Notification.objects.get(text="补正通知")
    assert (note.email_status, note.email_error) == (EmailStatus.SENT, "")
    assert note.email_at is not None


def test_a_rolled_back_step_sends_nothing(personas: Personas, immediate) -> None:  # type: ignore[no-untyped-def]
    user = addressed(personas, "school_officer", "school@example.cn")
    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(users=[user], text="不会发出", link="")
        raise RuntimeError
    assert mail.outbox == []
    assert not Notification.objects.filter(text="不会发出").exists()


def test_no_address_no_mail(personas: Personas, immediate) -> None:  # type: ignore[no-untyped-def]
    user = addressed(personas, "school_officer", "")
    notify(users=[user], text="站内即可")
    assert Notification.objects.get(text="站内即可").email_status == ""


def test_a_failed_mail_is_recorded_and_shown_to_the_organizer(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = IMMEDIATE
    # a real SMTP attempt at a port where nothing listens
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 5
    user = addressed(personas, "school_officer", "school@example.cn")
    notify(users=[user], text="初审结果已发布", link="/r/")
    note = Notification.objects.get(text="初审结果已发布")
    assert note.email_status == EmailStatus.FAILED
    assert "Error" in note.email_error
    page = personas.client("city_organizer").get(reverse("notifications:list")).content.decode()
    assert "邮件未送达" in page and "初审结果已发布" in page
    # another city's organizer, and the school itself, see no such list
    for who in ("outsider_organizer", "county_reviewer"):
        other = personas.client(who).get(reverse("notifications:list")).content.decode()
        assert "邮件未送达" not in other, who
