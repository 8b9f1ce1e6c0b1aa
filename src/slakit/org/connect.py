"""The one module that owns the org connection.

`connect("uat", api_version="62.0")` resolves an org name through CumulusCI's keychain exactly as
`cci` does (orgs saved by `cci org connect`, global or project-local, and `CUMULUSCI_ORG_<NAME>`
JSON in the environment: JWT via `SFDX_CLIENT_ID` + `SFDX_HUB_KEY`, a `refresh_token`, or an
`access_token` with `CUMULUSCI_DISABLE_REFRESH=1`), refreshes the token the way a `cci` task does,
and hands back an `OrgConnection`: a simple-salesforce client pinned to the API version, plus the
CumulusCI project and org configs the deploy code needs. Nothing else in slakit builds a client.

Token safety:
- `OrgConnection.__repr__` and every message here leave tokens out.
- CumulusCI's keychain writes a refreshed org back to `~/.cumulusci/**.org` in plain JSON when no
  `CUMULUSCI_KEY` (env or OS keyring) exists. `SlakitKeychain` prevents that: without a key it
  never writes an org to disk (the refreshed token lives in memory for this run only); with a key
  it writes the encrypted file as `cci` would. Orgs from the environment are never written.
- Unlike `cci`, slakit never creates a key in the OS keyring (no side effects on the machine).

CumulusCI is imported inside functions only (keeps `slakit --help` fast).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from slakit.errors import OrgError
from slakit.org.redact import one_line
from slakit.salesforce import DEFAULT_API_VERSION

log = logging.getLogger(__name__)

ENV_ORG_PREFIX = "CUMULUSCI_ORG_"

if TYPE_CHECKING:
    from simple_salesforce import Salesforce


class ProjectRef(Protocol):
    """What `connect_project` reads of a resolved `slakit.config.Project` (org sits beside config
    in layer 1, so it names the two attributes instead of importing the class)."""

    @property
    def api_version(self) -> str: ...

    @property
    def root(self) -> str: ...


@dataclass(repr=False)
class OrgConnection:
    """A live connection: `sf` for REST, `project_config`/`org_config` for CumulusCI tasks."""

    name: str
    sf: Salesforce
    api_version: str
    instance_url: str
    org_id: str | None = None
    username: str | None = None
    is_sandbox: bool | None = None
    org_type: str | None = None
    project_config: Any = field(default=None)
    org_config: Any = field(default=None)

    def __repr__(self) -> str:  # never the token
        return (
            f"OrgConnection(name={self.name!r}, instance_url={self.instance_url!r}, "
            f"org_id={self.org_id!r}, username={self.username!r}, "
            f"api_version={self.api_version!r}, is_sandbox={self.is_sandbox!r})"
        )

    __str__ = __repr__


def keychain_key() -> str | None:
    """The key `cci` would use: CUMULUSCI_KEY, else one already in the OS keyring, else None."""
    key = os.environ.get("CUMULUSCI_KEY")
    if key:
        return key
    try:
        import keyring

        return keyring.get_password("cumulusci", "CUMULUSCI_KEY")
    except Exception:  # no usable keyring backend (CI, containers)
        return None


def _keychain_class():
    from cumulusci.core.keychain import EncryptedFileProjectKeychain

    class SlakitKeychain(EncryptedFileProjectKeychain):
        """CumulusCI's file keychain that never writes an unencrypted org, nor an env org."""

        def _set_org(self, org_config, global_org, save=True):
            from_env = bool(getattr(org_config, "_slakit_from_env", False)) or (
                _env_var_for(org_config.name) is not None and not global_org
            )
            if save and (not self.key or from_env):
                # Keep the refreshed config in memory only: never a plaintext token on disk.
                save = False
            return super()._set_org(org_config, global_org, save=save)

        def _save_org(self, name, org_bytes, global_org):
            if not self.key:  # belt and braces: nothing unencrypted reaches the disk
                raise OrgError(
                    f"refusing to write org '{name}' to ~/.cumulusci unencrypted",
                    hint="set CUMULUSCI_KEY (16 characters) to let CumulusCI encrypt it",
                )
            return super()._save_org(name, org_bytes, global_org)

    return SlakitKeychain


def _env_var_for(org_name: str) -> str | None:
    for key in os.environ:
        if key.startswith(ENV_ORG_PREFIX) and key[len(ENV_ORG_PREFIX) :].lower() == org_name.lower():
            return key
    return None


