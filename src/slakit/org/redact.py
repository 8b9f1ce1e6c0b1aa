"""Token redaction: the one place that knows what a Salesforce secret looks like.

Every error line and traceback the CLI prints (slakit.cli.main) and every exception text the org
connection wraps (slakit.org.connect) goes through `redact`, so an access token, refresh token or
password never reaches a terminal or a log.
"""

from __future__ import annotations

import json
import os
import re

# Salesforce access tokens / session ids are "<15- or 18-char org id>!<secret>"; refresh tokens
# start "5Aep86". Key/value forms cover JSON, form bodies, headers and SOAP envelopes.
_TOKEN_PATTERNS = [
    (re.compile(r"00D\w{12,15}![\w.\-]+"), "<token>"),
    (re.compile(r"\b5Aep86[\w.\-]{8,}"), "<token>"),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"), r"\1<hidden>"),
    (re.compile(r"(?i)(<(?:\w+:)?sessionId>)[^<]*"), r"\1<hidden>"),
    (re.compile(r"(?i)(['\"]?(?:access_token|refresh_token|session_?id|assertion|client_secret|password)['\"]?"
                r"\s*[:=]\s*['\"]?)[^'\"&,\s}]+"), r"\1<hidden>"),
]
_SECRET_KEYS = ("access_token", "refresh_token", "client_secret", "password")


def _env_secrets() -> list[str]:
    """Secrets the environment hands slakit (CUMULUSCI_ORG_* JSON, keys), to blank out verbatim."""
    found = [os.environ.get(k, "") for k in ("CUMULUSCI_KEY", "SFDX_CLIENT_SECRET")]
    for key, value in os.environ.items():
        if key.startswith("CUMULUSCI_ORG_"):
            try:
                doc = json.loads(value)
            except ValueError:
                continue
            if isinstance(doc, dict):
                found += [str(doc.get(k) or "") for k in _SECRET_KEYS]
    return [s for s in found if len(s) >= 8]


def redact(text: str) -> str:
    """`text` with anything token-like (and every secret from the environment) replaced."""
    for secret in _env_secrets():
        text = text.replace(secret, "<hidden>")
    for pattern, repl in _TOKEN_PATTERNS:
        text = pattern.sub(repl, text)
    return text


def one_line(exc: BaseException, limit: int = 300) -> str:
    """One line of an exception's text, redacted, at most `limit` characters."""
    return redact(" ".join(str(exc).split()))[:limit]
