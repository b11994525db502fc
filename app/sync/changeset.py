"""Change-set files: one immutable batch of ops from one incarnation (SYNC.md 4.4, 4.13).

Layout (the envelope is frozen across format versions, so any reader can check integrity
before it looks at the version):

    LEADLINE-SYNC <header JSON>\\n
    <body: gzip(JSON lines of ops), AES-256-GCM encrypted when a team key is used>
    LEADLINE-END <64 hex: sha256 of everything before this line>\\n

The fixed-size trailer makes truncation detectable without parsing the body, and gzip's own
CRC/length catches it a second time. With encryption the header line is the GCM associated data,
so a header cannot be swapped onto another body.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.sync.ops import Op, OpFormatError, make_op_id, op_from_dict, op_to_dict

MAGIC = b"LEADLINE-SYNC "
TRAILER_MAGIC = b"LEADLINE-END "
FORMAT_VERSION = 1
_TRAILER_LEN = len(TRAILER_MAGIC) + 64 + 1
# Ids end up in file names: ASCII lower-case alnum only (Windows/OneDrive rules, SYNC.md 4.6).
_ID_RE = re.compile(r"^[a-z0-9]{1,40}$")
# scrypt cost accepted from a header: bounded so a hostile file cannot make us allocate GBs.
_SCRYPT_MAX_N = 2**20
DEFAULT_SCRYPT = {"n": 2**15, "r": 8, "p": 1}


class ChangeSetError(Exception):
    """Base of every reason a file is not applied."""


class TruncatedFile(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Incomplete (still uploading, partial download, placeholder): retry later, never delete."""


class EmptyFile(TruncatedFile):
    """Zero bytes: typically a cloud placeholder not yet hydrated."""


