"""Extension points of the campaign pages for the apps above this floor.

A campaign page shows what happens inside the campaign — how many applications there are, what
the signed-in school may start — but campaigns sit below applications and must not import them.
The applications app registers its parts here when Django starts (`AppConfig.ready`), and the
campaign pages call whatever is registered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Campaign

#: (request, campaign, manager) → extra context for the campaign detail page
DetailPart = Callable[[HttpRequest, Campaign, bool], dict[str, Any]]
#: managed campaigns → the same, annotated with what the list page shows
ListAnnotation = Callable[[QuerySet[Campaign]], QuerySet[Campaign]]

detail_parts: list[DetailPart] = []
list_annotations: list[ListAnnotation] = []


def register_detail_part(part: DetailPart) -> DetailPart:
    if part not in detail_parts:
        detail_parts.append(part)
    return part


def register_list_annotation(annotation: ListAnnotation) -> ListAnnotation:
    if annotation not in list_annotations:
        list_annotations.append(annotation)
    return annotation


def annotate_list(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    for annotation in list_annotations:
        campaigns = annotation(campaigns)
    return campaigns


def detail_context(request: HttpRequest, campaign: Campaign, manager: bool) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for part in detail_parts:
        context.update(part(request, campaign, manager))
    return context
