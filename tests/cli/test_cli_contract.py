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
OPENED = "2026-02-06T16:30-05:00"
REFRESH_TOKEN = "5Aep861.contract.refresh.secret"
ISSUED_TOKEN = SESSION_ID.replace("fake", "refreshed")  # what the fake's token endpoint hands out
SECRETS = (SESSION_ID, ISSUED_TOKEN, REFRESH_TOKEN, "fake.session.token", "refreshed.session.token")

# every command that reads a tiers.yml; {tiers}, {org} and {rendered} are filled in per test
OFFLINE = {
    "validate": ["validate", "{tiers}"],
    "render": ["render", "{tiers}", "--out", "out"],
    "simulate": ["simulate", "{tiers}", "--opened", OPENED],
    "audit --metadata": ["audit", "{tiers}", "--metadata", "{rendered}"],
}
ORG = {
    "plan": ["plan", "{tiers}", "--org", "{org}"],
    "deploy": ["deploy", "{tiers}", "--org", "{org}"],
    "backfill": ["backfill", "{tiers}", "--org", "{org}", "--dry-run"],
    "smoke": ["smoke", "{tiers}", "--org", "{org}"],
    "audit": ["audit", "{tiers}", "--org", "{org}"],
    "at-risk": ["at-risk", "{tiers}", "--org", "{org}"],
    "report": ["report", "{tiers}", "--org", "{org}"],
    "backtest": ["backtest", "{tiers}", "--org", "{org}"],
}
TIERS_COMMANDS = {**OFFLINE, **ORG}
ORG_ONLY = {**ORG, "backfill --undo": ["backfill", "--undo", "run.jsonl", "--org", "{org}"],
            "import": ["import", "--org", "{org}", "--out", "imported.yml"]}


def args(template: list[str], tiers: str = "tiers.yml", org: str = "uat", rendered: Path | str = "") -> list[str]:
    """The argv of `template`; {rendered} is a rendered folder (the `rendered_acceptance` fixture)."""
    return [a.format(tiers=tiers, org=org, rendered=rendered) for a in template]


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
def test_missing_tiers_file_is_one_line_naming_it(name, uat, run_cli, rendered_acceptance):
    result = run_cli(*args(TIERS_COMMANDS[name], tiers="nowhere/tiers.yml", rendered=rendered_acceptance))
    assert result.exit_code == 1
    assert "nowhere/tiers.yml" in one_line(result)
    assert result.stdout == ""
    assert uat.calls == []  # the file is read before the org is


@pytest.mark.parametrize("name", sorted(TIERS_COMMANDS))
def test_missing_tiers_file_with_json_is_one_failure_document(name, uat, run_cli, rendered_acceptance):
    result = run_cli(*args(TIERS_COMMANDS[name], tiers="nowhere/tiers.yml", rendered=rendered_acceptance), "--json")
    assert result.exit_code == 1
    doc = failure_document(result)
    assert "nowhere/tiers.yml" in json.dumps(doc)
    assert "nowhere/tiers.yml" in one_line(result)


# -- (b) an invalid tiers.yml ----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(TIERS_COMMANDS))
def test_invalid_tiers_file_prints_the_line_validate_prints(name, uat, work, run_cli, rendered_acceptance):
    shutil.copy(DATA / "invalid" / "bad_duration.yml", work / "tiers.yml")
    expected = (DATA / "invalid" / "bad_duration.expected").read_text().strip().format(file="tiers.yml")
    result = run_cli(*args(TIERS_COMMANDS[name], rendered=rendered_acceptance))
    assert result.exit_code == 1
    assert one_line(result) == expected
    assert uat.calls == []


HOSTILE = ["widen_filter", "alias_bomb", "nul_byte", "namespace_field", "merge_list", "huge_duration"]


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("name", sorted(TIERS_COMMANDS))
def test_hostile_tiers_file_is_refused_by_every_command_before_the_org(name, hostile, uat, work, run_cli):
    """tests/data/hostile (issue 15): the line validate prints, exit 1, the org never contacted; with
    --json the failure envelope carries the same line."""
    shutil.copy(DATA / "hostile" / f"{hostile}.yml", work / "tiers.yml")
    expected = (DATA / "hostile" / f"{hostile}.expected").read_text().strip().format(file="tiers.yml")
    result = run_cli(*args(TIERS_COMMANDS[name]), "--json")
    assert result.exit_code == 1
    assert one_line(result) == expected
    doc = failure_document(result)
    assert (doc["ok"], doc["exit_code"], doc["error"]) == (False, 1, expected)
    assert uat.calls == []


