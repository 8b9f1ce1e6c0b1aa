"""API names: what Salesforce accepts as a DeveloperName/fullName (letters, digits, single
underscores, starts with a letter, no trailing underscore, length-capped). Labels keep the user's
text; only names that must be API names pass through here."""

from __future__ import annotations

import hashlib
import re
import unicodedata

FILE_UNSAFE = set('/\\')

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


def process_full_name(tier_name: str) -> str:
    """The EntitlementProcess fullName Salesforce uses: the name lowercased (its NameNorm)."""
    return tier_name.lower()
