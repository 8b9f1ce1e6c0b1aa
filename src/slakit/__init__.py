"""slakit: Salesforce SLAs as code (tiers.yml -> Entitlement Management metadata, deploy, backfill, smoke, audit)."""

__version__ = "0.1.0"
