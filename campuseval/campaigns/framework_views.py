"""Framework pages for city and provincial organizers: the list (active, drafts, editions by
family), upload a workbook, preview (the empty template, a sample scored, the level ladder),
activate or stop, copy as a new edition, compare two editions, download any framework as its
workbook. Thin: look up a framework the user sees (another bureau's draft → 404), call a service,
render. Every write is a POST through a form."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campuseval.access.rules import may_author_frameworks
from campuseval.access.views import AuthenticatedRequest
from campuseval.audit.services import client_ip
from campuseval.spreadsheets.responses import xlsx_response

from . import preview, queries, services
from .forms import ActivateForm, CopyForm, DeactivateForm, DiffForm, FrameworkUploadForm, SampleSheetForm
from .models import FrameworkRecord
from .scoring import framework_for


def _author(request: AuthenticatedRequest) -> list[Any]:
    units = queries.author_units(request.user)
    if not units or not may_author_frameworks(request.user):
        raise Http404
    return units


def _seen(request: AuthenticatedRequest, pk: int) -> FrameworkRecord:
    _author(request)
    return get_object_or_404(queries.authored_frameworks(request.user), pk=pk)


def _may_change(request: AuthenticatedRequest, framework: FrameworkRecord) -> bool:
    return framework.owner is not None and may_author_frameworks(request.user, framework.owner)


def _families(request: AuthenticatedRequest) -> Any:
    return queries.authored_frameworks(request.user).defer("source_yaml", "form_yaml").order_by("family", "key")


@login_required
def framework_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every framework the user sees, by family: the active ones, the drafts, the retired."""
    _author(request)
    families: dict[str, list[FrameworkRecord]] = defaultdict(list)
    for framework in queries.framework_list(request.user):
        families[framework.family or framework.key].append(framework)
    return render(
        request,
        "campaigns/frameworks/list.html",
        {"families": sorted(families.items()), "count": sum(len(v) for v in families.values())},
    )


@login_required
def framework_upload(request: AuthenticatedRequest) -> HttpResponse:
    """Upload a workbook: every problem listed with 工作表、行、列; nothing saved when invalid;
    the typed edition, dates and choices stay."""
    owners = _author(request)
    initial: dict[str, Any] = {"owner": owners[0].pk}
    if request.GET.get("edition_of", "").isdigit():
        initial["edition_of"] = int(request.GET["edition_of"])
    form = FrameworkUploadForm(
        request.POST or None, request.FILES or None, owners=owners, families=_families(request), initial=initial
    )
    problems: list[services.BookLine] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            framework = services.upload_framework(
                actor=request.user,
                owner=d["owner"],
                file=d["file"],
                edition=d["edition"],
                effective_from=d["effective_from"],
                effective_until=d["effective_until"],
                edition_of=d["edition_of"],
                replace_draft=d["replace_draft"],
                ip=client_ip(request),
            )
        except services.FrameworkRefused as exc:
            problems = exc.problems
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("已保存为草稿（未启用）。请预览核对后启用。"))
            return redirect("campaigns:framework_detail", pk=framework.pk)
    return render(request, "campaigns/frameworks/upload.html", {"form": form, "problems": problems}, status=200)


def _detail(
    request: AuthenticatedRequest, framework: FrameworkRecord, sample: preview.SampleScore | None, form: Any = None
) -> HttpResponse:
    fw = framework_for(framework)
    if sample is None:
        seed = preview.seed_sample(fw)
        if seed is not None:
            sample = preview.score_sample(fw, seed, _("本框架自带的样例答卷"))
    editions = (
        queries.authored_frameworks(request.user)
        .filter(family=framework.family)
        .exclude(pk=framework.pk)
        .defer("source_yaml", "form_yaml")
        .order_by("key")
        if framework.family
        else FrameworkRecord.objects.none()
    )
    owners = queries.author_units(request.user)
    context = {
        "framework": framework,
        "fw": fw,
        "rows": preview.tree_rows(fw),
        "ladder": preview.ladder(fw),
        "sample": sample,
        "sample_form": form or SampleSheetForm(),
        "may_change": _may_change(request, framework),
        "activate_form": ActivateForm(),
        "deactivate_form": DeactivateForm(),
        "copy_form": CopyForm(owners=owners, initial={"owner": owners[0].pk, "key": f"{framework.key}-2"}),
        "diff_form": DiffForm(editions=editions) if editions else None,
        "has_form": bool(services.form_text_of(framework)),
        "campaigns": list(
            queries.campaigns_using(framework).filter(pk__in=queries.organizer_campaigns(request.user).values("pk"))
        ),
    }
    return render(request, "campaigns/frameworks/detail.html", context)