def load_project_config(project_dir: str | os.PathLike | None = None, *, api_version: str = DEFAULT_API_VERSION):
    """CumulusCI's project config for `project_dir` (or the current folder, as `cci` finds it).

    Outside a CumulusCI project, a minimal project named `slakit` stands in, so global orgs and
    environment orgs still resolve and the Deploy task has a project to run in.
    """
    from cumulusci.core.config import BaseProjectConfig, UniversalConfig
    from cumulusci.core.exceptions import NotInProject, ProjectConfigNotFound
    from cumulusci.core.utils import merge_config

    universal = UniversalConfig()
    kwargs: dict[str, Any] = {}
    if project_dir is not None:
        kwargs["repo_info"] = {"root": str(Path(project_dir).resolve())}
    try:
        project = BaseProjectConfig(universal, **kwargs)
        if not project.project__package__api_version:
            project.config.setdefault("project", {}).setdefault("package", {})["api_version"] = api_version
        return project
    except (NotInProject, ProjectConfigNotFound):
        pass
    root = str(Path(project_dir or os.getcwd()).resolve())
    config = merge_config(
        {
            "universal_config": universal.config,
            "project_config": {
                "project": {"name": "slakit", "package": {"name": "slakit", "api_version": api_version}}
            },
        }
    )
    return BaseProjectConfig(universal, config=config, repo_info={"root": root})


