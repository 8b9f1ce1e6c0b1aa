"""Per-case verdicts: one case's reconstructed history (`CaseFacts`) replayed against one proposed
milestone. Pure: no I/O, only the clock.

What a verdict decides, and the conventions where Salesforce documents nothing:
- Start: the case's CreatedDate, or, for a milestone with `applies_when`, the first instant its
  criteria hold (criteria start time, as slakit renders such milestones). Criteria that never hold
  before the case leaves the process: the milestone does not apply (no verdict).
- Exit: the entitlement process exits at the case's *first* close (exit criteria `Case.IsClosed`
  equals true). A reopened case does not re-enter it: milestones are not restarted.
- Completion: the first instant at or after the start where the completion holds: an outbound
  sent email or a public internal comment (`first_response`, event-based), the owner being a user
  (`owner_assigned`), the case closed (`case_closed`) or the field criteria holding (`fields`),
  all state-based as the rendered completion flows are. Completions after the exit do not count.
- Outcome: met (completed at or before the target), missed (completed after it, or the target
  passed while the milestone was open and the case still in the process), open (the target is
  after the end of the period and the case is still open), exited (the case closed before the
  target without completing it: Salesforce stops tracking, nothing is judged), unknown (the events
  it needs are not visible in the org, e.g. field history not tracked).
- Paused spans (`IsStopped`) use no budget and are not counted in the business minutes.
- Actions: a warning fires when the milestone is not complete at its warning instant, a violation
  at the target; both only while the case is in the process and before the end of the period.
- Recurring milestones (`sequential`, `independent`) with `applies_when` start again each time
  their criteria become true again after the previous occurrence completed; each occurrence's
  target counts from its own start (the chained target rule of `sequential` is not modelled).
  Without criteria a milestone occurs once ("until the entitlement process exits", Metadata API
  MilestoneType `none`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Sequence

from slakit import clock
from slakit.config.project import Criterion, Milestone
from slakit.salesforce import CASE

Timeline = list[tuple[dt.datetime, object]]  # (from instant, value), sorted, first at the case's creation
USER_PREFIX = "005"


@dataclass
class CaseFacts:
    """What the org's records say about one case, in time order."""

    case_id: str
    number: str
    created: dt.datetime
    timelines: dict[str, Timeline]  # Case field API name -> value changes (always: OwnerId, IsClosed)
    responses: list[dt.datetime] = field(default_factory=list)  # outbound sent emails, public internal comments
    stops: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)  # paused spans
    unseen: frozenset[str] = frozenset()  # fields whose changes are not visible ("OwnerId", "Foo__c")
    business_hours_id: str | None = None

    @property
    def first_close(self) -> dt.datetime | None:
        return first_holding(self, [("IsClosed", lambda v: v is True)], self.created)


@dataclass(frozen=True)
class Verdict:
    milestone: str
    outcome: str  # met | missed | open | exited | unknown
    start: dt.datetime
    target: dt.datetime | None
    completed: dt.datetime | None
    minutes: int | None  # business minutes start -> completion (paused time excluded)
    warnings_fired: int = 0
    violation_fired: bool = False
    reason: str | None = None  # why unknown


# -- field criteria ---------------------------------------------------------------------------

def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def holds(c: Criterion, value: object) -> bool:
    """Salesforce filter semantics for one criterion on one value (text compares ignore case)."""
    left, right = _text(value).strip().lower(), c.value.strip().lower()
    if right == "null":
        right = ""
    op = c.operator
    if op in ("equals", "notEqual"):
        a, b = _number(left), _number(right)
        same = (a == b) if a is not None and b is not None else left == right
        return same if op == "equals" else not same
    if op in ("lessThan", "greaterThan", "lessOrEqual", "greaterOrEqual"):
        if not left:
            return False
        a, b = _number(left), _number(right)
        pair: tuple = (a, b) if a is not None and b is not None else (left, right)
        return {"lessThan": pair[0] < pair[1], "greaterThan": pair[0] > pair[1],
                "lessOrEqual": pair[0] <= pair[1], "greaterOrEqual": pair[0] >= pair[1]}[op]
    if op == "contains":
        return right in left
    if op == "notContain":
        return right not in left
    if op == "startsWith":
        return left.startswith(right)
    if op in ("includes", "excludes"):
        chosen = {v.strip() for v in left.split(";")}
        wanted = {v.strip() for v in right.split(",")}
        return bool(chosen & wanted) if op == "includes" else not chosen & wanted
    raise ValueError(f"operator '{op}' cannot be replayed")


def value_at(timeline: Timeline, when: dt.datetime) -> object:
    value = timeline[0][1] if timeline else None
    for t, v in timeline:
        if t > when:
            break
        value = v
    return value


def first_holding(facts: CaseFacts, tests: Sequence[tuple[str, object]], after: dt.datetime) -> dt.datetime | None:
    """First instant >= `after` where every (field, predicate) holds on the case's timelines."""
    names = [name for name, _ in tests]
    points = sorted({after} | {t for n in names for t, _ in facts.timelines.get(n, ()) if t > after})
    for t in points:
        if all(pred(value_at(facts.timelines.get(n, []), t)) for n, pred in tests):  # type: ignore[operator]
            return t
    return None


def criteria_tests(criteria: Sequence[Criterion]) -> list[tuple[str, object]]:
    return [(CASE.bare(c.field), (lambda v, c=c: holds(c, v))) for c in criteria]


def is_user(value: object) -> bool:
    return isinstance(value, str) and value.startswith(USER_PREFIX)


