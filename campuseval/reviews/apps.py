from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "campuseval.reviews"
    verbose_name = "评审与遴选"

    def ready(self) -> None:
        """A school applies level by level (合格 → 优秀 → 示范): the ladder reads our results, so
        it reaches the submission through the applications' check registry."""
        from campuseval.applications.checks import register_submission_check

        from .ladder import ladder_problems

        register_submission_check(ladder_problems)
