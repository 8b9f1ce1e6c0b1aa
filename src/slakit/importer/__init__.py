"""`slakit import`: write tiers.yml from an org or a retrieved metadata folder that already has
entitlement processes. The package is named `importer` because `import` is a keyword.

    result = import_org(conn)                  # or import_folder("retrieved/")
    write_tiers(result, "tiers.yml")           # validated with slakit's own loader, written atomically
    result.as_dict()                           # the tiers document + what was kept as comments

Parts: `read` (org or folder -> Facts), `flows` (slakit's own flows -> completes_when, tier
order), `actions` (workflow actions -> email/set/task), `build` (Facts -> commented document),
`write` (YAML text, validation, atomic write). Nothing here prints.
"""

from __future__ import annotations

from slakit.importer.write import ImportResult, import_folder, import_org, write_tiers

__all__ = ["ImportResult", "import_folder", "import_org", "write_tiers"]