class ChecksumMismatch(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Complete-looking file whose content does not match its trailer (or fails authentication)."""


class NotASyncFile(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Something else (desktop.ini, a stray document)."""


class NewerFormat(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Written by a newer app: keep the file untouched and tell the user to update."""

    def __init__(self, version: int, supported: int = FORMAT_VERSION) -> None:
        super().__init__(f"file needs format version {version}; this app reads up to {supported}")
        self.version = version


class WrongPassphrase(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Encrypted with a key we do not have: a clear, user-visible error, never a silent skip."""


class PassphraseRequired(WrongPassphrase):
    """Encrypted file but no team passphrase configured."""


class InvalidChangeSet(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Checksum fine but the content breaks the format rules (bad header, ops outside the range)."""


@dataclass(frozen=True, slots=True)
class ChangeSet:
    device: str
    incarnation: str
    seq_first: int
    seq_last: int
    ops: tuple[Op, ...]
    format_version: int = FORMAT_VERSION
    key_id: str | None = None  # set on decoded encrypted files

    @classmethod
    def build(cls, device: str, incarnation: str, ops: Sequence[Op]) -> ChangeSet:
        """A change set of consecutive own ops (dense seq, as Replica.own_ops returns them)."""
        if not ops:
            raise ValueError("a change set holds at least one op")
        first = int(ops[0].op_id.rpartition(":")[2])
        cs = cls(device, incarnation, first, first + len(ops) - 1, tuple(ops))
        cs.validate()
        return cs

    def validate(self) -> None:
        if not _ID_RE.match(self.device) or not _ID_RE.match(self.incarnation):
            raise InvalidChangeSet(f"device/incarnation ids must match {_ID_RE.pattern}")
        if self.seq_first < 1 or self.seq_last < self.seq_first:
            raise InvalidChangeSet(f"bad sequence range {self.seq_first}..{self.seq_last}")
        expected = [make_op_id(self.incarnation, s) for s in range(self.seq_first, self.seq_last + 1)]
        if [op.op_id for op in self.ops] != expected:
            raise InvalidChangeSet("ops must be exactly the incarnation's seq range, in order")

    def file_name(self) -> str:
        return f"{self.device}-{self.incarnation}-{self.seq_first:010d}-{self.seq_last:010d}.lsync"


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


def seal(magic: bytes, header: dict[str, Any], plain: bytes, key: TeamKey | None = None) -> bytes:
    """The envelope shared by every Leadline sync file (change sets, snapshots).

    ``magic`` header line, ``gzip(plain)`` body (AES-256-GCM encrypted with the header line as
    associated data when ``key`` is given, the ``enc`` header field is added here), sha256
    trailer. ``header`` must already hold ``format`` and ``min_reader``.
    """
    # mtime=0: the same content always gives the same bytes, so re-publishing is recognised as a no-op.
    body = gzip.compress(plain, compresslevel=6, mtime=0)
    header = dict(header)
    nonce = b""
    raw_key = b""
    if key is not None:
        params = key.params
        raw_key = key.key_for(key.salt, params["n"], params["r"], params["p"])
        nonce = os.urandom(12)
        header["enc"] = {
            "alg": "AES-256-GCM",
            "kdf": "scrypt",
            "salt": _b64(key.salt),
            **params,
            "key_id": TeamKey.key_id(raw_key),
            "nonce": _b64(nonce),
        }
    header_line = magic + json.dumps(header, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    if key is not None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        body = AESGCM(raw_key).encrypt(nonce, body, header_line)
    content = header_line + body
    return content + TRAILER_MAGIC + hashlib.sha256(content).hexdigest().encode() + b"\n"


def encode(cs: ChangeSet, key: TeamKey | None = None) -> bytes:
    cs.validate()
    lines = b"".join(
        json.dumps(op_to_dict(op), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        for op in cs.ops
    )
    header: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "min_reader": FORMAT_VERSION,
        "device": cs.device,
        "inc": cs.incarnation,
        "seq_first": cs.seq_first,
        "seq_last": cs.seq_last,
        "op_count": len(cs.ops),
    }
    return seal(MAGIC, header, lines, key)


def _header_int(header: dict[str, Any], name: str) -> int:
    value = header.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidChangeSet(f"header field {name!r} must be an integer")
    return value


def unseal(
    data: bytes, magic: bytes, key: TeamKey | None = None, supported: int = FORMAT_VERSION
) -> tuple[dict[str, Any], bytes, str | None]:
    """Verify an envelope written by ``seal``: returns (header, decompressed body, key id).

    Raises the ChangeSetError subclass naming why the file cannot be used: empty or truncated
    (retry later), checksum, not ours (other magic), newer format (``min_reader`` > ``supported``),
    passphrase required or wrong, invalid header."""
    if not data:
        raise EmptyFile("zero-byte file")
    if not data.startswith(magic):
        if magic.startswith(data):
            raise TruncatedFile("file ends inside the header")
        raise NotASyncFile(f"no {magic.decode().strip()} header")
    trailer = data[-_TRAILER_LEN:]
    complete = trailer.startswith(TRAILER_MAGIC) and trailer.endswith(b"\n")
    if len(data) < len(magic) + _TRAILER_LEN or not complete:
        raise TruncatedFile("no trailer: incomplete file")
    content = data[:-_TRAILER_LEN]
    if hashlib.sha256(content).hexdigest().encode() != trailer[len(TRAILER_MAGIC) : -1]:
        raise ChecksumMismatch("sha256 does not match the trailer")
    # From here on the bytes are exactly what the author wrote.
    end = content.find(b"\n")
    if end < 0:
        raise InvalidChangeSet("header line not terminated")
    header_line, body = content[: end + 1], content[end + 1 :]
    try:
        header = json.loads(header_line[len(magic) :])
    except ValueError as exc:
        raise InvalidChangeSet(f"header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise InvalidChangeSet("header is not an object")
    min_reader = _header_int(header, "min_reader")
    if min_reader > supported:
        raise NewerFormat(_header_int(header, "format"), supported)
    enc = header.get("enc")
    key_id: str | None = None
    if enc is not None:
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
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            body = AESGCM(raw_key).decrypt(nonce, body, header_line)
        except InvalidTag as exc:
            raise ChecksumMismatch("encrypted body failed authentication") from exc
    try:
        plain = gzip.decompress(body)
    except (OSError, EOFError, zlib.error) as exc:
        raise TruncatedFile(f"compressed body incomplete: {exc}") from exc
    return header, plain, key_id


def decode(data: bytes, key: TeamKey | None = None) -> ChangeSet:
    """Parse and verify a change-set file; raises a ChangeSetError subclass, never applies half."""
    header, plain, key_id = unseal(data, MAGIC, key)
    try:
        # One parse for the whole body (one JSON object per line): much cheaper than a
        # json.loads call per op for files of 20,000 ops.
        lines = plain.splitlines()
        ops = tuple(op_from_dict(d) for d in json.loads(b"[" + b",".join(lines) + b"]")) \
            if lines else ()
    except (ValueError, OpFormatError) as exc:
        raise InvalidChangeSet(f"bad op: {exc}") from exc
    device, inc = header.get("device"), header.get("inc")
    if not isinstance(device, str) or not isinstance(inc, str):
        raise InvalidChangeSet("header lacks device/incarnation")
    if _header_int(header, "op_count") != len(ops):
        raise InvalidChangeSet("op count does not match the header")
    cs = ChangeSet(
        device, inc, _header_int(header, "seq_first"), _header_int(header, "seq_last"), ops,
        _header_int(header, "format"), key_id,
    )
    cs.validate()
    return cs
