"""Schema validation of rendered metadata: every XML file slakit writes is checked against the
Metadata API schema (slakit/schema/metadata_slakit.xsd, reduced from the API 66.0 WSDL; see
SOURCE.md there). The schema is compiled once per process (lxml). Problems become `RenderError`s
whose problems read `file:line: message`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from slakit.errors import Problem, RenderError
from slakit.salesforce import MD_NS

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "metadata_slakit.xsd"


@lru_cache(maxsize=1)
def _schema():
    from lxml import etree

    parser = etree.XMLParser(huge_tree=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), parser))


@lru_cache(maxsize=1)
def schema_types() -> frozenset[str]:
    """Root element names the schema declares (the metadata types slakit can validate)."""
    from lxml import etree

    root = etree.parse(str(SCHEMA_FILE)).getroot()
    return frozenset(e.get("name") for e in root.findall("{http://www.w3.org/2001/XMLSchema}element"))


def check_bytes(data: bytes, name: str, expect: str | None = None) -> list[Problem]:
    """Problems with one rendered file (empty when valid). `name` is how the file is reported;
    `expect` is the metadata type the root element must be (None: any type the schema knows)."""
    from lxml import etree

    try:
        doc = etree.fromstring(data, etree.XMLParser(huge_tree=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        return [Problem(f"not well-formed XML: {exc.msg}", file=name, line=exc.lineno or None)]
    qn = etree.QName(doc)
    if qn.namespace != MD_NS:
        return [Problem(f"root element is {{{qn.namespace}}}{qn.localname}, expected the namespace {MD_NS}",
                        file=name, line=doc.sourceline)]
    if expect and qn.localname != expect:
        return [Problem(f"root element is {qn.localname}, expected {expect}", file=name, line=doc.sourceline)]
    if qn.localname not in schema_types():
        return [Problem(f"{qn.localname} is not in slakit's schema",
                        file=name, hint="add it to ROOTS in tools/reduce_xsd.py and regenerate")]
    schema = _schema()
    if schema.validate(doc):
        return []
    return [Problem(e.message, file=name, line=e.line or None) for e in schema.error_log]


def validate_bytes(data: bytes, name: str, expect: str | None = None) -> None:
    """Raise RenderError listing every schema problem of one file."""
    problems = check_bytes(data, name, expect)
    if problems:
        first = problems[0]
        raise RenderError(first.message, file=first.file, line=first.line, problems=problems)
