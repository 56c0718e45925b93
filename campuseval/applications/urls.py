from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("copy-previous/", views.copy_previous, name="copy_previous"),
    path("<int:pk>/", views.form, name="form"),
    path("<int:pk>/choices/", views.choices, name="choices"),
    path("<int:pk>/indicator/<str:code>/", views.indicator, name="indicator"),
    path("<int:pk>/indicator/<str:code>/row/<str:key>/", views.item_row, name="item_row"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_file, name="evidence_file"),
    path("<int:pk>/evidence/<int:evidence_pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("<int:pk>/evidence/<int:evidence_pk>/item/", views.evidence_item, name="evidence_item"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/ask-head/", views.ask_head, name="ask_head"),
    path("<int:pk>/copied/", views.copied, name="copied"),
    path("<int:pk>/copied/confirm/", views.copy_confirm, name="copy_confirm"),
    path("<int:pk>/stamped-scan/", views.stamped_scan_file, name="stamped_scan"),
    path("<int:pk>/stamped-scan/upload/", views.stamped_scan_upload, name="stamped_scan_upload"),
    path("<int:pk>/return/", views.return_view, name="return"),
    path("<int:pk>/versions/", views.versions, name="versions"),
    path("<int:pk>/versions/<int:number>/", views.version, name="version"),
]
