"""package.xml: the manifest of a Metadata API format folder, listing exactly the members of the
files written, grouped by type, types and members sorted (deterministic), `<version>` = the
project's api_version. Member names are XML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from slakit.salesforce import MD_NS

MARKER = "Rendered by slakit"
HEADER = f"<!-- {MARKER}: this folder is replaced on every render; edit tiers.yml, not these files. -->"


def members_by_type(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for type_, member in pairs:
        out.setdefault(type_, set()).add(member)
    return {t: sorted(out[t]) for t in sorted(out)}


def package_xml(pairs: Iterable[tuple[str, str]], api_version: str) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', HEADER,
             f'<Package xmlns="{MD_NS}">']
    for type_, members in members_by_type(pairs).items():
        lines.append("    <types>")
        lines.extend(f"        <members>{escape(m)}</members>" for m in members)
        lines.append(f"        <name>{escape(type_)}</name>")
        lines.append("    </types>")
    lines.append(f"    <version>{escape(api_version)}</version>")
    lines.append("</Package>")
    return "\n".join(lines) + "\n"
