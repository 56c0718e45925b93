from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("county/", views.county_list, name="county_list"),
    path("county/<int:pk>/", views.county_review, name="county_review"),
    path("county/recommend/<int:campaign_pk>/", views.recommend, name="recommend"),
    path("city/", views.city_list, name="city_list"),
    path("city/recommend/<int:campaign_pk>/", views.city_recommend, name="city_recommend"),
    path("experts/", views.expert_pool, name="expert_pool"),
    path("organizer/<int:pk>/", views.organizer, name="organizer"),
    path("organizer/<int:pk>/audit/", views.audit_log, name="audit_log"),
    path("organizer/<int:pk>/audit.xlsx", views.audit_export, name="audit_export"),
    path("organizer/<int:pk>/results.xlsx", views.results_export, name="results_export"),
    path("expert/", views.expert_list, name="expert_list"),
    path("expert/<int:pk>/", views.expert_sheet, name="expert_sheet"),
    path("public/<int:pk>/", views.public, name="public"),
    path("results/<int:pk>/", views.result_detail, name="result"),
]
