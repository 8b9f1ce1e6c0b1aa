"""`slakit.org.connect` through the REAL CumulusCI keychain and OrgConfig, HTTP answered by the fake.

Each test runs under a temporary HOME (fixture `cci_home`), so `~/.cumulusci` is ours to inspect.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slakit.errors import OrgError
from slakit.org.connect import connect
from tests.fakes import INSTANCE_URL, SESSION_ID


def files_containing(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def env_org(monkeypatch, name: str, **config) -> None:
    monkeypatch.setenv(f"CUMULUSCI_ORG_{name}", json.dumps({"instance_url": INSTANCE_URL, **config}))


def test_access_token_with_refresh_disabled(cci_home, fake_org, monkeypatch, tmp_path):
    env_org(monkeypatch, "uat", access_token=SESSION_ID, org_id=fake_org.org_id, username="ci@example.com.uat")
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    conn = connect("uat", api_version="62.0", project_dir=tmp_path)
    assert fake_org.token_requests == []  # no refresh attempted
    assert conn.sf.sf_version == "62.0" and conn.sf.session_id == SESSION_ID
    assert conn.is_sandbox is True and conn.org_id == fake_org.org_id
    rows = conn.sf.query("SELECT Name FROM Organization")["records"]
    assert rows[0]["Name"] == "Fake Org"
    assert SESSION_ID not in repr(conn) and "fake.session" not in str(conn)
    assert conn.project_config.project__package__api_version == "62.0"
    assert files_containing(cci_home, SESSION_ID) == []


def test_refresh_token_org_from_env_leaves_no_token_on_disk(cci_home, fake_org, monkeypatch, tmp_path):
    env_org(monkeypatch, "uat", refresh_token="5Aep861.refresh.secret", org_id=fake_org.org_id,
            username="ci@example.com.uat")
    conn = connect("uat", api_version="62.0", project_dir=tmp_path)
    assert fake_org.token_requests[0]["grant_type"] == "refresh_token"
    assert fake_org.token_requests[0]["refresh_token"] == "5Aep861.refresh.secret"
    assert conn.sf.session_id == fake_org.issued_token
    assert files_containing(cci_home, fake_org.issued_token) == []
    assert files_containing(cci_home, "5Aep861.refresh.secret") == []


def test_stock_cumulusci_keychain_would_write_the_token_in_plain_text(cci_home, fake_org, monkeypatch, tmp_path):
    """Why the guard exists: CumulusCI's own keychain, without a key, saves the refreshed token."""
    from cumulusci.core.config import OrgConfig
    from cumulusci.core.keychain import EncryptedFileProjectKeychain

    from slakit.org.connect import load_project_config

    project = load_project_config(tmp_path)
    keychain = EncryptedFileProjectKeychain(project, None)
    org = OrgConfig({"instance_url": INSTANCE_URL, "access_token": fake_org.issued_token}, "uat", keychain=keychain)
    keychain.set_org(org, global_org=False)
    assert files_containing(cci_home, fake_org.issued_token) != []


def test_connected_org_without_key_is_not_rewritten(cci_home, fake_org, monkeypatch, tmp_path):
    """An org saved by `cci org connect` on a machine without a key: read it, never write a new token."""
    from cumulusci.core.config import UniversalConfig

    cci_dir = UniversalConfig.default_cumulusci_dir()
    saved = {"instance_url": INSTANCE_URL, "refresh_token": "5Aep861.saved.refresh", "access_token": "old",
             "org_id": fake_org.org_id, "username": "admin@example.com", "serialization_format": "json"}
    (cci_dir / "dev.org").write_bytes(json.dumps(saved).encode())
    before = (cci_dir / "dev.org").read_bytes()
    conn = connect("dev", api_version="62.0", project_dir=tmp_path)
    assert conn.sf.session_id == fake_org.issued_token
    assert (cci_dir / "dev.org").read_bytes() == before
    assert files_containing(cci_home, fake_org.issued_token) == []


