#!/usr/bin/env python3
"""Build slakit's reduced Metadata API schema: the closure of just the types slakit renders.

Source: Salesforce's Metadata API WSDL, API 66.0, public repository forcedotcom/wsdl,
`resources/metadata.wsdl` at commit bace92d35acfc34027bb8b74d3948dc82cf40d20
(https://raw.githubusercontent.com/forcedotcom/wsdl/bace92d35acfc34027bb8b74d3948dc82cf40d20/resources/metadata.wsdl).

The full schema (2 MB, ~1 s to compile with lxml) is cut down to the complexTypes and simpleTypes
reachable from ROOTS (every type slakit writes, plus Flow and FlexiPage for the flows builder), and
a global element is declared for each root so a file whose root element is the type name
(`<EntitlementProcess xmlns=...>`) validates directly.

Usage (run by hand when ROOTS change; the output is committed):
    python tools/reduce_xsd.py path/to/metadata.wsdl-or-metadata.xsd src/slakit/schema/metadata_slakit.xsd
"""

from __future__ import annotations

import sys

from lxml import etree

XSD = "http://www.w3.org/2001/XMLSchema"
TNS = "http://soap.sforce.com/2006/04/metadata"
WSDL = "http://schemas.xmlsoap.org/wsdl/"

ROOTS = [
    "ApexClass",
    "BusinessHoursSettings",
    "CustomField",
    "CustomObject",
    "EmailFolder",
    "EmailTemplate",
    "EntitlementProcess",
    "EntitlementSettings",
    "EntitlementTemplate",
    "FlexiPage",
    "Flow",
    "MilestoneType",
    "Package",
    "Workflow",
]

SOURCE = ("forcedotcom/wsdl resources/metadata.wsdl, API 66.0, "
          "commit bace92d35acfc34027bb8b74d3948dc82cf40d20")


def load_schema(path: str) -> etree._Element:
    tree = etree.parse(path, etree.XMLParser(huge_tree=True, remove_blank_text=True))
    root = tree.getroot()
    if root.tag == "{%s}schema" % XSD:
        return root
    schema = root.find("{%s}types/{%s}schema" % (WSDL, XSD))
    if schema is None:
        raise SystemExit(f"{path}: neither an XSD nor a WSDL with a <types><schema>")
    return schema


def reduce(schema: etree._Element, roots: list[str]) -> etree._Element:
    defs: dict[str, etree._Element] = {}
    for el in schema:
        if el.tag in ("{%s}complexType" % XSD, "{%s}simpleType" % XSD):
            defs[el.get("name")] = el
    wanted: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in wanted or name not in defs:
            continue
        wanted.add(name)
        for node in defs[name].iter():
            for attr in ("type", "base", "itemType"):
                value = node.get(attr)
                if value and value.startswith("tns:"):
                    todo.append(value[4:])
    missing = [r for r in roots if r not in defs]
    if missing:
        raise SystemExit(f"types not in the schema: {missing}")
    out = etree.Element("{%s}schema" % XSD, nsmap={"xsd": XSD, "tns": TNS})
    for k, v in schema.attrib.items():
        out.set(k, v)
    out.append(etree.Comment(f" Reduced by slakit tools/reduce_xsd.py from {SOURCE}; "
                             f"{len(wanted)} types reachable from: {', '.join(roots)}. "
                             "Copyright of the schema text: salesforce.com, inc. "))
    for name in sorted(wanted):
        out.append(defs[name])
    for name in sorted(roots):
        el = etree.SubElement(out, "{%s}element" % XSD)
        el.set("name", name)
        el.set("type", "tns:" + name)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    out = reduce(load_schema(argv[1]), ROOTS)
    etree.indent(out, space=" ")
    etree.ElementTree(out).write(argv[2], xml_declaration=True, encoding="UTF-8", pretty_print=True)
    print(f"wrote {argv[2]}: {len(out) - len(ROOTS) - 1} types, {len(ROOTS)} global elements")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
