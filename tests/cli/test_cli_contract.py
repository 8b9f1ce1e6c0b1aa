"""The CLI contract, for every command, through the real entry point (`run_cli`) and, for the org
commands, the real CumulusCI keychain + simple-salesforce against the shared fake org over HTTP:

(a) a tiers.yml that does not exist: exit 1, one line naming the file, the org never contacted;
(b) an invalid tiers.yml: exit 1 and the very line `slakit validate` prints;
(c) a bad option value: exit 2, one line naming the option, before the org is contacted;
(d) an unknown org: exit 1, one line saying how to connect it;
(e) `--json`: exactly one JSON document on stdout, on success and on failure;
(f) no access token, refresh token or session id in stdout/stderr, --debug included;
and Ctrl-C: exit 130 with one line, never a traceback.

Expected lines come from the documented contract (README: "Errors are one line each, never a
traceback"; exit codes 0/1/2) and from tests/data/invalid/*.expected, not from running slakit.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.fakes import INSTANCE_URL, SESSION_ID

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
RENDERED = ROOT / "tests" / "fakes" / "rendered" / "acceptance"
OPENED = "2026-02-06T16:30-05:00"
REFRESH_TOKEN = "5Aep861.contract.refresh.secret"
ISSUED_TOKEN = SESSION_ID.replace("fake", "refreshed")  # what the fake's token endpoint hands out
SECRETS = (SESSION_ID, ISSUED_TOKEN, REFRESH_TOKEN, "fake.session.token", "refreshed.session.token")

# every command that reads a tiers.yml; {tiers} and {org} are filled in per test
OFFLINE = {
    "validate": ["validate", "{tiers}"],
    "render": ["render", "{tiers}", "--out", "out"],
    "simulate": ["simulate", "{tiers}", "--opened", OPENED],
    "audit --metadata": ["audit", "{tiers}", "--metadata", str(RENDERED)],
}
ORG = {
    "plan": ["plan", "{tiers}", "--org", "{org}"],
    "deploy": ["deploy", "{tiers}", "--org", "{org}"],
    "backfill": ["backfill", "{tiers}", "--org", "{org}", "--dry-run"],
    "smoke": ["smoke", "{tiers}", "--org", "{org}"],
    "audit": ["audit", "{tiers}", "--org", "{org}"],
    "at-risk": ["at-risk", "{tiers}", "--org", "{org}"],
    "report": ["report", "{tiers}", "--org", "{org}"],
}
TIERS_COMMANDS = {**OFFLINE, **ORG}
ORG_ONLY = {**ORG, "backfill --undo": ["backfill", "--undo", "run.jsonl", "--org", "{org}"]}


def args(template: list[str], tiers: str = "tiers.yml", org: str = "uat") -> list[str]:
    return [a.format(tiers=tiers, org=org) for a in template]


def one_line(result) -> str:
    """The single non-blank line on stderr (and no traceback)."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def no_secrets(result) -> None:
    text = result.stdout + result.stderr
    for secret in SECRETS:
        assert secret not in text


def one_document(result):
    """stdout is exactly one JSON document (json.loads refuses anything after it)."""
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


def failure_document(result) -> dict:
    doc = one_document(result)
    assert doc.get("ok") is False or doc.get("valid") is False, doc
    return doc


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder outside any CumulusCI project holding the acceptance tiers.yml, as the cwd."""
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copy(DATA / "acceptance.yml", folder / "tiers.yml")
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def uat(work, cci_home, fake_org, monkeypatch):
    """`--org uat` = the fake org (CUMULUSCI_ORG_uat with an access token, refresh disabled)."""
    monkeypatch.setenv("CUMULUSCI_ORG_uat", json.dumps({"instance_url": INSTANCE_URL, "access_token": SESSION_ID,
                                                         "org_id": fake_org.org_id,
                                                         "username": "ci@example.com.uat"}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    return fake_org


def journal(folder: Path, org_id: str) -> Path:
    """A journal's start line as `slakit backfill` writes it (slakit.backfill.journal)."""
    path = folder / "run.jsonl"
    path.write_text(json.dumps({"event": "start", "run": "20260302T150000Z-uat-0001", "api_version": "62.0",
                                "org": {"Id": org_id, "Name": "Fake Org", "IsSandbox": True},
                                "source": "tiers.yml"}) + "\n")
    return path


