"""`--cases`: stamp open cases that have no entitlement with their account's entitlement.

For each tier: stream open cases (`IsClosed = false AND EntitlementId = null`) whose account is
one of the tier's accounts; for each batch, look up the accounts' active entitlements on the
tier's process (newest StartDate first), and set `Case.EntitlementId` through sObject
Collections (PATCH). Every stamped case is journaled with the entitlement it got, so undo can
clear exactly those stamps. Cases whose account has no active entitlement (its creation failed,
or it starts later) are left alone.

The same update sets `Case.SlaStartDate`, where the processes start (`entryStartDateField`):
the time of the update with `--sla-start now` (the default: the clock starts at the stamp, so an
old case is not violated the moment it enters the process), or the case's CreatedDate with
`--sla-start created` (as if it had been stamped when it was opened).
"""

from __future__ import annotations

from slakit.backfill.plan import batched, entitlements_for_accounts_soql, open_cases_soql
from slakit.backfill.retry import Stop
from slakit.backfill.storm import sf_instant
from slakit.backfill.stream import query_all, records
from slakit.salesforce import CASE


def stamp_cases(ctx, targets) -> None:
    total = sum(ctx.results[t.name].cases_planned or 0 for t in targets)
    ctx.done = 0
    for target in targets:
        res = ctx.results[target.name]
        if not res.cases_planned:
            continue
        fields = "Id, AccountId, CreatedDate" if ctx.sla_start == "created" else "Id, AccountId"
        for cases in batched(records(ctx.sf, open_cases_soql(target, fields), ctx.policy), ctx.batch_size):
            accounts = sorted({c["AccountId"] for c in cases if c.get("AccountId")})
            rows = query_all(ctx.sf, entitlements_for_accounts_soql(target, accounts), ctx.policy)
            entitlement: dict[str, str] = {}
            for row in rows:  # ordered newest start first per account
                entitlement.setdefault(row["AccountId"][:15], row["Id"])
            stamp_at = sf_instant(ctx.now())
            updates = [{"Id": c["Id"], CASE.entitlement_field: entitlement[c["AccountId"][:15]],
                        CASE.start_field: c["CreatedDate"] if ctx.sla_start == "created" else stamp_at}
                       for c in cases if c.get("AccountId") and c["AccountId"][:15] in entitlement]
            if updates:
                try:
                    out = ctx.writer.update(CASE.sobject, updates)
                except Stop as stop:
                    _record(ctx, target.name, updates, stop.partial, cases)
                    raise
                _record(ctx, target.name, updates, out, cases)
            ctx.tick("cases", target.name, len(cases), total)
        left = res.cases_planned - res.cases_stamped - res.cases_failed
        if left > 0:
            ctx.report.warnings.append(f"{left} open case(s) of tier '{target.name}' were left alone: their account "
                                       "has no active entitlement (its creation failed, or it starts later)")


def _record(ctx, tier: str, updates: list[dict], out, cases: list[dict]) -> None:
    res = ctx.results[tier]
    account_of = {c["Id"]: c.get("AccountId") for c in cases}
    ok = [u for u, r in zip(updates, out) if r.ok]
    if ok:
        ctx.journal.write("stamped", sobject=CASE.sobject, tier=tier, ids=[u["Id"] for u in ok],
                          entitlements=[u[CASE.entitlement_field] for u in ok])
    res.cases_stamped += len(ok)
    for u, r in zip(updates, out):
        if not r.ok and r.code != "NOT_PROCESSED":
            res.cases_failed += 1
            ctx.fail(CASE.sobject, tier, {"Id": u["Id"], "AccountId": account_of.get(u["Id"]),
                                          "EntitlementId": u[CASE.entitlement_field]}, r.code, r.message or "")
