"""Deploying rendered metadata with CumulusCI, and planning what a deploy would change.

The only slakit package that imports CumulusCI tasks (always inside functions):
  package    split a rendered Metadata API folder into ordered phase folders
  versions   entitlement process versions: file names, integer compare, version bump rewrite
  preflight  what the org must have before a deploy (Entitlement Management, hours, fields)
  metadata   CumulusCI Deploy / RetrieveUnpackaged runs in-process, failures as located problems
  plan       org state vs rendered files: add / change / version bump / unchanged
  run        `deploy_project` and `plan_project`, the functions the CLI and cci tasks call
"""
