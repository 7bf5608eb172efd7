import pytest
from django.core.exceptions import ImproperlyConfigured

from repotrackr.env import env_rate


def test_env_rate_reads_attempts_per_seconds(monkeypatch):
    monkeypatch.setenv("X_RATE", " 7/60 ")
    assert env_rate("X_RATE", "5/300") == {"max_attempts": 7, "window_seconds": 60}


def test_env_rate_falls_back_to_the_default_when_unset_or_blank(monkeypatch):
    monkeypatch.setenv("X_RATE", "")
    assert env_rate("X_RATE", "5/300") == {"max_attempts": 5, "window_seconds": 300}


@pytest.mark.parametrize("raw", ["5", "5/", "/300", "five/300", "5/0", "-1/300", "5/300/2"])
def test_env_rate_rejects_malformed_values(monkeypatch, raw):
    monkeypatch.setenv("X_RATE", raw)
    with pytest.raises(ImproperlyConfigured, match="X_RATE"):
        env_rate("X_RATE", "5/300")
