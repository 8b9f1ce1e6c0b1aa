"""Folding verdicts into per tier, milestone and week counts, beside what the org recorded.

Each group keeps two `slakit.audit.report.Stats` (the report's counters and minute histograms,
so medians and p90 are exact, nearest-rank, in memory bounded by distinct durations): `proposed`
(met / violated = missed / open, from the replay) and `recorded` (from the case's CaseMilestones,
judged like `slakit report`). Verdicts `exited` and `unknown` are counted beside them, not judged.
Actions that would have fired are counted by phase and kind: an email alert, a task, a field
update per action per firing. Weeks are ISO weeks (Monday, UTC) of the milestone's start, as in
the report. `as_report("proposed" | "recorded")` hands a plain `Report` to the report's charts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from slakit.audit.hours import HoursBook
from slakit.audit.report import Report, Stats, business_minutes, outcome, week_of
from slakit.audit.durations import parse_sf_datetime
from slakit.backtest.verdict import Verdict
from slakit.config.project import ACTION_KINDS, Milestone, kind_of

ACTION_KEYS = tuple(f"{when}_{tally}" for when in ("warning", "violation")
                    for tally in sorted({k.tally for k in ACTION_KINDS}))


@dataclass
class Group:
    proposed: Stats = field(default_factory=Stats)
    recorded: Stats = field(default_factory=Stats)
    exited: int = 0
    unknown: int = 0
    actions: Counter = field(default_factory=Counter)

    @property
    def cases(self) -> int:
        return self.proposed.count + self.exited + self.unknown

    def add(self, v: Verdict, ms: Milestone) -> None:
        if v.outcome == "exited":
            self.exited += 1
        elif v.outcome == "unknown":
            self.unknown += 1
        else:
            self.proposed.add({"missed": "violated"}.get(v.outcome, v.outcome), v.minutes)
        if v.warnings_fired:
            for a in ms.on_warning:
                self.actions[f"warning_{kind_of(a).tally}"] += v.warnings_fired
        if v.violation_fired:
            for a in ms.on_violation:
                self.actions[f"violation_{kind_of(a).tally}"] += 1

    def as_dict(self) -> dict:
        p = self.proposed.as_dict()
        r = self.recorded.as_dict()
        return {"cases": self.cases, "met": p["met"], "missed": p["violated"], "open": p["open"],
                "exited": self.exited, "unknown": self.unknown, "pct_met": p["pct_met"],
                "median_minutes": p["median_minutes"], "p90_minutes": p["p90_minutes"],
                "actions": {k: self.actions.get(k, 0) for k in ACTION_KEYS},
                "recorded": {"count": r["count"], "met": r["met"], "violated": r["violated"], "open": r["open"],
                             "pct_met": r["pct_met"], "median_minutes": r["median_minutes"],
                             "p90_minutes": r["p90_minutes"]}}


@dataclass
class Proposal:
    """The replay of one tiers file over the period."""

    source: str
    since: dt.datetime
    until: dt.datetime
    groups: dict[tuple[str, str], Group] = field(default_factory=dict)
    weekly: dict[tuple[str, str, dt.date], Group] = field(default_factory=dict)
    cases: Counter = field(default_factory=Counter)  # tier -> cases replayed
    unknown_reasons: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def _both(self, tier: str, name: str, week: dt.date) -> tuple[Group, Group]:
        return (self.groups.setdefault((tier, name), Group()),
                self.weekly.setdefault((tier, name, week), Group()))

    def add_verdict(self, tier: str, ms: Milestone, v: Verdict) -> None:
        for g in self._both(tier, ms.name, week_of(v.start)):
            g.add(v, ms)
        if v.reason:
            self.unknown_reasons[f"{tier} / {ms.name}: {v.reason}"] += 1

    def add_recorded(self, tier: str, rec: dict, book: HoursBook) -> None:
        start = parse_sf_datetime(rec.get("StartDate"))
        name = (rec.get("MilestoneType") or {}).get("Name") or "(unknown)"
        if start is None:
            return
        result, minutes = outcome(rec), business_minutes(rec, book)
        for g in self._both(tier, name, week_of(start)):
            g.recorded.add(result, minutes)

    def totals(self) -> Group:
        out = Group()
        for g in self.groups.values():
            for attr in ("count", "met", "violated", "open"):
                setattr(out.proposed, attr, getattr(out.proposed, attr) + getattr(g.proposed, attr))
                setattr(out.recorded, attr, getattr(out.recorded, attr) + getattr(g.recorded, attr))
            out.exited += g.exited
            out.unknown += g.unknown
            out.actions.update(g.actions)
        return out

    def as_report(self, side: str) -> Report:
        """The proposed or recorded side as a `slakit report` Report (for its charts)."""
        rep = Report(since=self.since, until=self.until)
        rep.groups = {k: getattr(g, side) for k, g in self.groups.items() if getattr(g, side).count}
        rep.weekly = {k: getattr(g, side) for k, g in self.weekly.items() if getattr(g, side).count}
        return rep

    def as_dict(self) -> dict:
        t = self.totals()
        return {
            "tiers_file": self.source, "cases": dict(self.cases),
            "totals": {"milestones": t.cases, "met": t.proposed.met, "missed": t.proposed.violated,
                       "open": t.proposed.open, "exited": t.exited, "unknown": t.unknown,
                       "pct_met": t.proposed.pct_met, "actions": {k: t.actions.get(k, 0) for k in ACTION_KEYS},
                       "recorded": {"count": t.recorded.count, "met": t.recorded.met,
                                    "violated": t.recorded.violated, "pct_met": t.recorded.pct_met}},
            "groups": [{"tier": k[0], "milestone": k[1], **g.as_dict()} for k, g in sorted(self.groups.items())],
            "weekly": [{"tier": k[0], "milestone": k[1], "week": k[2].isoformat(), **g.as_dict()}
                       for k, g in sorted(self.weekly.items())],
            "unknown": [{"what": k, "milestones": n} for k, n in sorted(self.unknown_reasons.items())],
            "notes": list(self.notes),
        }


@dataclass
class Backtest:
    since: dt.datetime
    until: dt.datetime
    tier_from: str
    proposals: list[Proposal]
    unseen: list[str] = field(default_factory=list)  # events the org's records cannot show
    api_calls: dict[str, int] = field(default_factory=dict)
    cases_read: int = 0
    modes: dict[str, str] = field(default_factory=dict)  # "<file> / <tier>" -> rest | bulk

    def as_dict(self) -> dict:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(), "tier_from": self.tier_from,
                "cases_read": self.cases_read, "unseen": list(self.unseen), "read_modes": dict(self.modes),
                "api_calls": dict(self.api_calls), "proposals": [p.as_dict() for p in self.proposals]}
