"""Read-only Metadata API calls the live audit needs: `listMetadata` and `readMetadata`, posted
to the org's SOAP endpoint ({instance}/services/Soap/m/{version}) with the session simple-
salesforce already holds. The `<records>` elements come back in the same shape as retrieved
files, so `slakit.audit.metadata` parses both. The session id goes only into the SOAP header;
errors name the fault code and message, never the request.
"""

from __future__ import annotations

from xml.sax.saxutils import escape
from typing import TYPE_CHECKING

from lxml import etree

from slakit.errors import OrgError
from slakit.salesforce import MD_NS

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
READ_CHUNK = 10  # readMetadata reads at most 10 components per call


def _envelope(sf: Salesforce, body: str) -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="{ENV_NS}" '
            f'xmlns:md="{MD_NS}"><soapenv:Header><md:SessionHeader><md:sessionId>{escape(sf.session_id)}'
            f"</md:sessionId></md:SessionHeader></soapenv:Header><soapenv:Body>{body}</soapenv:Body>"
            "</soapenv:Envelope>")


def _call(sf: Salesforce, body: str, action: str):
    import requests

    url = f"https://{sf.sf_instance}/services/Soap/m/{sf.sf_version}"
    try:
        resp = sf.session.post(url, data=_envelope(sf, body).encode("utf-8"),
                               headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
    except requests.RequestException as exc:
        raise OrgError(f"{action}: cannot reach the org: {type(exc).__name__}") from None
    try:
        root = etree.fromstring(resp.content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        raise OrgError(f"{action}: the Metadata API answered HTTP {resp.status_code} without XML") from None
    fault = root.find(f".//{{{ENV_NS}}}Fault")
    if fault is not None:
        code = (fault.findtext("faultcode") or "").split(":")[-1]
        message = fault.findtext("faultstring") or ""
        hint = "reconnect the org (cci org connect)" if code == "INVALID_SESSION_ID" else None
        raise OrgError(f"{action}: {code}: {message}", hint=hint)
    if resp.status_code >= 400:
        raise OrgError(f"{action}: the Metadata API answered HTTP {resp.status_code}")
    return root


def list_metadata(sf: Salesforce, md_type: str) -> list[str]:
    """fullNames of every component of `md_type` in the org."""
    body = (f"<md:listMetadata><md:queries><md:type>{escape(md_type)}</md:type></md:queries>"
            f"<md:asOfVersion>{escape(str(sf.sf_version))}</md:asOfVersion></md:listMetadata>")
    root = _call(sf, body, f"listing {md_type}")
    return sorted({r.findtext(f"{{{MD_NS}}}fullName") for r in root.iter(f"{{{MD_NS}}}result")} - {None})


def read_metadata(sf: Salesforce, md_type: str, full_names: list[str]) -> dict[str, etree._Element]:
    """`<records>` elements by fullName (components that do not exist are left out)."""
    out: dict[str, etree._Element] = {}
    names = list(full_names)
    for i in range(0, len(names), READ_CHUNK):
        chunk = names[i:i + READ_CHUNK]
        body = (f"<md:readMetadata><md:type>{escape(md_type)}</md:type>"
                + "".join(f"<md:fullNames>{escape(n)}</md:fullNames>" for n in chunk) + "</md:readMetadata>")
        root = _call(sf, body, f"reading {md_type}")
        for rec in root.iter(f"{{{MD_NS}}}records"):
            name = rec.findtext(f"{{{MD_NS}}}fullName")
            if name:  # a missing component comes back as an empty <records/>
                out[name] = rec
    return out
