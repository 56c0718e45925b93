"""The product's URLs plus `/bench/bare/`: one query, one small template — the reference the
deadline-day benchmark measures beside the real pages, in the same run, served the same way."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path

from campuseval.campaigns.models import Campaign
from campuseval.urls import urlpatterns as product_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    campaign = Campaign.objects.only("pk", "name").order_by("pk").first()
    return render(request, "benchmarks/bare.html", {"campaign": campaign})


urlpatterns: list[URLPattern | URLResolver] = [path("bench/bare/", bare), *product_urlpatterns]
