"""Org access: connection (CumulusCI keychain -> simple-salesforce), sandbox guard, SOQL helpers,
and the translation of Salesforce errors into plain `OrgError` sentences."""
