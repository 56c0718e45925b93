"""Dashboard numbers for one campaign, computed on the server so that every chart, the table
beside it and its Excel download show exactly the same figures (the browser only draws).

Each public function takes a `Scope` — the campaign, the framework being charted and the units
the user may see (all of the campaign for its organizer, the reviewer's own county for a county
reviewer) — and returns plain dicts and lists of ints, Decimals and strings. Loading is done in
a fixed number of queries whatever the number of applications: SQL aggregates (GROUP BY region)
over the stored figures (`applications.ScoreFigure` / `IndicatorFigure`), never a JSON result
decoded per application, so dashboards stay fast for a whole province. A `?unit=` drills down
province → city → county → school within the user's scope (`rows.Level`).

Decisions recorded here, shown on the pages as well:

* Regions: a school belongs to the unit directly above it (its county/district; a school
  directly under a city is grouped under that city, e.g. 市直学校). A district applicant is
  its own region.
* Score basis: the final expert score (`Result.final`) where results exist, otherwise the
  self-score of the latest submitted version. The user may choose either basis.
* Quartiles: linear interpolation between order statistics (R type 7, Excel QUARTILE.INC,
  NumPy's default): position h = (n − 1)·p over the sorted scores.
* Attainment: a unit's level is the level of its review result in this campaign where one
  exists, otherwise the level of its latest submitted self-assessment, otherwise the level it
  holds from the latest final result of an earlier campaign of the same framework family (held
  levels carry over until a later final result replaces them, `reviews.ladder`); applications
  not recommended (不予推荐) or terminated never count. Shares count units "at that level or
  above" (a 示范型 school has also reached 优秀型 and 合格型), over every unit the campaign
  covers in the region, applied or not — the way the Taizhou targets are worded. The targets
  are data the organizers keep (`reports.Target`: a share or a count, a due year), not code.
* Year over year: one series per framework family — scores of different issuers' frameworks
  (Taizhou's 110, Xiamen's 200) are never joined on one line nor subtracted.
"""

from .figures import (
    attainment,
    attainment_levels,
    histogram,
    indicator_heatmap,
    progress,
    score_bins,
    score_distribution,
    score_gap,
    targets_for,
)
from .history import year_over_year
from .rows import BASIS_LABELS, Level, Region, default_basis, eligible_units, level_of, region_of
from .scope import Scope, has_dashboard_role, scope_for, visible_campaigns
from .stats import QUANTILE_METHOD, box, mean, pct, q2, quantile

__all__ = [
    "BASIS_LABELS",
    "QUANTILE_METHOD",
    "Level",
    "Region",
    "Scope",
    "attainment",
    "attainment_levels",
    "box",
    "default_basis",
    "eligible_units",
    "has_dashboard_role",
    "histogram",
    "indicator_heatmap",
    "level_of",
    "mean",
    "pct",
    "progress",
    "q2",
    "quantile",
    "region_of",
    "scope_for",
    "score_bins",
    "score_distribution",
    "score_gap",
    "targets_for",
    "visible_campaigns",
    "year_over_year",
]
