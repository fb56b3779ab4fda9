from __future__ import annotations

from django.urls import path

from placements import views

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/problems.csv", views.import_problems_csv, name="import_problems_csv"),
    path("children/", views.children_list, name="children_list"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
]
