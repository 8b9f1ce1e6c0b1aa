"""The edits a deploy makes to a rendered package, each a named step over `RenderedPackage`
(files, package.xml members and the manifest's entries change together):

1. `strip_case_prefix`: milestone action references (`<actions>`/`<successActions>` names) lose a
   `Case.` prefix; Salesforce rejects it (folders rendered elsewhere carry it; slakit never does).
2. `publish_versions`: each process the plan versions or edits at a version the org holds is
   rewritten as that version (file, member, versionNumber/versionMaster: `deploy.versions`).
3. `merge_business_hours`: the org's business hours and holidays that tiers.yml does not name are
   merged into settings/BusinessHours.settings (`deploy.hours_merge`), so a deploy never drops them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from slakit.deploy import hours_merge as HM
from slakit.deploy import versions as V
from slakit.deploy.plan import Plan
from slakit.render.manifest import RenderedPackage
from slakit.salesforce import CASE

_CASE_ACTION = re.compile(rb"(<(?:actions|successActions)>\s*<name>)" + re.escape(CASE.prefix.encode()))


def strip_case_prefix(pkg: RenderedPackage) -> list[str]:
    """Strip a `Case.` prefix from milestone action references, time-trigger `actions` and
    `successActions` alike. Returns the files changed."""
    changed = []
    for rel in list(pkg.files):
        if rel.startswith("entitlementProcesses/"):
            new = _CASE_ACTION.sub(rb"\1", pkg.files[rel])
            if new != pkg.files[rel]:
                pkg.files[rel] = new
                changed.append(rel)
    return changed


def publish_versions(plan: Plan, pkg: RenderedPackage) -> None:
    """Rewrite process files in place so the deploy publishes what the plan says."""
    for c in plan.changes:
        if c.type != "EntitlementProcess" or c.action == "add" or not c.version_master:
            continue  # unchanged ones too: deployed under the member the org holds (gold_v1, gold_v3)
        assert c.path and c.member and c.version_to is not None  # every process change carries them
        if c.path == f"entitlementProcesses/{c.member}.entitlementProcess" and c.version_to == 1 \
                and c.member == V.split_member(c.member)[0]:
            continue  # bare version 1 edited in place: file as rendered
        data = pkg.files.pop(c.path)
        new_path = f"entitlementProcesses/{c.member}.entitlementProcess"
        pkg.files[new_path] = V.rewrite_version(data, name=c.name, number=c.version_to, master=c.version_master,
                                                notes="Published by slakit" if c.action == "version" else None)
        old_member = c.path.split("/", 1)[1].rsplit(".", 1)[0]
        ms = pkg.members["EntitlementProcess"]
        ms[ms.index(old_member)] = c.member
        pkg.entries = [replace(e, path=new_path, member=c.member) if e.path == c.path else e for e in pkg.entries]
        c.path = new_path


def merge_business_hours(pkg: RenderedPackage, org_settings: bytes | None) -> bool:
    """Merge the org's retrieved BusinessHours settings into ours; False when we deploy none."""
    if HM.PATH not in pkg.files:
        return False
    pkg.files[HM.PATH] = HM.merge_settings(org_settings, pkg.files[HM.PATH])
    return True
