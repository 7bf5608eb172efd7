"""Encrypt repository access tokens at rest.

Fernet (AES-128-CBC with HMAC-SHA256, timestamped) from ``cryptography``;
its key is derived with HKDF-SHA256 from a settings secret string, so any
long random string works as the setting and the derived key is never the
raw secret itself. Rotating the secret: pass the previous ones as
``old_keys`` to ``decrypt_token`` and re-encrypt with the new one.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"repotrackr repository access token v1"


class TokenDecryptError(ValueError):
    """The stored token cannot be decrypted with the configured key(s)."""


def _fernet(key: str) -> Fernet:
    if not key:
        raise ValueError("the token encryption key is empty")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_token(token: str, key: str) -> str:
    """Return ``token`` encrypted with a key derived from ``key`` (ASCII text).

    Each call gives a different ciphertext (random IV). An empty ``key``
    raises ``ValueError``.
    """
    return _fernet(key).encrypt(token.encode("utf-8")).decode("ascii")


def decrypt_token(ciphertext: str, key: str, *, old_keys: Iterable[str] = ()) -> str:
    """Return the token inside ``ciphertext``, trying ``key`` then ``old_keys``.

    Raises ``TokenDecryptError`` when no key fits or the text was altered;
    its message never contains the ciphertext or the key.
    """
    box = MultiFernet([_fernet(k) for k in (key, *old_keys)])
    try:
        return box.decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise TokenDecryptError(
            "the stored access token cannot be decrypted; set it again"
        ) from exc
