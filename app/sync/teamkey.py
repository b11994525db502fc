"""The team passphrase's AES-256-GCM key: derivation (scrypt), and the ``enc`` header field of a file."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

from app.sync.errors import InvalidChangeSet, PassphraseRequired, WrongPassphrase

# scrypt cost accepted from a header: bounded so a hostile file cannot make us allocate GBs.
_SCRYPT_MAX_N = 2**20
DEFAULT_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
GCM_TAG_LEN = 16


class TeamKey:
    """A passphrase-derived AES-256-GCM key. Derivation (scrypt) is cached per salt because it is
    deliberately slow; the writer's salt travels in each header, readers derive once per salt."""

    def __init__(
        self, passphrase: str, salt: bytes | None = None, scrypt_params: dict[str, int] | None = None
    ) -> None:
        if not passphrase:
            raise ValueError("empty passphrase")
        self._passphrase = passphrase.encode("utf-8")
        self.salt = salt if salt is not None else os.urandom(16)
        self.params = dict(scrypt_params or DEFAULT_SCRYPT)
        self._cache: dict[tuple[bytes, int, int, int], bytes] = {}

    def key_for(self, salt: bytes, n: int, r: int, p: int) -> bytes:
        cache_key = (salt, n, r, p)
        if cache_key not in self._cache:
            if n > _SCRYPT_MAX_N or n < 2 or n & (n - 1) or not (1 <= r <= 32 and 1 <= p <= 16):
                raise InvalidChangeSet(f"unacceptable scrypt parameters n={n} r={r} p={p}")
            self._cache[cache_key] = hashlib.scrypt(
                self._passphrase, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=256 * 1024 * 1024
            )
        return self._cache[cache_key]

    @staticmethod
    def key_id(key: bytes) -> str:
        # Lets a reader tell "wrong passphrase" from "corrupt file" before trying to decrypt.
        return hashlib.sha256(b"leadline-key-id\0" + key).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encryption_for(key: TeamKey) -> tuple[dict[str, Any], bytes, bytes]:
    """(``enc`` header field, raw key, nonce) for a new file written with ``key``."""
    params = key.params
    raw_key = key.key_for(key.salt, params["n"], params["r"], params["p"])
    nonce = os.urandom(12)
    enc = {"alg": "AES-256-GCM", "kdf": "scrypt", "salt": _b64(key.salt), **params,
           "key_id": TeamKey.key_id(raw_key), "nonce": _b64(nonce)}
    return enc, raw_key, nonce


def decryption_for(enc: Any, key: TeamKey | None) -> tuple[str, bytes, bytes]:
    """(key id, raw key, nonce) that open a file whose header holds ``enc``; raises
    InvalidChangeSet for an unknown or broken ``enc``, PassphraseRequired without ``key`` and
    WrongPassphrase when ``key`` is not the one the file was written with."""
    if not isinstance(enc, dict) or enc.get("alg") != "AES-256-GCM" or enc.get("kdf") != "scrypt":
        raise InvalidChangeSet(f"unsupported encryption {enc!r}")
    if key is None:
        raise PassphraseRequired("this file is encrypted: enter the team passphrase")
    try:
        salt = base64.b64decode(enc["salt"], validate=True)
        nonce = base64.b64decode(enc["nonce"], validate=True)
        raw_key = key.key_for(salt, int(enc["n"]), int(enc["r"]), int(enc["p"]))
        key_id = str(enc["key_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidChangeSet(f"bad encryption header: {exc}") from exc
    if TeamKey.key_id(raw_key) != key_id:
        raise WrongPassphrase("the team passphrase does not match the one this file was written with")
    return key_id, raw_key, nonce
