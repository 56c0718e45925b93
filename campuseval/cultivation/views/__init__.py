"""Cultivation views: GET pages in `pages`, one small POST view per action in `actions`."""

from .actions import (
    accept_plan,
    conclude_evaluation,
    create_projects,
    exclude_school,
    open_evaluation,
    record_evaluation,
    return_plan,
    submit_plan,
    terminate_project,
)
from .pages import ladder, plan_download, project_detail, project_list

__all__ = [
    "accept_plan",
    "conclude_evaluation",
    "create_projects",
    "exclude_school",
    "ladder",
    "open_evaluation",
    "plan_download",
    "project_detail",
    "project_list",
    "record_evaluation",
    "return_plan",
    "submit_plan",
    "terminate_project",
]
