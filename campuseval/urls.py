from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from campuseval.shell.health import healthz

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/sso/", include("campuseval.accounts.sso_urls")),  # 统一身份认证 (OIDC, CAS)
    path("accounts/", include("campuseval.accounts.urls")),
    path("orgs/", include("campuseval.units.urls")),
    path("people/", include("campuseval.people.urls")),
    path("campaigns/", include("campuseval.campaigns.urls")),
    path("applications/", include("campuseval.applications.urls")),
    path("reviews/", include("campuseval.reviews.urls")),
    path("cultivation/", include("campuseval.cultivation.urls")),
    path("reports/", include("campuseval.reports.urls")),
    path("notifications/", include("campuseval.notifications.urls")),
    path("", include("campuseval.shell.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
