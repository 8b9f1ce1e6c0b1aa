"""Shared fixtures for the fake Salesforce org (tests/fakes) and a hermetic CumulusCI home.

- `fake_org`: a `FakeOrg` answered through an active `responses` mock (unknown URLs raise), holding
  the group and role the acceptance tiers send alerts to (`seed_recipients`).
- `sf`: `simple_salesforce.Salesforce(instance_url="https://fake.my.salesforce.com",
  session_id="00D...!fake", version="62.0")` wired to `fake_org`.
- `no_sleep`: `time.sleep` made instant (patch sleeps, never logic).
- `cci_home`: a temporary HOME with no CUMULUSCI_* variables and no OS keyring, so the
  CumulusCI keychain reads and writes only there.
- `tiers`: a copy of tests/data/acceptance.yml in a fresh folder.
- `rendered_acceptance` (session): tests/data/acceptance.yml rendered at test time (Metadata API
  format with package.xml), the folder deploy/plan/audit tests pass as `--from`/`--metadata`.
  Shared and read-only: a test that edits files copies it first (teardown fails if one did not).
  tests/golden is the one frozen render.
- `run_cli`: the real `slakit` entry point in-process -> CliResult(exit_code, stdout, stderr).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # make `tests.fakes` importable however pytest is started
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def rsps():
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def fake_org(rsps):
    from tests.fakes import FakeOrg

    org = FakeOrg().install(rsps)
    seed_recipients(org)
    return org


def seed_recipients(org) -> None:
    """The alert recipients tests/data/acceptance.yml names (deploy preflight looks them up):
    public group Support_Managers and role Support_Lead."""
    org.insert("Group", Name="Support Managers", DeveloperName="Support_Managers", Type="Regular")
    org.insert("UserRole", Name="Support Lead", DeveloperName="Support_Lead")


@pytest.fixture
def sf(fake_org):
    return fake_org.client()


@pytest.fixture
def no_sleep(monkeypatch):
    import time

    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", lambda s: slept.append(s))
    return slept


@pytest.fixture
def cci_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for key in list(os.environ):
        if key.startswith("CUMULUSCI_") or key in ("SFDX_CLIENT_ID", "SFDX_HUB_KEY"):
            monkeypatch.delenv(key, raising=False)
    try:
        import keyring
        from keyring.backends import fail

        previous = keyring.get_keyring()
        keyring.set_keyring(fail.Keyring())
    except Exception:  # pragma: no cover
        previous = None
    yield home
    if previous is not None:
        keyring.set_keyring(previous)


@pytest.fixture
def org_conn(cci_home, fake_org, monkeypatch, tmp_path):
    """An `OrgConnection` to `fake_org` resolved through the real CumulusCI keychain, as
    `--org uat` would be with CUMULUSCI_ORG_uat (access token, refresh disabled)."""
    import json

    from slakit.org.connect import connect
    from tests.fakes import INSTANCE_URL, SESSION_ID

    monkeypatch.setenv("CUMULUSCI_ORG_uat", json.dumps({"instance_url": INSTANCE_URL, "access_token": SESSION_ID,
                                                         "org_id": fake_org.org_id, "username": "ci@example.com.uat"}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    project_dir = tmp_path / "project"
    project_dir.mkdir(exist_ok=True)
    return connect("uat", api_version="62.0", project_dir=project_dir)


@pytest.fixture
def mdapi(fake_org):
    """The fake org's Metadata API (SOAP deploy/retrieve), see tests/fakes/metadata.py."""
    from tests.fakes.metadata import MetadataApi

    return MetadataApi(fake_org)


@pytest.fixture
def tiers(tmp_path):
    """A copy of the acceptance tiers.yml (tests/data/acceptance.yml) in a fresh folder."""
    import shutil
    from pathlib import Path

    path = tmp_path / "tiers.yml"
    shutil.copy(Path(__file__).resolve().parent / "data" / "acceptance.yml", path)
    return path


@pytest.fixture(scope="session")
def rendered_acceptance(tmp_path_factory):
    """tests/data/acceptance.yml rendered now by the real renderer into a session folder."""
    from slakit.config import load_project
    from slakit.render import render_project

    out = tmp_path_factory.mktemp("rendered") / "acceptance"
    render_project(load_project(ROOT / "tests" / "data" / "acceptance.yml"), out)
    before = _snapshot(out)
    yield out
    assert _snapshot(out) == before, "a test wrote into the shared rendered folder; copy it first (shutil.copytree)"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the real `slakit` entry point, in-process -------------------------------------------------
@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys, monkeypatch):
    # rich consoles write to whatever sys.stdout/sys.stderr are at print time (captured here)
    def run(*args: str) -> CliResult:
        from slakit.cli.main import main

        code = 0
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
