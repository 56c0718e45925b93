"""The product's URLs plus the reference pages the benchmarks measure beside the real ones, in
the same run, served the same way:

- `/bench/bare/`: one query, one small template (the issues' "bare Django view");
- `/bench/signed/`: the same for a signed-in user (the session and the user read as on every
  signed-in page: the floor of any per-user request);
- `/bench/shell/`: the same content inside the product's shell (`base.html`: navigation by
  role, unread count, footer): the floor of any full page in the product's look."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path

from campuseval.campaigns.models import Campaign
from campuseval.urls import urlpatterns as product_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    campaign = Campaign.objects.only("pk", "name").order_by("pk").first()
    return render(request, "benchmarks/bare.html", {"campaign": campaign})


@login_required
def shell(request: HttpRequest) -> HttpResponse:
    campaign = Campaign.objects.only("pk", "name").order_by("pk").first()
    return render(request, "benchmarks/shell.html", {"campaign": campaign})


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare/", bare),
    path("bench/signed/", login_required(bare)),
    path("bench/shell/", shell),
    *product_urlpatterns,
]
