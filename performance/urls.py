from __future__ import annotations

from django.urls import path

from performance import views

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/commentary/<slug:code>/", views.commentary_edit, name="commentary_edit"),
    path("glossary/", views.glossary, name="glossary"),
    path("targets/", views.targets_edit, name="targets_edit"),
    path("compare/<int:pk>/", views.compare, name="compare"),
]
