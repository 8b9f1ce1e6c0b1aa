"""The audit's checks over org data (SOQL only, read only): open cases without an entitlement
(by Origin, aggregated in SOQL), accounts that match a tier but hold no active entitlement of
it, expired entitlements whose open cases still run milestones, and case allowance overruns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slakit.audit.findings import PASS, SKIP, WARN, Finding
from slakit.org.soql import count, query_list, soql
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from slakit.config.project import Project

SHOW = 10  # names listed in a finding's details


def check_cases_without_entitlement(sf: Salesforce) -> list[Finding]:
    rows = query_list(sf, f"SELECT Origin, COUNT(Id) FROM {CASE.sobject} WHERE {CASE.closed_field} = false AND "
                          f"{CASE.entitlement_field} = null GROUP BY Origin",
                      action="counting open cases without an entitlement")
    by_origin = {(r.get("Origin") or "(none)"): int(r.get("expr0") or 0) for r in rows}
    total = sum(by_origin.values())
    ordered = dict(sorted(by_origin.items(), key=lambda kv: (-kv[1], kv[0])))
    if not total:
        return [Finding("cases.entitlement", PASS, "every open case has an entitlement", numbers={"open_without": 0})]
    parts = ", ".join(f"{k} {v}" for k, v in ordered.items())
    return [Finding("cases.entitlement", WARN, f"{total} open cases have no entitlement, so no milestones: {parts}",
                    numbers={"open_without": total, "by_origin": ordered},
                    fix="let the stamping flow cover these origins (Email-to-Case and Web-to-Case create cases "
                        "without a contact's entitlement), then backfill: slakit backfill")]


def check_accounts_without_entitlement(sf: Salesforce, project: Project | None) -> list[Finding]:
    if project is None:
        return [Finding("accounts.entitlement", SKIP, "pass tiers.yml to check accounts against the tiers")]
    out = []
    for tier in project.tiers:
        where = tier.entitlement.accounts
        if not where:
            continue
        query = soql("SELECT COUNT() FROM Account WHERE ({:literal}) AND Id NOT IN (SELECT AccountId FROM "
                     "Entitlement WHERE Status = 'Active' AND SlaProcess.Name = {})", where, tier.name)
        missing = count(sf, query, action=f"counting {tier.name} accounts without an entitlement")
        if missing:
            out.append(Finding("accounts.entitlement", WARN, f"{missing} accounts match the tier but hold no active "
                               f"{tier.name} entitlement", subject=tier.name, numbers={"accounts": missing},
                               fix="slakit backfill tiers.yml --org NAME (dry run first)"))
        else:
            out.append(Finding("accounts.entitlement", PASS, "every matching account holds an active entitlement",
                               subject=tier.name, numbers={"accounts": 0}))
    return out


def check_expired_with_open_milestones(sf: Salesforce) -> list[Finding]:
    where = (f"{CASE.closed_field} = false AND Entitlement.Status = 'Expired' AND Id IN (SELECT {CASE.parent_field} "
             f"FROM {CASE.milestone_object} WHERE IsCompleted = false)")
    n = count(sf, f"SELECT COUNT() FROM {CASE.sobject} WHERE {where}", action="counting cases on expired entitlements")
    if not n:
        return [Finding("entitlements.expired", PASS, "no open case runs milestones on an expired entitlement",
                        numbers={"cases": 0})]
    rows = query_list(sf, f"SELECT CaseNumber, Entitlement.Name, Account.Name FROM {CASE.sobject} WHERE {where} "
                          f"ORDER BY CaseNumber ASC LIMIT {SHOW}", action="listing cases on expired entitlements")
    details = [f"{r['CaseNumber']} ({(r.get('Account') or {}).get('Name') or '-'}: "
               f"{(r.get('Entitlement') or {}).get('Name')})" for r in rows]
    return [Finding("entitlements.expired", WARN, f"{n} open cases still run milestones on expired entitlements",
                    numbers={"cases": n}, details=details,
                    fix="renew the entitlements (EndDate) or move the cases to a current one")]


def check_allowance_overruns(sf: Salesforce) -> list[Finding]:
    rows = query_list(sf, "SELECT Id, Name, Account.Name, CasesPerEntitlement, RemainingCases FROM Entitlement "
                          "WHERE IsPerIncident = true AND RemainingCases < 0 ORDER BY RemainingCases ASC",
                      action="reading case allowances")
    if not rows:
        return [Finding("entitlements.allowance", PASS, "no per-incident entitlement is over its case allowance",
                        numbers={"entitlements": 0})]
    over = sum(-int(r.get("RemainingCases") or 0) for r in rows)
    details = [f"{r['Name']} ({(r.get('Account') or {}).get('Name') or '-'}): {r.get('CasesPerEntitlement')} "
               f"allowed, {-int(r.get('RemainingCases') or 0)} over" for r in rows[:SHOW]]
    return [Finding("entitlements.allowance", WARN, f"{len(rows)} entitlements are over their case allowance "
                    f"({over} cases beyond it)", numbers={"entitlements": len(rows), "cases_over": over},
                    details=details, fix="renew or upsize those entitlements (CasesPerEntitlement)")]


def data_checks(sf: Salesforce, project: Project | None = None) -> list[Finding]:
    return (check_cases_without_entitlement(sf) + check_accounts_without_entitlement(sf, project)
            + check_expired_with_open_milestones(sf) + check_allowance_overruns(sf))
