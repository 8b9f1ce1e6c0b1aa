"""slakit.org.processes: the one reader of entitlement process versions, over real
simple-salesforce and the fake org (rows as the SlaProcess object reference describes them)."""

from __future__ import annotations

from slakit.org.processes import by_family, families_by_name, pick_version, read_processes


def _gold_family(fake_org) -> dict[str, str]:
    hours = fake_org.insert("BusinessHours", {"Name": "US Business Hours", "IsActive": True})
    v1 = fake_org.insert("SlaProcess", {"Name": "Gold", "NameNorm": "gold", "IsActive": True,
                                        "IsVersionDefault": False, "VersionNumber": 1, "BusinessHoursId": hours})
    v2 = fake_org.insert("SlaProcess", {"Name": "Gold Renamed", "NameNorm": "gold renamed_v2", "IsActive": True,
                                        "IsVersionDefault": True, "VersionNumber": 2, "VersionMaster": v1,
                                        "BusinessHoursId": hours})
    other = fake_org.insert("SlaProcess", {"Name": "Silver", "NameNorm": "silver", "IsActive": False,
                                           "IsVersionDefault": True, "VersionNumber": 1})
    return {"v1": v1, "v2": v2, "other": other, "hours": hours}


def test_rows_are_typed_with_their_business_hours(fake_org, sf):
    ids = _gold_family(fake_org)
    rows = {v.id: v for v in read_processes(sf)}
    v2 = rows[ids["v2"]]
    assert (v2.name_norm, v2.version, v2.is_default, v2.is_active) == ("gold renamed_v2", 2, True, True)
    assert v2.master_key == ids["v1"][:15] and rows[ids["v1"]].master_key == ids["v1"][:15]
    assert (v2.business_hours_id, v2.business_hours_name, v2.business_hours_active) == (
        ids["hours"], "US Business Hours", True)
    assert [v.name for v in read_processes(sf, ["Silver"])] == ["Silver"]


def test_a_version_renamed_in_setup_stays_in_its_family(fake_org, sf):
    ids = _gold_family(fake_org)
    rows = read_processes(sf)
    families = families_by_name(rows, ["GOLD", "Silver"])
    assert sorted(v.id for v in families["gold"]) == sorted([ids["v1"], ids["v2"]])
    assert pick_version(families["gold"]).id == ids["v2"]
    assert pick_version(families["silver"]) is None  # no active version
    assert sorted(by_family(rows)) == ["gold", "gold renamed", "silver"]  # NameNorm families


def test_plan_reads_the_org_into_a_typed_state(fake_org, sf):
    from slakit.deploy.plan import OrgState, read_org

    ids = _gold_family(fake_org)
    fake_org.insert("MilestoneType", {"Name": "First Response"})
    state = read_org(sf)
    assert isinstance(state, OrgState) and state.enabled
    assert sorted(v.id for v in state.processes["gold"]) == [ids["v1"]]  # NameNorm families, as plan reads them
    assert "first response" in state.milestone_types and "us business hours" in state.business_hours


def test_with_entitlements_off_the_state_holds_only_business_hours(rsps):
    from slakit.deploy.plan import read_org
    from tests.fakes import FakeOrg

    state = read_org(FakeOrg(entitlements=False).install(rsps).client())
    assert not state.enabled and state.processes == {} and state.milestone_types == {} and state.open_cases == {}
