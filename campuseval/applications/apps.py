from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "campuseval.applications"
    verbose_name = "申报"

    def ready(self) -> None:
        """Add the applications' parts to the campaign pages (campaigns sit below us)."""
        from campuseval.campaigns import extensions

        from . import campaign_parts, queries

        extensions.register_detail_part(campaign_parts.campaign_detail_part)
        extensions.register_list_annotation(queries.with_application_counts)
