"""Sandbox smoke tests with shortened time limits (`slakit smoke`).

    from slakit.smoke import run_smoke
    from slakit.smoke.options import SmokeOptions
    report = run_smoke(project, conn, SmokeOptions(tier=("Gold",), minutes=4))   # -> SmokeReport
    write_junit(report, "smoke.xml")

Modules: variant (the renamed, shortened, 24/7 tiers), package (render + keep it apart from the
real metadata), scenarios (what each tier's run does), fixtures (tagged records and their
removal), phases + checks + actions (the run and its verdicts), report, junit, runner.
"""

from slakit.smoke.junit import write_junit
from slakit.smoke.report import Check, Cleanup, SmokeReport
from slakit.smoke.runner import SmokeInterrupted, run_smoke, smoke_tiers
from slakit.smoke.variant import SmokeVariant, smoke_variant

__all__ = ["Check", "Cleanup", "SmokeInterrupted", "SmokeReport", "SmokeVariant", "run_smoke", "smoke_tiers",
           "smoke_variant", "write_junit"]
