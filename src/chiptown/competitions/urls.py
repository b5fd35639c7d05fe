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

# Editions, categories, applications: edition pages, applying and nominating, documents, confirmations, screening.
from django.urls import register_converter  # noqa: E402

from chiptown.competitions.views import editions as edition_views  # noqa: E402
from chiptown.competitions.views import entries as entry_views  # noqa: E402

register_converter(edition_views.AwardConverter, "award")

urlpatterns += [
    path("", edition_views.editions, name="editions"),
    path("new/", edition_views.edition_create, name="edition_create"),
    path("mine/", entry_views.my_entries, name="my_entries"),
    path("people/suggest/", entry_views.person_suggest, name="person_suggest"),
    path("<int:year>/", edition_views.edition, name="edition"),
    path("<int:year>/edit/", edition_views.edition_edit, name="edition_edit"),
    path("<int:year>/<award:kind>/edit/", edition_views.category_edit, name="category_edit"),
    path("<int:year>/<award:kind>/apply/", entry_views.apply, name="apply"),
    path("<int:year>/<award:kind>/screening/", entry_views.screening, name="screening"),
    path("entries/<int:pk>/", entry_views.entry, name="entry"),
    path("entries/<int:pk>/edit/", entry_views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/submit/", entry_views.entry_submit, name="entry_submit"),
    path("entries/<int:pk>/withdraw/", entry_views.entry_withdraw, name="entry_withdraw"),
    path("entries/<int:pk>/screen/", entry_views.entry_screen, name="entry_screen"),
    path("entries/<int:pk>/nomination/", entry_views.nomination_respond, name="nomination_respond"),
    path("entries/<int:pk>/partnership/", entry_views.partnership_respond, name="partnership_respond"),
    path("entries/<int:pk>/documents/", entry_views.entry_document_upload, name="entry_document_upload"),
    path("documents/<int:pk>/", entry_views.entry_document, name="entry_document"),
    path("documents/<int:pk>/delete/", entry_views.entry_document_delete, name="entry_document_delete"),
]

# Judging: a judge's entries and review pages; operators' progress, reminders, reviews, reopening and ranking.
from chiptown.competitions.views import judging as judging_views  # noqa: E402
from chiptown.competitions.views import progress as progress_views  # noqa: E402

urlpatterns += [
    path("judge/", judging_views.judge_home, name="judge_home"),
    path("judge/<int:year>/", judging_views.judge_edition, name="judge_edition"),
    path("judge/entries/<int:entry_pk>/", judging_views.judge_review, name="judge_review"),
    path("categories/<int:pk>/progress/", progress_views.category_progress, name="progress"),
    path("categories/<int:pk>/reminders/", progress_views.category_reminders, name="reminders"),
    path("categories/<int:pk>/ranking/", progress_views.category_ranking, name="ranking"),
    path("entries/<int:pk>/reviews/", progress_views.entry_reviews, name="entry_reviews"),
    path("reviews/<int:pk>/reopen/", progress_views.review_reopen, name="review_reopen"),
]

# Judges, conflicts and assignment: judges and their declarations, panels, pins and forbids, assignment runs.
from chiptown.competitions.views import judging_admin  # noqa: E402

urlpatterns += [
    path("<int:year>/judges/", judging_admin.judges, name="judging_judges"),
    path("<int:year>/judges/new/", judging_admin.judge_create, name="judging_judge_create"),
    path("judge/<int:year>/declarations/", judging_admin.my_declarations, name="judging_my_declarations"),
    path("judges/<int:pk>/", judging_admin.judge_edit, name="judging_judge_edit"),
    path("judges/<int:pk>/drop-out/", judging_admin.judge_drop_out, name="judging_drop_out"),
    path("judges/<int:pk>/declarations/", judging_admin.declarations, name="judging_declarations"),
    path("declarations/<int:pk>/delete/", judging_admin.declaration_delete, name="judging_declaration_delete"),
    path("categories/<int:pk>/panel/", judging_admin.panel, name="judging_panel"),
    path("categories/<int:pk>/pairs/", judging_admin.assignment_pairs, name="judging_pairs"),
    path("pairs/<int:pk>/delete/", judging_admin.pair_rule_delete, name="judging_pair_delete"),
    path("categories/<int:pk>/assignment/", judging_admin.assignment, name="judging_assignment"),
    path("categories/<int:pk>/assignment/run/", judging_admin.assignment_start, name="judging_assignment_start"),
    path("judging/people/", judging_admin.person_options, name="judging_person_options"),
    path("judging/organisations/", judging_admin.organisation_options, name="judging_organisation_options"),
]
