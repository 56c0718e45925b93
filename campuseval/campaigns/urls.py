from django.urls import path

from . import framework_views, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/status/", views.campaign_status, name="status"),
    path("frameworks/", framework_views.framework_list, name="frameworks"),
    path("frameworks/upload/", framework_views.framework_upload, name="framework_upload"),
    path("frameworks/<int:pk>/", framework_views.framework_detail, name="framework_detail"),
    path("frameworks/<int:pk>/sample/", framework_views.framework_sample, name="framework_sample"),
    path("frameworks/<int:pk>/sample.xlsx", framework_views.framework_sample_sheet, name="framework_sample_sheet"),
    path("frameworks/<int:pk>/workbook.xlsx", framework_views.framework_book, name="framework_book"),
    path("frameworks/<int:pk>/activate/", framework_views.framework_activate, name="framework_activate"),
    path("frameworks/<int:pk>/deactivate/", framework_views.framework_deactivate, name="framework_deactivate"),
    path("frameworks/<int:pk>/copy/", framework_views.framework_copy, name="framework_copy"),
    path("frameworks/<int:pk>/diff/", framework_views.framework_diff, name="framework_diff"),
]
