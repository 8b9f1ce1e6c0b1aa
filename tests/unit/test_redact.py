"""slakit.org.redact: the one home of token redaction (the CLI's error lines and the org
connection's wrapped exceptions both go through it)."""

from slakit.org.redact import one_line, redact


def test_one_line_redacts_every_token_shape_the_cli_redacts():
    exc = RuntimeError("refused:\n  Authorization: Bearer abc.secret.value\n  refresh_token=5Aep861234567890xyz")
    text = one_line(exc)
    assert "\n" not in text
    assert "abc.secret.value" not in text and "5Aep861234567890xyz" not in text
    assert text == redact("refused: Authorization: Bearer abc.secret.value refresh_token=5Aep861234567890xyz")


def test_one_line_is_cut_at_the_limit():
    assert len(one_line(ValueError("x" * 1000))) == 300
    assert one_line(ValueError("a  b"), limit=2) == "a "
