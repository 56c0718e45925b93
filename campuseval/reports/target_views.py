"""The level targets page (等级目标): an organizer lists, adds, changes and deletes the targets
of their region. Thin: the form checks the input, `targets` checks access, validates, writes
and logs; another region's target answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from campuseval.access.rules import is_organizer
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.audit.services import client_ip

from . import targets
from .models import Target
from .target_forms import DeleteTargetForm, TargetForm


def _problems(form: TargetForm, exc: ValidationError) -> None:
    """A service's refusal shown beside the field it names."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error.messages)
    else:
        form.add_error(None, exc.messages)


def _own(request: AuthenticatedRequest, pk: int) -> Target:
    target = targets.visible_targets(request.user).filter(pk=pk).first()
    if target is None:
        raise Http404
    return target


@require(is_organizer)
def target_list(request: AuthenticatedRequest) -> HttpResponse:
    """The region's targets and the form to add one (the POST adds it)."""
    form = TargetForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            target = targets.create_target(actor=request.user, values=form.cleaned_data, ip=client_ip(request))
        except ValidationError as exc:
            _problems(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, gettext("已添加等级目标：%(target)s") % {"target": target})
            return redirect("reports:targets")
    labels = targets.family_labels()
    rows = [(t, labels.get(t.family, t.family)) for t in targets.visible_targets(request.user)]
    return render(
        request,
        "reports/dashboards/targets.html",
        {"targets": rows, "form": form, "problems": form.problems() if form.is_bound else []},
    )


@require(is_organizer)
def target_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = _own(request, pk)
    if request.method == "POST":
        form = TargetForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                targets.update_target(
                    actor=request.user, target=target, values=form.cleaned_data, ip=client_ip(request)
                )
            except ValidationError as exc:
                _problems(form, exc)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, gettext("已保存等级目标"))
                return redirect("reports:targets")
    else:
        form = TargetForm(initial=TargetForm.initial_of(target), user=request.user)
    return render(
        request,
        "reports/dashboards/target_edit.html",
        {"target": target, "form": form, "problems": form.problems() if form.is_bound else []},
    )


@require_POST
@require(is_organizer)
def target_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = _own(request, pk)
    DeleteTargetForm(request.POST).is_valid()  # no input: the button's POST, through a Form all the same
    try:
        targets.delete_target(actor=request.user, target=target, ip=client_ip(request))
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, gettext("已删除等级目标"))
    return redirect("reports:targets")
