"""The smoke variant of a project: the tiers to test, renamed so they never touch the real ones,
with limits shortened into minutes and business hours swapped for 24/7.

Naming (documented in docs/smoke.md; tests rely on it):
  tier "Gold"                -> entitlement process "Gold Smoke" (api name Gold_Smoke)
  milestone "First Response" -> milestone type "First Response Smoke"
  every smoke process runs on business hours "slakit Smoke 24x7" (GMT, every day 24h), a record
  the smoke deploy adds once and reuses (Salesforce never deletes business hours).

Limits: each milestone gets the smallest whole number of minutes L >= `minutes` for which every
warning percentage is an exact whole number of minutes before the target, at least one
(50/75/90% -> L = 20; 75% -> 4; no warnings -> `minutes`). When no L up to MAX_SCALED_MINUTES
works (e.g. 33%), L = `minutes` and the warning is rounded the way tiers.yml says (fires no later
than asked); the variant records a note.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

from slakit.config.names import join
from slakit.config.project import BusinessHours, Milestone, Project, Tier, Window
from slakit.config.select import select_tiers
from slakit.config.written import written_fields
from slakit.errors import UsageError
from slakit.smoke.options import SmokeOptions

SUFFIX = "Smoke"
SMOKE_HOURS_NAME = "slakit Smoke 24x7"
SMOKE_HOURS_API = "slakit_Smoke_24x7"
SMOKE_TIME_ZONE = "GMT"
MAX_SCALED_MINUTES = 60
SMOKE_HOURS = BusinessHours(
    name=SMOKE_HOURS_NAME,
    api_name=SMOKE_HOURS_API,
    time_zone=SMOKE_TIME_ZONE,
    week=tuple(Window(0, 1440) for _ in range(7)),
    holidays=(),
    existing=False,
)


@dataclass(frozen=True)
class ScaledMilestone:
    """How one real milestone maps into the smoke variant."""

    tier: str  # real tier name
    real: str  # real milestone name
    smoke: str  # smoke milestone type name
    real_minutes: int
    minutes: int
    exact: bool  # every warning is a whole number of minutes before the target
    warning_offsets: tuple[int, ...]  # minutes before the target, per warning


@dataclass(frozen=True)
class SmokeVariant:
    """The smoke project plus the mapping back to the real tiers."""

    project: Project  # the smoke project (only the smoke tiers and the 24/7 hours)
    real: Project
    tier_names: dict[str, str]  # real tier name -> smoke tier name
    milestones: tuple[ScaledMilestone, ...]
    notes: tuple[str, ...] = field(default=())

    def smoke_tier(self, real_name: str) -> Tier:
        return self.project.tier(self.tier_names[real_name])

    def real_tier(self, smoke_name: str) -> Tier:
        for real, smoke in self.tier_names.items():
            if smoke == smoke_name:
                return self.real.tier(real)
        raise KeyError(smoke_name)

    def scaled(self, tier: str, milestone: str) -> ScaledMilestone:
        for s in self.milestones:
            if s.tier == tier and s.real == milestone:
                return s
        raise KeyError((tier, milestone))

    def process_names(self) -> list[str]:
        return list(self.tier_names.values())

    def milestone_type_names(self) -> list[str]:
        return sorted({s.smoke for s in self.milestones})


def smoke_name(name: str) -> str:
    return f"{name} {SUFFIX}"


def _offset(limit: int, percent: float) -> Fraction:
    return Fraction(limit) * (100 - Fraction(str(percent))) / 100


def exact_for(limit: int, warnings: tuple[float, ...]) -> bool:
    """True when every warning is a whole number of minutes (>= 1) before the target."""
    for p in warnings:
        before = _offset(limit, p)
        if before.denominator != 1 or (before < 1 and Fraction(str(p)) < 100):
            return False
    return True


def scaled_limit(warnings: tuple[float, ...], minutes: int, cap: int = MAX_SCALED_MINUTES) -> tuple[int, bool]:
    """(limit in minutes, exact): the smallest L >= minutes keeping the warnings whole minutes."""
    floor = max(1, int(minutes))
    for limit in range(floor, max(cap, floor) + 1):
        if exact_for(limit, warnings):
            return limit, True
    return floor, False


def smoke_variant(project: Project, opts: SmokeOptions | None = None) -> SmokeVariant:
    """Derive the smoke project from `project` for the tiers and minutes of `opts` (the checked
    SmokeOptions; None = its defaults: every tier, 4 minutes). See the module docstring for the rules."""
    opts = opts or SmokeOptions()
    minutes = opts.minutes
    chosen = select_tiers(project, list(opts.tier) or None)
    scaled: list[ScaledMilestone] = []
    notes: list[str] = []
    smoke_tiers: list[Tier] = []
    names: dict[str, str] = {}
    for tier in chosen:
        milestones: list[Milestone] = []
        for m in tier.milestones:
            limit, exact = scaled_limit(m.warnings, minutes)
            sm = replace(
                m,
                name=smoke_name(m.name),
                api_name=join(m.api_name, SUFFIX, max_len=80),
                time_limit_minutes=limit,
                time_limit_text=f"{limit}m",
                business_hours=None,  # the process's 24/7 hours govern
            )
            offsets = tuple(sm.warning_offset_minutes(p) for p in m.warnings)
            if not exact:
                notes.append(
                    f"{tier.name} / {m.name}: warnings {', '.join(f'{p:g}%' for p in m.warnings)} are not whole "
                    f"minutes of any limit up to {MAX_SCALED_MINUTES}m; smoke limit {limit}m, warnings rounded "
                    f"to {', '.join(f'{o}m' for o in offsets)} before the target"
                )
            scaled.append(ScaledMilestone(tier.name, m.name, sm.name, m.time_limit_minutes, limit, exact, offsets))
            milestones.append(sm)
        ent = replace(tier.entitlement, template=None, on_closed_won=None, name_pattern="{tier}")
        st = replace(
            tier,
            name=smoke_name(tier.name),
            api_name=join(tier.api_name, SUFFIX, max_len=80),
            description=f"slakit smoke variant of {tier.name} (sandbox tests only)",
            business_hours=SMOKE_HOURS_NAME,
            milestones=tuple(milestones),
            entitlement=ent,
        )
        names[tier.name] = st.name
        smoke_tiers.append(st)
    real_processes = {t.name.lower() for t in project.tiers}
    real_types = {m.name.lower() for t in project.tiers for m in t.milestones}
    for st in smoke_tiers:  # a real tier literally named "X Smoke" would be overwritten: refuse
        if st.name.lower() in real_processes:
            raise UsageError(f"tier '{st.name}' exists in {project.source}; the smoke variant would overwrite it",
                             hint="rename that tier")
        for m in st.milestones:
            if m.name.lower() in real_types:
                raise UsageError(f"milestone '{m.name}' exists in {project.source}; the smoke variant would reuse it",
                                 hint="rename that milestone")
    extra = {k: v for k, v in project.extra.items() if "version" not in k.lower()}
    extra["smoke"] = True
    smoke_project = replace(
        project,
        business_hours={SMOKE_HOURS_NAME: SMOKE_HOURS},
        tiers=tuple(smoke_tiers),
        existing_fields=frozenset(project.existing_fields | written_fields(chosen)),
        extra=extra,
    )
    return SmokeVariant(smoke_project, project, names, tuple(scaled), tuple(notes))