# -- (c) bad option values -------------------------------------------------------------------------
BAD_OPTIONS = [
    ("--within", ["at-risk", "--org", "uat", "--within", "soon"]),
    ("--as-of", ["at-risk", "--org", "uat", "--as-of", "noonish"]),
    ("--watch", ["at-risk", "--org", "uat", "--watch", "5"]),  # at least 10 seconds
    ("--watch", ["at-risk", "--org", "uat", "--watch", "10", "--json"]),
    ("--since", ["report", "--org", "uat", "--since", "yesterdayish"]),
    ("--until", ["report", "--org", "uat", "--until", "nonsense"]),
    ("--tier-from", ["backtest", "tiers.yml", "--org", "uat", "--tier-from", "owner"]),
    ("--since", ["backtest", "tiers.yml", "--org", "uat", "--since", "lastyear"]),
    ("--tier", ["backtest", "tiers.yml", "--org", "uat", "--tier", "Bronze"]),
    ("--until", ["backtest", "tiers.yml", "--org", "uat", "--since", "2026-03-01", "--until", "2026-02-01"]),
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
    ("--org", ["import", "--org", "uat", "--metadata", "out"]),
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
    assert not (work / "imported.yml").exists()  # import wrote nothing


@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["plain", "json"])
def test_import_from_an_org_that_refuses_the_connection_is_one_line_and_writes_nothing(extra, work, cci_home,
                                                                                       fake_org, rsps, monkeypatch,
                                                                                       run_cli):
    from tests.http.test_org_connect import REFUSED, _refuse

    for method in ("GET", "POST"):
        _refuse(rsps, method, "/services/")
    monkeypatch.setenv("CUMULUSCI_ORG_uat", json.dumps({"instance_url": REFUSED, "access_token": SESSION_ID,
                                                         "org_id": fake_org.org_id, "username": "ci@example.com"}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    result = run_cli(*args(ORG_ONLY["import"]), *extra)
    assert result.exit_code == 1
    line = one_line(result)
    assert "cannot reach" in line and "refused.my.salesforce.com" in line and "connection was refused" in line
    if extra:
        assert failure_document(result)["error"] == line
    else:
        assert result.stdout == ""
    assert not (work / "imported.yml").exists()
    no_secrets(result)


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


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_broken_org_json_never_shows_its_token(debug, work, cci_home, fake_org, monkeypatch, run_cli):
    monkeypatch.setenv("CUMULUSCI_ORG_uat", f'{{"instance_url": "{INSTANCE_URL}", "access_token": "{SESSION_ID}"')
    result = run_cli(*(["--debug"] if debug else []), "at-risk", "--org", "uat", "--json")
    assert result.exit_code == 1
    no_secrets(result)
    assert "CUMULUSCI_ORG_uat" in failure_document(result)["error"]


def test_redaction_covers_the_token_shapes():
    from slakit.org.redact import redact

    text = (f"session {SESSION_ID}; refresh_token={REFRESH_TOKEN}; {{\"access_token\": \"abc.def.ghi\"}}; "
            "Authorization: Bearer xyz.secret.value; <met:sessionId>soap.secret</met:sessionId>")
    out = redact(text)
    for secret in (SESSION_ID, REFRESH_TOKEN, "abc.def.ghi", "xyz.secret.value", "soap.secret"):
        assert secret not in out
    assert out.startswith("session <token>; refresh_token=<hidden>")


# -- (e) --json success: one document on stdout, progress and notes elsewhere ----------------------
OFFLINE_JSON = {
    "validate": (["validate", "tiers.yml", "--json"], 0),
    "render": (["render", "tiers.yml", "--out", "out", "--json"], 0),
    "simulate": (["simulate", "tiers.yml", "--opened", OPENED, "--json"], 0),
    "init": (["init", "client", "--json"], 0),
    "schema": (["schema", "--json"], 0),
    "schema (always JSON)": (["schema"], 0),
    "audit --metadata": (["audit", "--metadata", "{rendered}", "--json"], None),
    "import --metadata": (["import", "--metadata", "{rendered}", "--out", "imported.yml", "--json"], 0),
}


@pytest.mark.parametrize("name", sorted(OFFLINE_JSON))
def test_offline_json_is_one_document(name, work, run_cli, rendered_acceptance):
    argv, code = OFFLINE_JSON[name]
    result = run_cli(*args(argv, rendered=rendered_acceptance))
    assert result.exit_code == (code if code is not None else result.exit_code) and result.exit_code in (0, 1)
    doc = one_document(result)
    assert isinstance(doc, dict)
    if not name.startswith("schema"):  # `schema` prints the JSON Schema itself, to be saved as a file
        assert doc["ok"] is (result.exit_code == 0), doc


def test_simulate_json_for_one_tier_says_ok(work, run_cli):
    result = run_cli("simulate", "tiers.yml", "--opened", OPENED, "--tier", "Gold", "--json")
    assert result.exit_code == 0
    assert one_document(result)["ok"] is True


def test_validate_json_failure_is_its_own_document(work, run_cli):
    shutil.copy(DATA / "invalid" / "bad_duration.yml", work / "tiers.yml")
    result = run_cli("validate", "tiers.yml", "--json")
    assert result.exit_code == 1
    doc = failure_document(result)
    assert [(e["line"], e["col"]) for e in doc["errors"]] == [(5, 21)]
    # the envelope every failure carries (issue 15), with validate's own keys beside it
    expected = (DATA / "invalid" / "bad_duration.expected").read_text().strip().format(file="tiers.yml")
    assert (doc["ok"], doc["exit_code"], doc["error"]) == (False, 1, expected)
    assert [(p["line"], p["col"], p["field"]) for p in doc["problems"]] == [(5, 21, "tiers[0].milestones[0].time_limit")]


@pytest.fixture
def support(uat, mdapi):
    from tests.fakes.audit_org import history, support_org

    history(uat, support_org(uat))
    return uat


@pytest.mark.parametrize("argv", [["at-risk", "--org", "uat", "--as-of", "2026-03-02T15:00Z", "--json"],
                                  ["report", "--org", "uat", "--until", "2026-03-02T15:00Z", "--json"],
                                  ["audit", "--org", "uat", "--json"]], ids=["at-risk", "report", "audit"])
def test_read_only_org_commands_json_is_one_document(argv, support, run_cli):
    result = run_cli(*argv)
    assert result.exit_code in (0, 1), result.stderr  # audit: 1 when a finding fails, still one document
    doc = one_document(result)
    assert isinstance(doc, dict) and doc["ok"] is (result.exit_code == 0)
    assert support.count("query") > 0
    no_secrets(result)


def test_backfill_json_is_one_document_and_progress_stays_off_stdout(uat, work, run_cli, no_sleep):
    from tests.fakes.bulk import TIERS_YML, seed_accounts, seed_processes

    (work / "tiers.yml").write_text(TIERS_YML)
    seed_processes(uat)
    seed_accounts(uat, {"Platinum": 2, "Gold": 1})
    for extra in (["--dry-run"], []):
        result = run_cli("backfill", "tiers.yml", "--org", "uat", "--json", *extra)
        assert result.exit_code == 0, result.stderr
        doc = one_document(result)
        assert doc["ok"] is True and doc["dry_run"] is bool(extra)
        no_secrets(result)


def test_backfill_failure_json_is_its_own_document(uat, work, run_cli, no_sleep):
    from tests.fakes.bulk import TIERS_YML, seed_accounts, seed_processes

    (work / "tiers.yml").write_text(TIERS_YML)
    seed_processes(uat)
    seed_accounts(uat, {"Platinum": 2})
    uat.validators["Entitlement"].append(
        lambda org, rec, op: [{"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "no", "fields": []}])
    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--json")
    assert result.exit_code == 1
    doc = failure_document(result)
    assert doc["totals"]["failed"] == 2


@pytest.fixture
def new_org(uat, mdapi):
    """A new sandbox (as tests/http/test_deploy.py): Entitlement Management off, Default hours,
    the sample milestone types, the L2_Assigned__c checkbox the Gold tier reads."""
    uat.entitlements = False
    uat.insert("BusinessHours", Name="Default", IsActive=True, IsDefault=True, TimeZoneSidKey="America/Los_Angeles")
    for name in ("Response Time", "Resolution Time", "Escalate Case"):
        uat.insert("MilestoneType", Name=name)
    uat.add_field("Case", "L2_Assigned__c", "boolean")
    return uat


def test_deploy_then_plan_json_are_one_document_each(new_org, mdapi, run_cli, no_sleep):
    deployed = run_cli("deploy", "tiers.yml", "--org", "uat", "--json")
    assert deployed.exit_code == 0, deployed.stderr
    deployed_doc = one_document(deployed)
    assert [p["phase"] for p in deployed_doc["phases"]] == ["settings", "components"]
    assert deployed_doc["ok"] is True
    no_secrets(deployed)
    planned = run_cli("plan", "tiers.yml", "--org", "uat", "--json", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.stderr  # just deployed: nothing to change
    assert one_document(planned)["ok"] is True
    no_secrets(planned)


@pytest.fixture
def smoke_org(uat, mdapi, monkeypatch):
    from tests.fakes.smoke_org import SmokeOrg

    org = SmokeOrg(uat, mdapi, completions={"First Response Smoke": "first_response",
                                           "Resolution Smoke": "case_closed"})
    monkeypatch.setattr(time, "sleep", org.sleep)
    monkeypatch.setattr("slakit.smoke.runner._utcnow", org.now)
    return org


def test_smoke_json_is_one_document(smoke_org, run_cli):
    result = run_cli("smoke", "tiers.yml", "--org", "uat", "--tier", "Platinum", "--json")
    assert result.exit_code == 0, result.stderr
    doc = one_document(result)
    assert doc["ok"] is True and doc["tiers"] == ["Platinum"]
    no_secrets(result)


# -- Ctrl-C: exit 130, one line, no traceback --------------------------------------------------------
def interrupt_on_sleep(monkeypatch, after: int = 0):
    """time.sleep raises KeyboardInterrupt at call `after` + 1 (Ctrl-C while a long command waits)."""
    calls = []

    def sleep(seconds):
        calls.append(seconds)
        if len(calls) > after:
            raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", sleep)
    return calls


def test_ctrl_c_during_backfill_is_130_and_one_line(uat, work, run_cli, monkeypatch):
    from tests.fakes.bulk import TIERS_YML, seed_accounts, seed_processes

    (work / "tiers.yml").write_text(TIERS_YML)
    seed_processes(uat)
    seed_accounts(uat, {"Platinum": 2})
    uat.fail_next(1, "UNABLE_TO_LOCK_ROW", kinds=("collection_create",))  # the retry waits: Ctrl-C then
    calls = interrupt_on_sleep(monkeypatch)
    for extra in ([], ["--json"]):
        result = run_cli("backfill", "tiers.yml", "--org", "uat", *extra)
        assert calls, "the run never waited"
        assert result.exit_code == 130
        assert one_line(result) == "interrupted"
        if extra:
            assert one_document(result)["exit_code"] == 130
        uat.fail_next(1, "UNABLE_TO_LOCK_ROW", kinds=("collection_create",))


def test_ctrl_c_during_deploy_is_130_and_one_line(new_org, run_cli, monkeypatch):
    calls = interrupt_on_sleep(monkeypatch)
    result = run_cli("deploy", "tiers.yml", "--org", "uat")
    assert calls, "the deploy never polled"
    assert result.exit_code == 130
    assert one_line(result) == "interrupted"


@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["table", "json"])
def test_ctrl_c_during_smoke_cleans_up_and_is_130_with_one_line(extra, smoke_org, uat, run_cli, monkeypatch):
    waits = []

    def sleep(seconds):  # the smoke org's clock moves; Ctrl-C once the run has waited two minutes
        waits.append(seconds)
        if sum(waits) >= 120:
            raise KeyboardInterrupt
        smoke_org.sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    result = run_cli("smoke", "tiers.yml", "--org", "uat", "--tier", "Platinum", *extra)
    assert result.exit_code == 130
    line = one_line(result)
    assert "FAILED" in line and "record(s) deleted" in line  # the run's summary: it cleaned up
    assert uat.find("Case") == []
    if extra:
        doc = one_document(result)
        assert doc["interrupted"] is True and doc["ok"] is False