def check_env_orgs() -> None:
    """Every `CUMULUSCI_ORG_<NAME>` is a JSON object with an https instance_url, else one sentence
    naming the variable (never its value: it holds tokens). CumulusCI loads them all at once, so a
    broken one stops every org; without this it says "'list' object has no attribute 'get'" or
    "Invalid URL 'None/services/oauth2/userinfo'"."""
    import json

    example = '{"instance_url": "https://<my-domain>.my.salesforce.com", ...credentials}'
    for var, value in sorted(os.environ.items()):
        if not var.startswith(ENV_ORG_PREFIX):
            continue
        fix = f"set {var} to a JSON object such as {example}, or unset it"
        if not value.strip():
            raise OrgError(f"{var} is empty", hint=fix)
        try:
            config = json.loads(value)
        except json.JSONDecodeError as exc:
            raise OrgError(f"{var} is not valid JSON ({exc.msg} at character {exc.pos + 1})", hint=fix) from None
        if not isinstance(config, dict):
            kind = {list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(type(config), "a number")
            raise OrgError(f"{var} holds {kind}, not a JSON object describing the org", hint=fix)
        url = config.get("instance_url")
        if not url and not config.get("scratch"):
            raise OrgError(f"{var} has no instance_url", hint=fix)
        if url and (not isinstance(url, str) or not url.startswith(("https://", "http://")) or " " in url.strip()):
            raise OrgError(f"{var}: instance_url is not an https URL",
                           hint='write it as "instance_url": "https://<my-domain>.my.salesforce.com"')


def load_keychain(project_config):
    """Attach slakit's safe keychain to `project_config` and return it."""
    check_env_orgs()
    key = keychain_key()
    try:
        keychain = _keychain_class()(project_config, key)
    except Exception as exc:
        raise OrgError(f"cannot load the CumulusCI keychain: {one_line(exc)}") from None
    project_config.keychain = keychain
    return keychain


def _sync_refresh_switch() -> None:
    """CumulusCI reads CUMULUSCI_DISABLE_REFRESH once at import; honour it as set now."""
    from cumulusci.core.config import org_config as oc

    oc.SKIP_REFRESH = os.environ.get("CUMULUSCI_DISABLE_REFRESH")


def get_org_config(project_config, org_name: str):
    """The CumulusCI OrgConfig for `org_name`, or OrgError listing the orgs that exist."""
    from cumulusci.core.exceptions import CumulusCIException, OrgNotFound

    keychain = project_config.keychain or load_keychain(project_config)
    try:
        org_config = keychain.get_org(org_name)
    except OrgNotFound:
        known = ", ".join(sorted(keychain.list_orgs())) or "none"
        raise OrgError(
            f"no org named '{org_name}' in the CumulusCI keychain (known: {known})",
            hint=f"run `cci org connect {org_name}` or set {ENV_ORG_PREFIX}{org_name.upper()}",
        ) from None
    except CumulusCIException as exc:
        raise OrgError(f"cannot load org '{org_name}': {one_line(exc)}") from None
    if _env_var_for(org_name):
        org_config._slakit_from_env = True
    if org_config.config.get("scratch") and not org_config.config.get("created"):
        raise OrgError(
            f"org '{org_name}' is a scratch org definition that has not been created yet",
            hint=f"create it first: cci org scratch {org_config.config.get('config_name') or 'dev'} {org_name}",
        )
    return org_config


def refresh(org_config, project_config) -> None:
    """Refresh the token exactly as a `cci` task does (JWT, refresh token, or none when disabled)."""
    _sync_refresh_switch()
    try:
        with org_config.save_if_changed():
            org_config.refresh_oauth_token(project_config.keychain)
    except OrgError:
        raise
    except Exception as exc:
        import requests

        if isinstance(exc, requests.RequestException):
            from slakit.org.errors import unreachable

            raise unreachable(exc, org_name=org_config.name) from None
        raise OrgError(
            f"cannot authenticate to org '{org_config.name}': {type(exc).__name__}: {one_line(exc)}",
            hint="check the org's credentials (cci org info) or reconnect it",
        ) from None


def connect(
    org_name: str,
    *,
    api_version: str,
    project_dir: str | os.PathLike | None = None,
    refresh_token: bool = True,
) -> OrgConnection:
    """Resolve `org_name` like `cci`, refresh its token, and return an `OrgConnection`."""
    from simple_salesforce import Salesforce

    if not org_name:
        raise OrgError("no org given", hint="pass --org NAME")
    project_config = load_project_config(project_dir, api_version=api_version)
    load_keychain(project_config)
    org_config = get_org_config(project_config, org_name)
    if refresh_token:
        refresh(org_config, project_config)
    instance_url = (org_config.instance_url or "").rstrip("/")
    token = org_config.access_token
    if not instance_url or not token:
        raise OrgError(
            f"org '{org_name}' has no instance_url or access token",
            hint="the org JSON needs instance_url plus a way to authenticate",
        )
    sf = Salesforce(instance_url=instance_url, session_id=token, version=str(api_version))
    return OrgConnection(
        name=org_name,
        sf=sf,
        api_version=str(api_version),
        instance_url=instance_url,
        org_id=_quiet(lambda: org_config.org_id),
        username=_quiet(lambda: org_config.username),
        is_sandbox=org_config.config.get("is_sandbox"),
        org_type=org_config.config.get("org_type"),
        project_config=project_config,
        org_config=org_config,
    )


def cci_project_dir(root: str | os.PathLike | None) -> Path | None:
    """tiers.yml's folder when it is (inside) a CumulusCI project, else None (cwd, as cci does)."""
    if not root:
        return None
    for folder in [Path(root).resolve(), *Path(root).resolve().parents]:
        if (folder / "cumulusci.yml").is_file() and (folder / ".git").exists():
            return folder
    return None


def connect_project(org_name: str, project: ProjectRef | None = None, *, api_version: str | None = None,
                    refresh_token: bool = True) -> OrgConnection:
    """The one way commands connect: `connect` with the CumulusCI project that holds tiers.yml
    (`project.root`, else the current folder as `cci` finds it) and the project's API version
    (`api_version` overrides it; "62.0" without either). `project` is a resolved
    `slakit.config.Project` or None."""
    version = api_version or getattr(project, "api_version", None) or DEFAULT_API_VERSION
    return connect(org_name, api_version=str(version), project_dir=cci_project_dir(getattr(project, "root", None)),
                   refresh_token=refresh_token)


def _quiet(fn):
    try:
        return fn()
    except Exception:
        return None


def from_cci(org_config, project_config, *, api_version: str) -> OrgConnection:
    """An `OrgConnection` over configs CumulusCI already resolved (inside a `cci` task or flow;
    the task refreshed the token before running)."""
    from simple_salesforce import Salesforce

    instance_url = (org_config.instance_url or "").rstrip("/")
    sf = Salesforce(instance_url=instance_url, session_id=org_config.access_token, version=str(api_version))
    return OrgConnection(
        name=org_config.name, sf=sf, api_version=str(api_version), instance_url=instance_url,
        org_id=_quiet(lambda: org_config.org_id), username=_quiet(lambda: org_config.username),
        is_sandbox=org_config.config.get("is_sandbox"), org_type=org_config.config.get("org_type"),
        project_config=project_config, org_config=org_config,
    )
