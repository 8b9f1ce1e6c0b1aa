"""API names: what Salesforce accepts as a DeveloperName/fullName (letters, digits, single
underscores, starts with a letter, no trailing underscore, length-capped). Labels keep the user's
text; only names that must be API names pass through here."""

from __future__ import annotations

import hashlib
import re
import unicodedata

FILE_UNSAFE = set('/\\')
# What the Metadata API keeps as is in a fullName written as a file name (everything else is
# UTF-8 %XX): ASCII letters, digits, space, '-', '_' and '*'; a run of underscores ('__', which a
# fullName may not contain) is encoded too. Seen in retrieved files: "Account-Legal %26 Compliance
# Layout.layout-meta.xml" (forcedotcom/cli#3504); the rule as stated in issue 11.
_KEPT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -_*")
_TOKENS = re.compile(r"_{2,}|.", re.S)

# The business hours slakit renders (BusinessHours.settings) and puts on the process of a tier
# without business_hours: a process with none runs on the case's business hours (usually the org
# default), not around the clock. Every day 00:00-24:00, GMT, no holidays. Reserved in tiers.yml.
ALWAYS_OPEN_HOURS = "Slakit 24x7"
ALWAYS_OPEN_TIME_ZONE = "GMT"


def api_name(text: str, max_len: int = 40) -> str:
    """'R&D "Tier" <1>' -> 'R_D_Tier_1'; 'Überstunden' -> 'Uberstunden'; caps at `max_len`.

    Names cut to fit keep a short stable hash of the full text so two long names stay distinct.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")
    name = re.sub(r"_+", "_", name)
    if not name:
        name = "X" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
    if not name[0].isalpha():
        name = "X" + name
    if len(name) > max_len:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:4]
        name = name[: max_len - 5].rstrip("_") + "_" + digest
    return name


def join(*parts: str, max_len: int = 40) -> str:
    """Join already-sanitized parts with single underscores and cap the result."""
    return api_name("_".join(p for p in parts if p), max_len=max_len)


def encode_full_name(text: str) -> str:
    """A fullName as the Metadata API writes it in file names and package.xml:
    'Legal & Compliance' -> 'Legal %26 Compliance'; 'A__B' -> 'A%5F%5FB'; 'Tier (1)' -> 'Tier %281%29'."""
    out = []
    for tok in _TOKENS.findall(text):
        if len(tok) == 1 and tok in _KEPT:
            out.append(tok)
        else:
            out.append("".join(f"%{b:02X}" for b in tok.encode("utf-8")))
    return "".join(out)


def decode_full_name(name: str) -> str:
    """The inverse of `encode_full_name`: 'Legal %26 Compliance' -> 'Legal & Compliance'."""
    from urllib.parse import unquote

    return unquote(name)


def process_full_name(tier_name: str) -> str:
    """The EntitlementProcess fullName Salesforce uses: the name lowercased (its NameNorm)."""
    return tier_name.lower()
