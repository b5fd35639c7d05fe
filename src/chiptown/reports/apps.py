from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "chiptown.reports"
    label = "reports"
    verbose_name = _("Chain analytics and reports")

    def ready(self) -> None:
        from chiptown.core.services import job_result_labels_register

        job_result_labels_register(
            {
                "year": _("Year"),
                "snapshot_sha256": _("Data snapshot (SHA-256)"),
                "documents": _("Documents written"),
            }
        )
