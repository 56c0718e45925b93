"""How far a background sheet job (an export or an import) has come, as its page shows it.
A mixin for the job models of every app: it reads `status`, `rows_done` and `rows_total`."""

from __future__ import annotations


class RowProgress:
    """`is_finished` and `percent` from the job's status and row counters."""

    status: str
    rows_done: int
    rows_total: int
    #: statuses after which the job does no more work (the page stops polling)
    finished_statuses: tuple[str, ...] = ("done", "failed")
    #: statuses shown as 100 % whatever the counters say
    complete_statuses: tuple[str, ...] = ("done",)

    @property
    def is_finished(self) -> bool:
        return self.status in self.finished_statuses

    @property
    def percent(self) -> int:
        if self.status in self.complete_statuses:
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(self.rows_done * 100 / self.rows_total))
