"""Test doubles answered at the HTTP layer (see tests/fakes/org.py for the fake org; what each fake
models, what it does not and the sources behind it: tests/fakes/README.md)."""

from tests.fakes.org import INSTANCE_URL, SESSION_ID, FakeOrg, sf_datetime

__all__ = ["FakeOrg", "INSTANCE_URL", "SESSION_ID", "sf_datetime"]