def test_global_org_with_key_is_saved_encrypted(cci_home, fake_org, monkeypatch, tmp_path):
    from cumulusci.core.config import OrgConfig

    from slakit.org.connect import load_keychain, load_project_config

    monkeypatch.setenv("CUMULUSCI_KEY", "0123456789abcdef")
    project = load_project_config(tmp_path)
    keychain = load_keychain(project)
    org = OrgConfig({"instance_url": INSTANCE_URL, "refresh_token": "5Aep861.enc.refresh",
                     "org_id": fake_org.org_id, "username": "admin@example.com"}, "prod", keychain=keychain,
                    global_org=True)
    keychain.set_org(org, global_org=True)  # what `cci org connect prod --global-org` stores
    conn = connect("prod", api_version="62.0", project_dir=tmp_path)
    assert conn.sf.session_id == fake_org.issued_token
    org_files = list(cci_home.rglob("prod.org"))
    assert org_files, "the refreshed org is saved, encrypted, as cci would"
    assert files_containing(cci_home, fake_org.issued_token) == []
    assert files_containing(cci_home, "5Aep861.enc.refresh") == []


def test_jwt_flow_signs_for_the_org_username(cci_home, fake_org, monkeypatch, tmp_path):
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    monkeypatch.setenv("SFDX_CLIENT_ID", "3MVG9.client.id")
    monkeypatch.setenv("SFDX_HUB_KEY", pem)
    env_org(monkeypatch, "uat", username="ci@example.com.uat", org_id=fake_org.org_id)
    conn = connect("uat", api_version="62.0", project_dir=tmp_path)
    form = fake_org.token_requests[0]
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = jwt.decode(form["assertion"], key.public_key(), algorithms=["RS256"],
                        options={"verify_exp": False, "verify_aud": False})
    assert claims["sub"] == "ci@example.com.uat" and claims["iss"] == "3MVG9.client.id"
    assert conn.sf.session_id == fake_org.issued_token
    assert files_containing(cci_home, fake_org.issued_token) == []


def test_unknown_org_names_the_known_ones(cci_home, fake_org, monkeypatch, tmp_path):
    env_org(monkeypatch, "uat", access_token=SESSION_ID)
    with pytest.raises(OrgError) as exc:
        connect("staging", api_version="62.0", project_dir=tmp_path)
    assert "no org named 'staging'" in str(exc.value) and "uat" in str(exc.value)
    assert "cci org connect staging" in str(exc.value)


def test_uncreated_scratch_org_is_refused_plainly(cci_home, fake_org, tmp_path):
    with pytest.raises(OrgError) as exc:  # CumulusCI's universal config defines `qa` as a scratch config
        connect("qa", api_version="62.0", project_dir=tmp_path)
    assert "scratch org definition that has not been created" in str(exc.value)


def test_rejected_credentials_are_one_line_without_secrets(cci_home, fake_org, monkeypatch, tmp_path):
    fake_org.reject_auth = "expired access/refresh token"
    env_org(monkeypatch, "uat", refresh_token="5Aep861.bad.refresh", org_id=fake_org.org_id)
    with pytest.raises(OrgError) as exc:
        connect("uat", api_version="62.0", project_dir=tmp_path)
    text = str(exc.value)
    assert "cannot authenticate to org 'uat'" in text and "\n" not in text
    assert "5Aep861.bad.refresh" not in text


