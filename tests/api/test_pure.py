"""The API's pure helpers: key text and the rate setting."""

import subprocess
import sys

import pytest

from api.pure.keys import key_digest, key_generate, key_matches, key_prefix
from api.pure.rates import Rate, rate_parse


def test_keys_are_long_random_and_carry_their_prefix():
    first, second = key_generate(), key_generate()
    assert first != second
    assert first.startswith("ot_") and len(first) >= 58
    assert key_prefix(first) == first[:15]
    assert key_matches(first, key_digest(first))
    assert not key_matches(second, key_digest(first))


@pytest.mark.parametrize(
    "text", ["", "ot_", "Bearer x", "ot_XYZ456789abc_secret", "ot_0123456789ab-secret", "xx_0123456789ab_s"]
)
def test_text_that_is_no_key_has_no_prefix(text):
    assert key_prefix(text) is None


@pytest.mark.parametrize(
    ("text", "rate"),
    [("600/m", Rate(600, 60)), ("100/10s", Rate(100, 10)), ("5000/h", Rate(5000, 3600)), ("1/2m", Rate(1, 120))],
)
def test_rates(text, rate):
    assert rate_parse(text) == rate


def settings_read(api_rate_limit: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import onetouch.settings.base"],
        env={"API_RATE_LIMIT": api_rate_limit, "DEBUG": "true", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("value", ["600/m", "100/10s", "5000/h"])
def test_the_settings_read_a_rate(value):
    assert settings_read(value).returncode == 0


@pytest.mark.parametrize("value", ["600", "600/d", "0/m", "10/0s", "ten/m"])
def test_a_rate_the_settings_cannot_read_stops_the_start(value):
    """The setting is validated when read, naming the variable (environs)."""
    result = settings_read(value)
    assert result.returncode != 0
    assert "API_RATE_LIMIT" in result.stderr
