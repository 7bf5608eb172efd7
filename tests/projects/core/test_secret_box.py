"""Access tokens encrypted at rest."""

import pytest

from projects.core.secret_box import TokenDecryptError, decrypt_token, encrypt_token

KEY = "a-long-settings-secret-for-tests"


def test_encrypted_token_round_trips():
    assert decrypt_token(encrypt_token("ghp_abc123", KEY), KEY) == "ghp_abc123"


def test_ciphertext_does_not_contain_the_token_and_differs_each_time():
    first, second = encrypt_token("ghp_abc123", KEY), encrypt_token("ghp_abc123", KEY)
    assert "ghp_abc123" not in first
    assert first != second


def test_a_different_key_cannot_decrypt_and_the_error_leaks_nothing():
    ciphertext = encrypt_token("ghp_abc123", KEY)
    with pytest.raises(TokenDecryptError) as excinfo:
        decrypt_token(ciphertext, "another-secret")
    assert ciphertext not in str(excinfo.value) and KEY not in str(excinfo.value)


def test_tampered_or_garbage_ciphertext_raises_decrypt_error():
    ciphertext = encrypt_token("ghp_abc123", KEY)
    for bad in (ciphertext[:-4] + "AAAA", "not-a-token", "é"):
        with pytest.raises(TokenDecryptError):
            decrypt_token(bad, KEY)


def test_old_keys_still_decrypt_after_rotation():
    ciphertext = encrypt_token("glpat-xyz", "old-secret")
    assert decrypt_token(ciphertext, "new-secret", old_keys=["old-secret"]) == "glpat-xyz"


def test_empty_key_is_refused():
    with pytest.raises(ValueError):
        encrypt_token("t", "")


def test_unicode_tokens_round_trip():
    assert decrypt_token(encrypt_token("tøkén", KEY), KEY) == "tøkén"