# -- (a) a tiers.yml that does not exist ----------------------------------------------------------
@pytest.mark.parametrize("name", sorted(TIERS_COMMANDS))
def test_missing_tiers_file_is_one_line_naming_it(name, uat, run_cli):
    result = run_cli(*args(TIERS_COMMANDS[name], tiers="nowhere/tiers.yml"))
    assert result.exit_code == 1
    assert "nowhere/tiers.yml" in one_line(result)
    assert result.stdout == ""
    assert uat.calls == []  # the file is read before the org is


@pytest.mark.parametrize("name", sorted(TIERS_COMMANDS))
def test_missing_tiers_file_with_json_is_one_failure_document(name, uat, run_cli):
    result = run_cli(*args(TIERS_COMMANDS[name], tiers="nowhere/tiers.yml"), "--json")
    assert result.exit_code == 1
    doc = failure_document(result)
    assert "nowhere/tiers.yml" in json.dumps(doc)
    assert "nowhere/tiers.yml" in one_line(result)


# -- (b) an invalid tiers.yml ----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(TIERS_COMMANDS))
def test_invalid_tiers_file_prints_the_line_validate_prints(name, uat, work, run_cli):
    shutil.copy(DATA / "invalid" / "bad_duration.yml", work / "tiers.yml")
    expected = (DATA / "invalid" / "bad_duration.expected").read_text().strip().format(file="tiers.yml")
    result = run_cli(*args(TIERS_COMMANDS[name]))
    assert result.exit_code == 1
    assert one_line(result) == expected
    assert uat.calls == []


# -- (c) bad option values -------------------------------------------------------------------------
BAD_OPTIONS = [
    ("--within", ["at-risk", "--org", "uat", "--within", "soon"]),
    ("--as-of", ["at-risk", "--org", "uat", "--as-of", "noonish"]),
    ("--watch", ["at-risk", "--org", "uat", "--watch", "5"]),  # at least 10 seconds
    ("--watch", ["at-risk", "--org", "uat", "--watch", "10", "--json"]),
    ("--since", ["report", "--org", "uat", "--since", "yesterdayish"]),
    ("--until", ["report", "--org", "uat", "--until", "nonsense"]),
    ("--opened", ["simulate", "tiers.yml", "--opened", "2026-02-06T16:30"]),  # no offset
    ("--opened", ["simulate", "tiers.yml"]),  # missing
    ("--boundary", ["simulate", "tiers.yml", "--opened", OPENED, "--boundary", "sideways"]),
    ("--bulk", ["backfill", "tiers.yml", "--org", "uat", "--bulk", "sometimes"]),
    ("--bulk", ["backfill", "--undo", "run.jsonl", "--org", "uat", "--bulk", "sometimes"]),
    ("--batch-size", ["backfill", "tiers.yml", "--org", "uat", "--batch-size", "500"]),
    ("--start", ["backfill", "tiers.yml", "--org", "uat", "--start", "2026-13-01"]),
    ("--tier", ["backfill", "tiers.yml", "--org", "uat", "--tier", "Bronze"]),
    ("--format", ["render", "tiers.yml", "--format", "pdf", "--out", "out"]),
    ("--minutes", ["smoke", "tiers.yml", "--org", "uat", "--minutes", "0"]),
    ("--minutes", ["smoke", "tiers.yml", "--org", "uat", "--minutes", "four"]),
    ("--actions-timeout", ["smoke", "tiers.yml", "--org", "uat", "--actions-timeout", "soon"]),
    ("--tier", ["smoke", "tiers.yml", "--org", "uat", "--tier", "Bronze"]),
    ("--test-level", ["deploy", "tiers.yml", "--org", "uat", "--test-level", "Sometimes"]),
    ("--org", ["deploy", "tiers.yml", "--org"]),
    ("tiers", ["plan", "--org", "uat"]),
    ("tiers", ["validate"]),
    ("--org", ["audit", "--org", "uat", "--metadata", "out"]),
    ("--nope", ["validate", "tiers.yml", "--nope"]),
]


@pytest.mark.parametrize("option, argv", BAD_OPTIONS, ids=[" ".join(a) for _, a in BAD_OPTIONS])
def test_bad_option_is_exit_2_with_one_line(option, argv, uat, work, run_cli):
    journal(work, uat.org_id)
    result = run_cli(*argv)
    assert result.exit_code == 2, result.stderr
    assert option in one_line(result)
    assert uat.calls == []  # refused before the org is contacted


@pytest.mark.parametrize("argv", [["at-risk", "--org", "uat", "--within", "soon", "--json"],
                                  ["smoke", "tiers.yml", "--org", "uat", "--minutes", "four", "--json"],
                                  ["backfill", "tiers.yml", "--org", "uat", "--bulk", "sometimes", "--json"]])
