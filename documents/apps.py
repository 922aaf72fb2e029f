from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from django.core import checks

        from documents.checks import check_certificate_signing, check_redemption_limits

        checks.register(check_redemption_limits)
        checks.register(check_certificate_signing, deploy=True)

        from documents.metrics import certificate_states
        from portal import metrics

        metrics.add_scrape_time_collector(certificate_states)
