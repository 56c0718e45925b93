from django.urls import path

from .views import city, county, expert, organizer, public
from .views import operations as operation_views

app_name = "reviews"

urlpatterns = [
    path("county/", county.county_list, name="county_list"),
    path("county/<int:pk>/", county.county_review, name="county_review"),
    path("county/<int:pk>/decide/", county.county_decide, name="county_decide"),
    path("county/recommend/<int:campaign_pk>/", county.recommend, name="recommend"),
    path("county/recommend/<int:campaign_pk>/confirm/", county.recommend_confirm, name="recommend_confirm"),
    path("county/recommend/<int:campaign_pk>/scan/", county.recommend_scan_upload, name="recommend_scan_upload"),
    path("recommendations/<int:pk>/scan/", county.recommend_scan, name="recommend_scan"),
    path("city/", city.city_list, name="city_list"),
    path("city/recommend/<int:campaign_pk>/", city.city_recommend, name="city_recommend"),
    path("city/recommend/<int:campaign_pk>/confirm/", city.city_recommend_confirm, name="city_recommend_confirm"),
    path("experts/", organizer.expert_pool, name="expert_pool"),
    path("experts/add/", organizer.expert_add, name="expert_add"),
    path("experts/<int:expert_pk>/update/", organizer.expert_update, name="expert_update"),
    path("experts/<int:expert_pk>/conflicts/", organizer.expert_conflict, name="expert_conflict"),
    path(
        "experts/<int:expert_pk>/conflicts/<int:conflict_pk>/remove/",
        organizer.expert_conflict_remove,
        name="expert_conflict_remove",
    ),
    path("organizer/<int:pk>/", organizer.organizer, name="organizer"),
    path("organizer/<int:pk>/settings/", organizer.organizer_settings, name="organizer_settings"),
    path("organizer/<int:pk>/panels/", organizer.panel_create, name="panel_create"),
    path("organizer/<int:pk>/panels/members/", organizer.panel_members, name="panel_members"),
    path("organizer/<int:pk>/assign/", organizer.assign, name="assign"),
    path("organizer/<int:pk>/assign/batch/", organizer.assign_batch, name="assign_batch"),
    path("organizer/<int:pk>/assign/auto/", organizer.auto_assign, name="auto_assign"),
    path("organizer/<int:pk>/unlock/", organizer.unlock, name="unlock"),
    path("organizer/<int:pk>/compute/", organizer.compute, name="compute"),
    path("organizer/<int:pk>/publish/", organizer.publish, name="publish"),
    path("organizer/<int:pk>/answer/", organizer.answer, name="answer"),
    path("organizer/<int:pk>/finalize/", organizer.finalize, name="finalize"),
    path("organizer/<int:pk>/override/", organizer.override, name="override"),
    path("organizer/<int:pk>/divergence/", organizer.divergence, name="divergence"),
    path("organizer/<int:pk>/reconsider/", organizer.reconsider, name="reconsider"),
    path("organizer/<int:pk>/reconsider/close/", organizer.reconsider_close, name="reconsider_close"),
    path("organizer/<int:pk>/audit/", organizer.audit_log, name="audit_log"),
    path("organizer/<int:pk>/operations/<int:op_pk>/", operation_views.operation, name="operation"),
    path(
        "organizer/<int:pk>/operations/<int:op_pk>/status/", operation_views.operation_status, name="operation_status"
    ),
    path("expert/", expert.expert_list, name="expert_list"),
    path("expert/<int:pk>/", expert.expert_sheet, name="expert_sheet"),
    path("expert/<int:pk>/confirm/", expert.expert_confirm, name="expert_confirm"),
    path("expert/<int:pk>/abstain/", expert.expert_abstain, name="expert_abstain"),
    path("expert/<int:pk>/save/", expert.expert_save, name="expert_save"),
    path("expert/<int:pk>/submit/", expert.expert_submit, name="expert_submit"),
    path("expert/<int:pk>/agree/", expert.expert_agree, name="expert_agree"),
    path("public/<int:pk>/", public.public, name="public"),
    path("results/<int:pk>/", public.result_detail, name="result"),
]