# -- replay -----------------------------------------------------------------------------------

def paused_minutes(cal: clock.Calendar | None, stops: Sequence[tuple[dt.datetime, dt.datetime]],
                   start: dt.datetime, end: dt.datetime) -> int:
    """Business minutes of [start, end) that fall inside paused spans."""
    total = 0
    for s, r in stops:
        a, b = max(s, start), min(r, end)
        if b > a:
            total += clock.diff(cal, a, b)
    return total


def _needs(ms: Milestone) -> tuple[set[str], str | None]:
    """Case fields a milestone's replay reads, and why it cannot be replayed at all (or None)."""
    if ms.criteria_formula:
        return set(), "applies_when formula cannot be replayed"
    names = {CASE.bare(c.field) for c in ms.criteria}
    cw = ms.completes_when
    if cw is not None and cw.kind == "owner_assigned":
        names.add("OwnerId")
    if cw is not None and cw.kind == "fields":
        names |= {CASE.bare(c.field) for c in cw.criteria}
    for c in list(ms.criteria) + list(cw.criteria if cw is not None else ()):
        if "." in CASE.bare(c.field):
            return names, f"criteria on {c.field} (a related record) cannot be replayed"
        if c.operator == "within":
            return names, "operator 'within' cannot be replayed"
    return names, None


def completion(facts: CaseFacts, ms: Milestone, start: dt.datetime) -> dt.datetime | None:
    cw = ms.completes_when
    if cw is None:
        return None
    if cw.kind == "first_response":
        return next((t for t in facts.responses if t >= start), None)
    if cw.kind == "owner_assigned":
        return first_holding(facts, [("OwnerId", is_user)], start)
    if cw.kind == "case_closed":
        return first_holding(facts, [("IsClosed", lambda v: v is True)], start)
    return first_holding(facts, criteria_tests(cw.criteria), start)


def replay(facts: CaseFacts, ms: Milestone, cal: clock.Calendar | None, until: dt.datetime,
           settings: clock.Settings = clock.DEFAULT) -> Verdict | None:
    """The verdict of one proposed milestone's first occurrence on one case (None: it does not apply)."""
    found = replay_all(facts, ms, cal, until, settings, limit=1)
    return found[0] if found else None


def replay_all(facts: CaseFacts, ms: Milestone, cal: clock.Calendar | None, until: dt.datetime,
               settings: clock.Settings = clock.DEFAULT, limit: int = 100) -> list[Verdict]:
    """Every occurrence of a milestone on a case. A recurring milestone (`independent`,
    `sequential`) with `applies_when` starts again each time its criteria become true again after
    the previous occurrence completed (they must stop holding in between); each occurrence's
    target counts from its own start. Without criteria, or with recurrence `none`, there is one."""
    needed, impossible = _needs(ms)
    blind = sorted(needed & facts.unseen)
    if impossible or blind:
        reason = impossible or ("no history of " + ", ".join(blind) + " (field history not tracked?)")
        return [Verdict(ms.name, "unknown", facts.created, None, None, None, reason=reason)]
    exit_at = facts.first_close
    if not ms.criteria:
        return [_judge(facts, ms, cal, until, settings, facts.created, exit_at)]
    tests = criteria_tests(ms.criteria)
    out: list[Verdict] = []
    after = facts.created
    while len(out) < limit:
        start = first_holding(facts, tests, after)
        if start is None or start >= until or (exit_at is not None and start >= exit_at):
            break
        v = _judge(facts, ms, cal, until, settings, start, exit_at)
        out.append(v)
        if ms.recurrence == "none" or v.completed is None:
            break
        gap = _first_not_all(facts, tests, v.completed)  # the criteria must stop holding first
        if gap is None:
            break
        after = gap
    return out


def _first_not_all(facts: CaseFacts, tests: list, after: dt.datetime) -> dt.datetime | None:
    """First instant >= `after` where not every criterion holds."""
    names = [name for name, _ in tests]
    points = sorted({after} | {t for n in names for t, _ in facts.timelines.get(n, ()) if t > after})
    for t in points:
        if not all(pred(value_at(facts.timelines.get(n, []), t)) for n, pred in tests):
            return t
    return None


def _judge(facts: CaseFacts, ms: Milestone, cal: clock.Calendar | None, until: dt.datetime,
           settings: clock.Settings, start: dt.datetime, exit_at: dt.datetime | None) -> Verdict:
    stops = [(s, r) for s, r in facts.stops if r > start]
    target = clock.target(cal, start, ms.time_limit_minutes, stops=stops, settings=settings)
    horizon = min(until, exit_at) if exit_at is not None else until
    done = completion(facts, ms, start)
    if done is not None and done > horizon:
        done = None
    minutes = None
    if done is not None:
        outcome = "met" if done <= target else "missed"
        minutes = max(0, clock.diff(cal, start, done) - paused_minutes(cal, stops, start, done))
    elif target < horizon:
        outcome = "missed"
    elif exit_at is not None and exit_at <= until:
        outcome = "exited"
    else:
        outcome = "open"
    warned = 0
    for percent in ms.warnings:
        offset = ms.warning_offset_minutes(percent)
        if settings.warning_time is clock.WarningTime.WALL:
            at = target - dt.timedelta(minutes=offset)
        else:
            at = clock.target(cal, start, max(0, ms.time_limit_minutes - offset), stops=stops, settings=settings)
        if at < horizon and (done is None or done > at):
            warned += 1
    violated = target < horizon and (done is None or done > target)
    return Verdict(ms.name, outcome, start, target, done, minutes, warned, violated)
