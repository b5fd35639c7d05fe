from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from chiptown.accounts.views import set_language
from chiptown.api import api
from chiptown.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("chiptown.accounts.urls")),
    path("core/", include("chiptown.core.urls")),
    path("competition/", include("chiptown.competitions.urls")),
    path("events/", include("chiptown.events.urls")),
    path("reports/", include("chiptown.reports.urls")),
    path("", include("chiptown.registry.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
