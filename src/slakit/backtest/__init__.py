"""`slakit backtest`: replay the org's cases of a period against proposed tiers.

    result = run_backtest(project, sf, since=..., until=..., compare=other, tier_from="accounts")
    write_html(result, "backtest.html")

Modules: history (the period's cases and their histories, batched; REST or Bulk API 2.0 query via
bulkquery), verdict (one case against one proposed milestone: pure), aggregate (per tier,
milestone and week, beside what the org recorded), run (orchestration), html (the page).
"""

from slakit.backtest.aggregate import Backtest, Group, Proposal
from slakit.backtest.run import BULK_QUERY_THRESHOLD, run_backtest
from slakit.backtest.verdict import CaseFacts, Verdict, replay

__all__ = ["BULK_QUERY_THRESHOLD", "Backtest", "CaseFacts", "Group", "Proposal", "Verdict", "replay",
           "run_backtest"]