@login_required
def framework_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The preview: settings, the indicator tree with points and rules in words, the ladder,
    and the framework's own sample scored when it has one."""
    return _detail(request, _seen(request, pk), None)


@login_required
@require_POST
def framework_sample(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Score an uploaded 样例答卷 against the framework (nothing is saved)."""
    framework = _seen(request, pk)
    form = SampleSheetForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, framework, preview.SampleScore(source=_("上传的样例答卷")), form)
    fw = framework_for(framework)
    document, problems = preview.read_sample_sheet(fw, form.cleaned_data["file"])
    source = _("上传的样例答卷：%(name)s") % {"name": form.cleaned_data["file"].name}
    if document is None:
        return _detail(request, framework, preview.SampleScore(source=source, problems=problems), form)
    return _detail(request, framework, preview.score_sample(fw, document, source), form)


@login_required
def framework_sample_sheet(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The empty 样例答卷 of a framework, to fill in and score in the preview."""
    framework = _seen(request, pk)
    return xlsx_response(preview.sample_sheet(framework_for(framework)), f"样例答卷-{framework.key}.xlsx")


@login_required
def framework_book(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Any framework the user sees (seed or uploaded) as its workbook, to start a new one from."""
    framework = _seen(request, pk)
    return xlsx_response(services.framework_book(framework), f"指标框架-{framework.key}.xlsx")


def _step(request: AuthenticatedRequest, pk: int, done: str, step: Any, form: Any) -> HttpResponse:
    framework = _seen(request, pk)
    if not form.is_valid():
        raise Http404
    try:
        step(actor=request.user, framework=framework, ip=client_ip(request), **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, done)
    return redirect("campaigns:framework_detail", pk=framework.pk)


@login_required
@require_POST
def framework_activate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    done = _("已启用：新建活动时可以选择该指标框架")
    return _step(request, pk, done, services.activate_framework, ActivateForm(request.POST))


@login_required
@require_POST
def framework_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    done = _("已停用：新建活动不再提供该框架，已使用它的活动不受影响")
    return _step(request, pk, done, services.deactivate_framework, DeactivateForm(request.POST))


@login_required
@require_POST
def framework_copy(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """「复制为新版本」: a draft copy under a new key; a refused key or edition comes back as typed."""
    framework = _seen(request, pk)
    owners = queries.author_units(request.user)
    form = CopyForm(request.POST, owners=owners)
    if form.is_valid():
        try:
            copy = services.copy_framework(
                actor=request.user, framework=framework, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(key if key in form.fields else None, message)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("已复制为新版本草稿，可下载工作簿修改后作为新版本上传，或直接预览启用。"))
            return redirect("campaigns:framework_detail", pk=copy.pk)
    return render(request, "campaigns/frameworks/copy.html", {"framework": framework, "copy_form": form})


@login_required
def framework_diff(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The difference between this edition and another of its family (`?other=`)."""
    framework = _seen(request, pk)
    editions = queries.authored_frameworks(request.user).filter(family=framework.family).exclude(pk=framework.pk)
    form = DiffForm(request.GET or None, editions=editions.defer("source_yaml", "form_yaml").order_by("key"))
    diff = other = None
    if form.is_bound and form.is_valid():
        other = editions.get(pk=form.cleaned_data["other"].pk)
        diff = preview.diff_editions(framework_for(other), framework_for(framework))
    return render(
        request, "campaigns/frameworks/diff.html", {"framework": framework, "other": other, "diff": diff, "form": form}
    )
