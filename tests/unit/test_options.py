"""slakit.options: how a CumulusCI task's option values (YAML values from cumulusci.yml, strings
from `cci task run -o`) become the typed options object, and how an error names the option."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from slakit.backfill.options import BackfillOptions
from slakit.deploy.options import DeployOptions
from slakit.errors import UsageError
from slakit.render.options import RenderOptions
from slakit.smoke.options import SmokeOptions, parse_duration

ALL = (RenderOptions, DeployOptions, BackfillOptions, SmokeOptions)


@pytest.mark.parametrize("given, expected", [(True, True), ("True", True), ("false", False), ("1", True),
                                             ("no", False)])
def test_task_booleans_read_as_cumulusci_writes_them(given, expected):
    assert BackfillOptions.from_task({"dry_run": given}).dry_run is expected


@pytest.mark.parametrize("given", ["Gold, Platinum", ["Gold", "Platinum"], '["Gold", "Platinum"]'])
def test_task_lists_are_a_yaml_list_commas_or_json(given):
    assert SmokeOptions.from_task({"tier": given}).tier == ("Gold", "Platinum")


def test_task_values_take_the_field_types_and_the_task_defaults():
    opts = BackfillOptions.from_task({"batch_size": "50", "allow_production": "true"})
    assert (opts.batch_size, opts.yes, opts.tiers, opts.via) == (50, True, Path("tiers.yml"), "task")
    assert DeployOptions.from_task({}).tiers == Path("tiers.yml")  # the task's default; the CLI has none
    assert DeployOptions(rendered_dir=Path("out")).tiers is None
    assert SmokeOptions.from_task({"actions_timeout": 600}).actions_timeout == 600.0  # seconds


@pytest.mark.parametrize("options, line", [
    ({"dry_run": "maybe"}, "dry_run: 'maybe' is not true or false"),
    ({"batch_size": "many"}, "batch_size: 'many' is not a whole number"),
    ({"batch_size": True}, "batch_size: 'True' is not a whole number"),
    ({"bulk": "sometimes"}, "bulk: 'sometimes' is not one of auto, always, never"),
    ({"sla_start": "later"}, "sla_start: sla_start 'later' is not one of now, created"),
    ({"start": "2026-01-01"}, "start: unknown option start (options: tiers, tier, dry_run, cases, batch_size, "
                              "bulk, allow_production, sla_start)"),
])
def test_a_bad_task_value_names_the_task_option(options, line):
    with pytest.raises(UsageError) as exc:
        BackfillOptions.from_task(options)
    assert exc.value.lines() == [line]


def test_the_command_line_names_its_flag():
    with pytest.raises(UsageError) as exc:
        BackfillOptions(tiers=Path("t.yml"), batch_size=500)
    assert exc.value.lines() == ["--batch-size: 500 is out of range (sObject Collections take 1 to 200)"]
    with pytest.raises(UsageError) as exc:
        SmokeOptions(actions_timeout=0, via="task")
    assert exc.value.lines() == ["actions_timeout: actions_timeout must be positive"]


def test_cci_special_options_are_not_unknown():
    assert RenderOptions.from_task({"debug_before": True, "no_prompt": True}) == RenderOptions()


@pytest.mark.parametrize("cls", ALL, ids=[c.__name__ for c in ALL])
def test_every_field_has_one_flag_and_at_most_one_task_option(cls):
    fields = [f for f in dataclasses.fields(cls) if f.name != "via"]
    flags = [f.metadata["flag"] for f in fields]
    tasks = [f.metadata["task"] for f in fields if f.metadata["task"]]
    assert len(set(flags)) == len(flags) and len(set(tasks)) == len(tasks)
    assert all(f.metadata["help"] for f in fields)
    assert set(cls.task_options()) == set(tasks)


@pytest.mark.parametrize("text, seconds", [("75m", 4500), ("1h30m", 5400), ("90s", 90), ("20", 1200)])
def test_durations(text, seconds):
    assert parse_duration(text, "--actions-timeout") == seconds


@pytest.mark.parametrize("text", ["soon", "0", "5x", ""])
def test_bad_durations(text):
    with pytest.raises(UsageError):
        parse_duration(text, "--actions-timeout")
