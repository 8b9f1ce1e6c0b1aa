"""`slakit at-risk --watch N` through the real entry point against the fake org: each refresh
reads the org again (data changed between refreshes shows), Ctrl-C ends with exit 0 and no
traceback. Only time.sleep is replaced: it changes the org between refreshes, then presses Ctrl-C.

Expected rows come from tests/fakes/audit_org.py (worked out by hand at Mon 2026-03-02 10:00 NY)."""

from __future__ import annotations

import json
import re

import pytest

from tests.fakes import INSTANCE_URL, SESSION_ID
from tests.fakes.audit_org import support_org
from tests.http.test_deploy import cli

NOW = "2026-03-02T15:00Z"


@pytest.fixture
def uat(fake_org, cci_home, monkeypatch, tmp_path):
    monkeypatch.setenv("CUMULUSCI_ORG_uat", json.dumps({"instance_url": INSTANCE_URL, "access_token": SESSION_ID,
                                                         "org_id": fake_org.org_id}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    monkeypatch.chdir(tmp_path)
    from slakit.cli.common import console

    monkeypatch.setattr(console, "width", 120)
    support_org(fake_org)
    return fake_org


def scripted_sleep(monkeypatch, *steps):
    """time.sleep runs one step per call (a step may change the org or raise KeyboardInterrupt)."""
    import time

    slept: list[float] = []
    queue = list(steps)

    def fake_sleep(seconds):
        slept.append(seconds)
        queue.pop(0)()

    monkeypatch.setattr(time, "sleep", fake_sleep)
    return slept


def tables(out: str) -> list[list[tuple[str, str, str]]]:
    """(case number, milestone, remaining) rows of each printed table, in order."""
    found = []
    for chunk in out.split("Milestones violated or due within")[1:]:
        rows = re.findall(r"│ (\d{8}) │[^│]*│[^│]*│ ([^│]+?) +│[^│]*│[^│]*│ +([^│]+?) │", chunk)
        found.append([(n, m, r) for n, m, r in rows])
    return found


def ctrl_c():
    raise KeyboardInterrupt


def test_watch_refreshes_with_new_data_then_ctrl_c_ends_cleanly(uat, monkeypatch, capsys):
    assign = uat.find("Case", Subject="acme-assign")[0]
    assign_ms = uat.find("CaseMilestone", CaseId=assign["Id"])[0]
    globex = uat.find("Case", Subject="globex-fr")[0]
    resolution = uat.find("CaseMilestone", CaseId=globex["Id"], TargetDate="2026-03-02T22:30:00.000+0000")[0]

    def agent_picks_up_and_resolution_moves_in():
        # the violated Agent Assignment is completed; Globex's Resolution target is pulled to 16:00Z
        # (24x7 hours: 60 minutes left, inside the 2h window)
        uat.update("CaseMilestone", assign_ms["Id"], {"CompletionDate": "2026-03-02T15:00:00.000+0000"})
        uat.update("CaseMilestone", resolution["Id"], {"TargetDate": "2026-03-02T16:00:00.000+0000"})

    slept = scripted_sleep(monkeypatch, agent_picks_up_and_resolution_moves_in, ctrl_c)
    queries_before = uat.count("query")
    code, out, err = cli(capsys, "at-risk", "--org", "uat", "--within", "2h", "--as-of", NOW, "--watch", "60")
    assert code == 0, err
    assert "Traceback" not in out + err and "Aborted" not in out + err
    assert slept == [60, 60]  # two waits: the second was interrupted
    first, second = tables(out)
    assert first == [("00000002", "Agent Assignment", "-15m"), ("00000005", "Resolution", "50m (paused)"),
                     ("00000003", "First Response", "1h"), ("00000004", "First Response", "1h 30m")]
    assert second == [("00000005", "Resolution", "50m (paused)"), ("00000003", "First Response", "1h"),
                      ("00000004", "Resolution", "1h"), ("00000004", "First Response", "1h 30m")]
    assert "1 violated, 2 due, 1 paused; refreshing every 60s (Ctrl-C to stop)" in out
    assert "0 violated, 3 due, 1 paused; refreshing every 60s" in out
    assert uat.count("query") - queries_before >= 2  # the org was read again, not the first answer reused


def test_a_failed_refresh_keeps_watching(uat, monkeypatch, capsys):
    def session_blip():
        uat.fail_next(1, "SERVER_ERROR", kinds=("query",))

    slept = scripted_sleep(monkeypatch, session_blip, lambda: None, ctrl_c)
    code, out, err = cli(capsys, "at-risk", "--org", "uat", "--within", "2h", "--as-of", NOW, "--watch", "30")
    assert code == 0, err
    assert slept == [30, 30, 30]
    assert len(tables(out)) == 2  # first view, the failed refresh skipped, then the next one
    assert err.count("refresh failed, retrying in 30s:") == 1 and "Traceback" not in err


def test_watch_on_a_terminal_uses_one_live_view(uat, monkeypatch, capsys):
    from slakit.cli.common import console

    monkeypatch.setattr(console, "_force_terminal", True)  # what rich decides for a real terminal
    monkeypatch.setattr(console, "is_interactive", True)
    scripted_sleep(monkeypatch, lambda: None, ctrl_c)
    code, out, err = cli(capsys, "at-risk", "--org", "uat", "--within", "2h", "--as-of", NOW, "--watch", "10")
    assert code == 0, err
    assert "\x1b[2K" in out and "\x1b[1A" in out  # erase line, cursor up: redrawn in place, not appended
    assert out.count("Agent Assignment") >= 2 and "Traceback" not in err


def test_watch_and_json_do_not_mix(uat, capsys):
    code, out, err = cli(capsys, "at-risk", "--org", "uat", "--watch", "60", "--json")
    assert code == 2 and "--watch" in err
