"""Know where you stand: the audit checklist (live org or a metadata folder), the at-risk view of
milestones about to breach, and the compliance report.

    findings.py   Finding / AuditResult: pass-warn-fail with numbers and the fix
    metadata.py   metadata folder (mdapi or source format) or readMetadata XML -> plain Snapshot
    checks.py     checks over a Snapshot (no I/O): warnings, hours, completion, stamping, refs
    offline.py    `slakit audit --metadata DIR`
    mdapi.py      listMetadata / readMetadata over the org's SOAP endpoint (read only)
    live.py       `slakit audit --org`: SOQL checks plus the Snapshot checks on the org's metadata
    hours.py      BusinessHours records / tiers.yml hours -> clock calendars
    at_risk.py    open milestones violated or due within a window, business time remaining
    watch.py      the `at-risk --watch` refresh loop (injectable sleep, Ctrl-C ends it)
    report.py     compliance per tier, milestone and week, streamed
    html.py       the self-contained HTML report (plotly, inline plotly.js)
"""
