from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from corporate_parenting import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", views.ChangePasswordView.as_view(), name="password_change"),
    path("account/password/changed/", views.password_changed, name="password_changed"),
    path("officer/", views.officer_home, name="officer_home"),
    path("clerk/", views.clerk_home, name="clerk_home"),
    path("council-admin/users/", views.council_users, name="council_users"),
    path("council-admin/users/new/", views.council_user_create, name="council_user_create"),
    path("council-admin/users/<int:pk>/", views.council_user_edit, name="council_user_edit"),
    path(
        "council-admin/users/<int:pk>/password/",
        views.council_user_password,
        name="council_user_password",
    ),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "favicon.ico",
        login_not_required(
            RedirectView.as_view(url=static("govuk/assets/images/favicon.ico"), permanent=True)
        ),
    ),
    path("", include("corporate_parenting.account_urls")),
    path("", include("corporate_parenting.audit_urls")),
    path("", include("placements.urls")),
    path("", include("inspections.urls")),
    path("", include("returns.urls")),
    path("", include("committee.urls")),
    path("", include("performance.urls")),
    path("admin/", admin.site.urls),
]

# The 500 page is drawn without the request or the database (either may be what failed).
handler500 = "corporate_parenting.security_middleware.server_error"
