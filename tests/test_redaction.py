import logging

from turnout.redaction import RedactingFilter, redact, redact_url, register_secret


def test_registered_secret_is_masked_everywhere():
    register_secret("sk-live-abcdef123456")
    assert redact("key=sk-live-abcdef123456 failed") == "key=*** failed"


def test_url_credentials_are_masked():
    url = "https://u:pw@example.test/v1/x?api_key=zzz&page=2"
    assert redact_url(url) == "https://***@example.test/v1/x?api_key=***&page=2"


def test_filter_masks_log_records():
    register_secret("tok-0987654321")
    record = logging.LogRecord(
        "t", logging.INFO, "f", 1, "using %s and Bearer xyz.123", ("tok-0987654321",), None
    )
    RedactingFilter().filter(record)
    assert record.getMessage() == "using *** and Bearer ***"
