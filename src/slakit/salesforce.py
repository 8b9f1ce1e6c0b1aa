"""Constants of the Salesforce platform that every layer shares (no slakit imports here).

- `DEFAULT_API_VERSION`: the API version used when neither tiers.yml (`api_version`) nor the
  CumulusCI project (`project.package.api_version`) names one.
- `MD_NS`: the Metadata API namespace every metadata file and package.xml is written in
  (Metadata API Developer Guide, "Metadata API Namespace").
"""

DEFAULT_API_VERSION = "62.0"
MD_NS = "http://soap.sforce.com/2006/04/metadata"
