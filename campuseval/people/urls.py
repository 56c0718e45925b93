from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/active/", views.account_active, name="active"),
    path("<int:pk>/roles/", views.role_add, name="role_add"),
    path("<int:pk>/roles/<int:membership_pk>/remove/", views.role_remove, name="role_remove"),
    path("<int:pk>/password/", views.password_reset, name="password_reset"),
    path("<int:pk>/unlock/", views.unlock, name="unlock"),
]
