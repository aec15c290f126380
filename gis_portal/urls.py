from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health, views
from .security import LockoutAdminAuthenticationForm, LockoutAuthenticationForm

admin.site.login_form = LockoutAdminAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", auth_views.LoginView.as_view(form_class=LockoutAuthenticationForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/api-passwords/", include("gis_portal.apipasswords.urls")),
    path("register/", include("parcels.urls")),
    path("map/", include("gis_portal.map.urls")),
    path("tiles/", include("tiles.urls")),
    path("imagery/", include("drone_ingest.urls")),
    path("tax/", include("taxes.urls")),
    path("fieldwork/", include("fieldwork.urls")),
    path("api/v1/", include("gis_portal.api.urls")),
    path("ogc/", include("gis_portal.ogc.urls")),
    path("community/", include("community.urls")),
    path("health/", include("health.urls")),
    path("", include("health.resident_urls")),
    path("kids/", include("kids.urls")),
    path("languages/", include("languages.urls")),
    path("", include("kids.resident_urls")),
    path("", include("notifications.urls")),
    path("travel/", include("travel.urls")),
    path("", include("eservices.urls")),
    path("admin/", admin.site.urls),
]