def test_bad_option_with_json_is_one_failure_document(argv, uat, run_cli):
    result = run_cli(*argv)
    assert result.exit_code == 2
    doc = failure_document(result)
    assert doc["exit_code"] == 2 and doc["error"] == one_line(result)


# -- (d) an unknown org ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ORG_ONLY))
def test_unknown_org_says_how_to_connect_it(name, work, cci_home, run_cli):
    journal(work, "00D5g0000000001EAA")
    result = run_cli(*args(ORG_ONLY[name], org="staging"))
    assert result.exit_code == 1
    line = one_line(result)
    assert "'staging'" in line and "cci org connect staging" in line and "CUMULUSCI_ORG_STAGING" in line
    assert result.stdout == ""

    as_json = run_cli(*args(ORG_ONLY[name], org="staging"), "--json")
    assert as_json.exit_code == 1
    assert failure_document(as_json)["error"] == line


# -- one connection path: a project-level org resolves for every org command ---------------------
@pytest.mark.parametrize("name", sorted(ORG))
def test_project_level_org_of_the_tiers_folder_resolves(name, tmp_path, cci_home, fake_org, monkeypatch, run_cli):
    """An org saved for the CumulusCI project that holds tiers.yml (`cci org connect` inside it) is
    found by every org command, run from another folder (slakit.org.connect.connect_project)."""
    project = tmp_path / "client"
    (project / ".git").mkdir(parents=True)
    (project / "cumulusci.yml").write_text("project:\n  name: acme_sla\n  package:\n    api_version: '62.0'\n")
    shutil.copy(DATA / "acceptance.yml", project / "tiers.yml")
    saved = cci_home / ".cumulusci" / "acme_sla"
    saved.mkdir(parents=True)
    (saved / "projorg.org").write_text(json.dumps({"instance_url": INSTANCE_URL, "access_token": SESSION_ID,
                                                   "org_id": fake_org.org_id}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    fake_org.fail_next(10_000, "INVALID_SESSION_ID")  # stop at the first REST call: we only check the org resolved
    result = run_cli(*args(ORG[name], tiers=str(project / "tiers.yml"), org="projorg"))
    assert result.exit_code == 1
    assert "no org named" not in result.stderr
    assert fake_org.calls, result.stderr  # it reached the org
    one_line(result)
    no_secrets(result)


# -- (f) no secrets, with --debug too ---------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ORG))
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_rejected_refresh_token_never_shows_a_secret(name, debug, work, cci_home, fake_org, monkeypatch, run_cli):
    monkeypatch.setenv("CUMULUSCI_ORG_uat", json.dumps({"instance_url": INSTANCE_URL, "refresh_token": REFRESH_TOKEN,
                                                         "access_token": SESSION_ID, "org_id": fake_org.org_id}))
    fake_org.reject_auth = "expired access/refresh token"
    result = run_cli(*(["--debug"] if debug else []), *args(ORG[name]))
    assert result.exit_code == 1
    assert fake_org.token_requests  # the refresh was attempted with the token...
    no_secrets(result)  # ...which never reaches the output
    if debug:
        assert "Traceback" in result.stderr
    else:
        assert "cannot authenticate to org 'uat'" in one_line(result)


@pytest.mark.parametrize("name", sorted(ORG))
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("kinds", [None, ("query",)], ids=["at-connect", "mid-run"])
def test_expired_session_never_shows_a_secret(name, debug, kinds, uat, run_cli, no_sleep):
    uat.fail_next(10_000, "INVALID_SESSION_ID", kinds=kinds)
    result = run_cli(*(["--debug"] if debug else []), *args(ORG[name]), "--json")
    assert result.exit_code == 1
    no_secrets(result)
    failure_document(result)
    if not debug:
        one_line(result)


def test_redaction_covers_the_token_shapes():
    from slakit.cli.common import redact

    text = (f"session {SESSION_ID}; refresh_token={REFRESH_TOKEN}; {{\"access_token\": \"abc.def.ghi\"}}; "
            "Authorization: Bearer xyz.secret.value; <met:sessionId>soap.secret</met:sessionId>")
    out = redact(text)
    for secret in (SESSION_ID, REFRESH_TOKEN, "abc.def.ghi", "xyz.secret.value", "soap.secret"):
        assert secret not in out
    assert out.startswith("session <token>; refresh_token=<hidden>")
