from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    name = "chiptown.competitions"
    label = "competitions"
    verbose_name = _("Competition")

    def ready(self) -> None:
        from chiptown.core.services import job_result_labels_register

        job_result_labels_register(
            {
                "run": _("Assignment run"),
                "total_fit": _("Total fit"),
                "total_fit_to_bound_ratio": _("Total fit against its upper bound"),
                "worst_entry_to_maxmin_bound_ratio": _("Worst-served entry against the max-min bound"),
                "assignments_new": _("New assignments"),
            }
        )
