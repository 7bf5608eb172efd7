"""Encrypt repository access tokens at rest.

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from a settings
secret by HKDF, so any string of enough entropy works as the secret.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class TokenDecryptError(Exception):
    """The ciphertext was not made with this key (or was tampered with)."""


def _fernet(secret: str) -> Fernet:
    if not secret:
        raise ValueError("an encryption secret is required")
    raw = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"repotrackr-token-box", info=b"access-token"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(raw))


def encrypt_token(token: str, key: str) -> str:
    return _fernet(key).encrypt(token.encode()).decode()


def decrypt_token(ciphertext: str, key: str) -> str:
    try:
        return _fernet(key).decrypt(ciphertext.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise TokenDecryptError("the stored access token cannot be decrypted") from exc
