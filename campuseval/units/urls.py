from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("import/", views.import_units, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
]
