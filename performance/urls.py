from __future__ import annotations

from django.urls import path

from performance import england_views, views

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/commentary/<slug:code>/", views.commentary_edit, name="commentary_edit"),
    path("glossary/", views.glossary, name="glossary"),
    path("targets/", views.targets_edit, name="targets_edit"),
    path("compare/<int:pk>/", views.compare, name="compare"),
    path("england/", england_views.england_page, name="england"),
    path("england/<slug:region>/", england_views.region_page, name="england_region"),
]
