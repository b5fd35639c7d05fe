"""Competition URLs; each part adds its own lines."""

from django.urls import URLPattern, URLResolver, path

app_name = "competitions"
urlpatterns: list[URLPattern | URLResolver] = []

# Results: public results page, certificates and their verification; operators' decisions, publication, exports.
from chiptown.competitions.views import results as results_views  # noqa: E402

urlpatterns += [
    path("<int:year>/results/", results_views.results_page, name="results"),
    path("<int:year>/results/manage/", results_views.results_manage, name="results_manage"),
    path("<int:year>/results/publish/", results_views.results_publish, name="results_publish"),
    path("<int:year>/export/scores.xlsx", results_views.export_scores, name="export_scores"),
    path("<int:year>/export/summary.pdf", results_views.export_summary, name="export_summary"),
    path("categories/<int:pk>/decisions/", results_views.decisions, name="decisions"),
    path("certificates/<str:code>.pdf", results_views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:code>/revoke/", results_views.certificate_revoke, name="certificate_revoke"),
    path("verify/<str:code>/", results_views.verify, name="verify"),
]
