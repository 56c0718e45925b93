from django.urls import path

from . import views

app_name = "cultivation"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("create/", views.create_projects, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/plan/", views.plan_download, name="plan"),
    path("<int:pk>/plan/submit/", views.submit_plan, name="submit_plan"),
    path("<int:pk>/plan/accept/", views.accept_plan, name="accept_plan"),
    path("<int:pk>/plan/return/", views.return_plan, name="return_plan"),
    path("<int:pk>/evaluation/open/", views.open_evaluation, name="open_evaluation"),
    path("<int:pk>/evaluation/conclude/", views.conclude_evaluation, name="conclude_evaluation"),
    path("<int:pk>/evaluation/record/", views.record_evaluation, name="record_evaluation"),
    path("<int:pk>/terminate/", views.terminate_project, name="terminate"),
    path("<int:pk>/exclude-school/", views.exclude_school, name="exclude_school"),
    path("ladder/<int:pk>/", views.ladder, name="ladder"),
]
