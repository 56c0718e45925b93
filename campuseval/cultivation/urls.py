from django.urls import path

from . import views

app_name = "cultivation"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/plan/", views.plan_download, name="plan"),
    path("ladder/<int:pk>/", views.ladder, name="ladder"),
]