def test_project_local_orgs_resolve_in_a_cumulusci_project(cci_home, fake_org, monkeypatch, tmp_path):
    project_dir = tmp_path / "proj"
    project_dir.mkdir()
    (project_dir / "cumulusci.yml").write_text("project:\n  name: myproj\n  package:\n    api_version: '62.0'\n")
    local = cci_home / ".cumulusci" / "myproj"
    local.mkdir(parents=True)
    (local / "qa.org").write_text(json.dumps({"instance_url": INSTANCE_URL, "access_token": SESSION_ID,
                                              "org_id": fake_org.org_id}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    conn = connect("qa", api_version="62.0", project_dir=project_dir)
    assert conn.project_config.project__name == "myproj"
    assert conn.sf.session_id == SESSION_ID


# -- org settings from the environment, from a stranger (issue 15) ---------------------------------
FIX = ('(set CUMULUSCI_ORG_uat to a JSON object such as {"instance_url": "https://<my-domain>.my.salesforce.com", '
       '...credentials}, or unset it)')
BROKEN_ENV = {
    "list": ("[]", "CUMULUSCI_ORG_uat holds a list, not a JSON object describing the org " + FIX),
    "string": ('"uat"', "CUMULUSCI_ORG_uat holds a string, not a JSON object describing the org " + FIX),
    "number": ("42", "CUMULUSCI_ORG_uat holds a number, not a JSON object describing the org " + FIX),
    "empty object": ("{}", "CUMULUSCI_ORG_uat has no instance_url " + FIX),
    "blank": ("  ", "CUMULUSCI_ORG_uat is empty " + FIX),
    "cut short": ('{"instance_url": "https://x.my.salesforce.com"',
                  "CUMULUSCI_ORG_uat is not valid JSON (Expecting ',' delimiter at character 47) " + FIX),
    "not a url": ('{"instance_url": "acme.my.salesforce.com", "access_token": "00D000000000001!secret"}',
                  'CUMULUSCI_ORG_uat: instance_url is not an https URL (write it as "instance_url": '
                  '"https://<my-domain>.my.salesforce.com")'),
}


@pytest.mark.parametrize("kind", sorted(BROKEN_ENV))
def test_broken_env_org_is_one_sentence_saying_how_to_fix_it(kind, cci_home, fake_org, monkeypatch, tmp_path):
    value, expected = BROKEN_ENV[kind]
    monkeypatch.setenv("CUMULUSCI_ORG_uat", value)
    with pytest.raises(OrgError) as exc:
        connect("uat", api_version="62.0", project_dir=tmp_path)
    assert str(exc.value) == expected
    assert fake_org.calls == []  # refused before any request


def test_a_broken_env_org_names_its_variable_when_another_org_is_asked_for(cci_home, fake_org, monkeypatch, tmp_path):
    env_org(monkeypatch, "uat", access_token=SESSION_ID)
    monkeypatch.setenv("CUMULUSCI_ORG_prod", "[]")  # CumulusCI loads every env org: this one breaks them all
    with pytest.raises(OrgError) as exc:
        connect("uat", api_version="62.0", project_dir=tmp_path)
    assert str(exc.value).startswith("CUMULUSCI_ORG_prod holds a list")


REFUSED = "https://refused.my.salesforce.com"


def _refuse(rsps, method: str, path: str) -> None:
    """What requests raises when nothing listens at the instance (urllib3's NewConnectionError inside)."""
    import re

    import requests
    import responses

    error = requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='refused.my.salesforce.com', port=443): Max retries exceeded with url: "
        f"{path} (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f>: "
        "Failed to establish a new connection: [Errno 111] Connection refused'))")
    rsps.add(getattr(responses, method), re.compile(re.escape(REFUSED + path) + ".*"), body=error)


def test_refused_connection_at_refresh_is_one_sentence_about_the_address(cci_home, fake_org, rsps, monkeypatch,
                                                                         tmp_path):
    _refuse(rsps, "POST", "/services/oauth2/token")
    monkeypatch.setenv("CUMULUSCI_ORG_uat", json.dumps({"instance_url": REFUSED, "refresh_token": "5Aep861.refused.x",
                                                         "org_id": fake_org.org_id}))
    with pytest.raises(OrgError) as exc:
        connect("uat", api_version="62.0", project_dir=tmp_path)
    assert str(exc.value) == ("cannot reach org 'uat' at refused.my.salesforce.com: the connection was refused "
                              "(check the org's instance_url (cci org info, or CUMULUSCI_ORG_<NAME>) and the network "
                              "or proxy)")


def test_refused_connection_mid_run_is_one_sentence(cci_home, fake_org, rsps, monkeypatch, tmp_path):
    from slakit.org.errors import org_errors

    _refuse(rsps, "GET", "/services/data/v62.0/query")
    monkeypatch.setenv("CUMULUSCI_ORG_uat", json.dumps({"instance_url": REFUSED, "access_token": SESSION_ID,
                                                         "org_id": fake_org.org_id, "username": "ci@example.com"}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    conn = connect("uat", api_version="62.0", project_dir=tmp_path, refresh_token=False)
    with pytest.raises(OrgError) as exc, org_errors("reading entitlement processes"):
        conn.sf.query("SELECT Id FROM SlaProcess")
    assert str(exc.value) == ("reading entitlement processes: cannot reach the org at refused.my.salesforce.com: "
                              "the connection was refused (check the org's instance_url (cci org info, or "
                              "CUMULUSCI_ORG_<NAME>) and the network or proxy)")
