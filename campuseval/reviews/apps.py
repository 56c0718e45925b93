from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "campuseval.reviews"
    verbose_name = "评审与遴选"

    def ready(self) -> None:
        """The step-by-step 申报类型 (合格 → 优秀 → 示范), where a campaign's review settings ask
        for it, reads our results, so it reaches the submission through the applications' check
        registry (it refuses nothing unless `ReviewSettings.level_prerequisite` is on)."""
        from campuseval.applications.checks import register_submission_check, register_submission_warning

        from .ladder import declared_type_warnings, ladder_problems

        register_submission_check(ladder_problems)
        register_submission_warning(declared_type_warnings)
