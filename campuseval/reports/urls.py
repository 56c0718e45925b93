from django.urls import path

from . import audit_views, dashboard_views, export_views, target_views, views

app_name = "reports"

urlpatterns = [
    path("applications/<int:pk>/application-form.pdf", views.application_form, name="application_form"),
    path("applications/<int:pk>/self-evaluation.pdf", views.self_evaluation, name="self_evaluation"),
    path("applications/<int:pk>/self-assessment.pdf", views.self_assessment, name="self_assessment"),
    path("recommendations/<int:pk>.pdf", views.recommendation, name="recommendation"),
    path("assignments/<int:pk>/sheet.pdf", views.expert_sheet, name="expert_sheet"),
    path("results/<int:pk>/notice.pdf", views.result_notice, name="result_notice"),
    path("campaigns/<int:pk>/list.pdf", views.published_list, name="published_list"),
    path("imports/", views.imports, name="imports"),
    path("imports/jobs/<int:pk>/", views.import_job, name="import_job"),
    path("imports/jobs/<int:pk>/passwords.xlsx", views.import_passwords, name="import_passwords"),
    path("imports/<str:kind>/template.xlsx", views.import_template, name="import_template"),
    path("dashboards/", dashboard_views.index, name="dashboards"),
    path("dashboards/targets/", target_views.target_list, name="targets"),
    path("dashboards/targets/<int:pk>/", target_views.target_edit, name="target"),
    path("dashboards/targets/<int:pk>/delete/", target_views.target_delete, name="target_delete"),
    path("dashboards/<int:pk>/<slug:section>/", dashboard_views.dashboard, name="dashboard"),
    path(
        "dashboards/<int:pk>/<slug:section>/<int:table>.xlsx",
        dashboard_views.download,
        name="dashboard_download",
    ),
    path("exports/", export_views.export_list, name="exports"),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
    path("exports/<slug:key>/<int:pk>.xlsx", export_views.export, name="export"),
    path("audit/", audit_views.audit_log_page, name="audit_log"),
    path("audit/export/", audit_views.audit_export, name="audit_export"),
    path("audit/exports/<int:pk>/download/", audit_views.audit_export_download, name="audit_export_download"),
]
