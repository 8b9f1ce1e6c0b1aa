"""JSON Schema of tiers.yml, derived from the pydantic model, for editors."""

from __future__ import annotations

from typing import Any

from slakit.config.model import TiersFile


def json_schema() -> dict[str, Any]:
    schema = TiersFile.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "slakit tiers.yml"
    schema["description"] = "Support tiers for Salesforce Entitlement Management (slakit)."
    return schema
