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
import io
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from app.sync.ops import Op, OpFormatError, encode_op, make_op_id, op_from_dict

MAGIC = b"LEADLINE-SYNC "
TRAILER_MAGIC = b"LEADLINE-END "
# 2: an op sets several fields of a row (an edit, a captured row) instead of one; format-1 files
# are still read. Readers of format 1 refuse format-2 files as newer (they keep and report them).
FORMAT_VERSION = 2
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
        return changeset_file_name(self.device, self.incarnation, self.seq_first, self.seq_last)


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


_GCM_TAG_LEN = 16
# Files are read and hashed in blocks of this size (snapshots can be large).
READ_BLOCK = 1 << 20


def encryption_for(key: TeamKey) -> tuple[dict[str, Any], bytes, bytes]:
    """(``enc`` header field, raw key, nonce) for a new file written with ``key``."""
    params = key.params
    raw_key = key.key_for(key.salt, params["n"], params["r"], params["p"])
    nonce = os.urandom(12)
    enc = {"alg": "AES-256-GCM", "kdf": "scrypt", "salt": _b64(key.salt), **params,
           "key_id": TeamKey.key_id(raw_key), "nonce": _b64(nonce)}
    return enc, raw_key, nonce


def header_line_of(magic: bytes, header: dict[str, Any]) -> bytes:
    return magic + json.dumps(header, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def trailer_of(content_sha256: str) -> bytes:
    return TRAILER_MAGIC + content_sha256.encode() + b"\n"


def seal(magic: bytes, header: dict[str, Any], plain: bytes, key: TeamKey | None = None) -> bytes:
    """The envelope shared by every Leadline sync file (change sets, snapshots).

    ``magic`` header line, ``gzip(plain)`` body (AES-256-GCM encrypted with the header line as
    associated data when ``key`` is given, the ``enc`` header field is added here), sha256
    trailer. ``header`` must already hold ``format`` and ``min_reader``.
    """
    # mtime=0: the same content always gives the same bytes, so re-publishing is recognised as a no-op.
    body = gzip.compress(plain, compresslevel=6, mtime=0)
    header = dict(header)
    if key is not None:
        header["enc"], raw_key, nonce = encryption_for(key)
    header_line = header_line_of(magic, header)
    if key is not None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        body = AESGCM(raw_key).encrypt(nonce, body, header_line)
    content = header_line + body
    return content + trailer_of(hashlib.sha256(content).hexdigest())


def encode(cs: ChangeSet, key: TeamKey | None = None) -> bytes:
    cs.validate()
    return encode_lines(cs.device, cs.incarnation, cs.seq_first, cs.seq_last,
                        [encode_op(op).encode() for op in cs.ops], key)


def encode_lines(device: str, incarnation: str, seq_first: int, seq_last: int,
                 lines: Sequence[bytes], key: TeamKey | None = None) -> bytes:
    """A change-set file from op texts (one JSON op each, seq_first..seq_last in order), as
    the local log stores them: publishing does not parse and re-encode every op."""
    if not _ID_RE.match(device) or not _ID_RE.match(incarnation):
        raise InvalidChangeSet(f"device/incarnation ids must match {_ID_RE.pattern}")
    if len(lines) != seq_last - seq_first + 1 or seq_first < 1:
        raise InvalidChangeSet(f"{len(lines)} ops for the range {seq_first}..{seq_last}")
    header: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "min_reader": FORMAT_VERSION,
        "device": device,
        "inc": incarnation,
        "seq_first": seq_first,
        "seq_last": seq_last,
        "op_count": len(lines),
    }
    return seal(MAGIC, header, b"".join(line + b"\n" for line in lines), key)


def changeset_file_name(device: str, incarnation: str, seq_first: int, seq_last: int) -> str:
    return f"{device}-{incarnation}-{seq_first:010d}-{seq_last:010d}.lsync"


def _header_int(header: dict[str, Any], name: str) -> int:
    value = header.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidChangeSet(f"header field {name!r} must be an integer")
    return value


@dataclass(frozen=True, slots=True)
class Envelope:
    """A verified file (see ``open_envelope``): its header and where its body is."""

    header: dict[str, Any]
    header_line: bytes
    body_start: int
    body_end: int
    sha256: str  # of the whole file: its identity in the processed-files index
    key_id: str | None = None
    raw_key: bytes | None = None
    nonce: bytes | None = None


def open_envelope(source: BinaryIO, size: int, magic: bytes, key: TeamKey | None = None,
                  supported: int = FORMAT_VERSION) -> Envelope:
    """Verify a file written by ``seal`` without holding it in memory: checksum over its
    bytes (read in blocks), header, format and passphrase. The body is read afterwards with
    ``read_body`` or ``iter_body``.

    Raises the ChangeSetError subclass naming why the file cannot be used: empty or truncated
    (retry later), checksum, not ours (other magic), newer format (``min_reader`` > ``supported``),
    passphrase required or wrong, invalid header."""
    if size == 0:
        raise EmptyFile("zero-byte file")
    source.seek(0)
    prefix = source.read(len(magic))
    if prefix != magic:
        if magic.startswith(prefix):
            raise TruncatedFile("file ends inside the header")
        raise NotASyncFile(f"no {magic.decode().strip()} header")
    if size < len(magic) + _TRAILER_LEN:
        raise TruncatedFile("no trailer: incomplete file")
    source.seek(size - _TRAILER_LEN)
    trailer = source.read(_TRAILER_LEN)
    if not (trailer.startswith(TRAILER_MAGIC) and trailer.endswith(b"\n")):
        raise TruncatedFile("no trailer: incomplete file")
    content_hash, file_hash = hashlib.sha256(), hashlib.sha256()
    source.seek(0)
    left = size - _TRAILER_LEN
    first_block = b""
    while left > 0:
        block = source.read(min(READ_BLOCK, left))
        if not block:
            raise TruncatedFile("file shorter than it was")
        if not first_block:
            first_block = block
        content_hash.update(block)
        file_hash.update(block)
        left -= len(block)
    file_hash.update(trailer)
    if content_hash.hexdigest().encode() != trailer[len(TRAILER_MAGIC) : -1]:
        raise ChecksumMismatch("sha256 does not match the trailer")
    # From here on the bytes are exactly what the author wrote.
    end = first_block.find(b"\n")
    if end < 0:
        raise InvalidChangeSet("header line not terminated")
    header_line = first_block[: end + 1]
    try:
        header = json.loads(header_line[len(magic) :])
    except ValueError as exc:
        raise InvalidChangeSet(f"header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise InvalidChangeSet("header is not an object")
    min_reader = _header_int(header, "min_reader")
    if min_reader > supported:
        raise NewerFormat(_header_int(header, "format"), supported)
    envelope = Envelope(header, header_line, end + 1, size - _TRAILER_LEN, file_hash.hexdigest())
    enc = header.get("enc")
    if enc is None:
        return envelope
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
    if envelope.body_end - envelope.body_start < _GCM_TAG_LEN:
        raise ChecksumMismatch("encrypted body too short")
    return Envelope(header, header_line, envelope.body_start, envelope.body_end, envelope.sha256,
                    key_id, raw_key, nonce)


def iter_body(source: BinaryIO, envelope: Envelope) -> Iterator[bytes]:
    """The decompressed body in blocks (decrypted on the way; the authentication tag and the
    gzip trailer are checked at its end, so a consumer must read it to the end to trust it)."""
    decryptor = None
    end = envelope.body_end
    if envelope.raw_key is not None:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        source.seek(end - _GCM_TAG_LEN)
        tag = source.read(_GCM_TAG_LEN)
        end -= _GCM_TAG_LEN
        decryptor = Cipher(algorithms.AES(envelope.raw_key), modes.GCM(envelope.nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(envelope.header_line)
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    source.seek(envelope.body_start)
    left = end - envelope.body_start
    while left > 0:
        block = source.read(min(READ_BLOCK, left))
        if not block:
            raise TruncatedFile("file shorter than it was")
        left -= len(block)
        if decryptor is not None:
            block = decryptor.update(block)
        try:
            plain = inflate.decompress(block)
        except zlib.error as exc:
            raise TruncatedFile(f"compressed body incomplete: {exc}") from exc
        if plain:
            yield plain
    if decryptor is not None:
        from cryptography.exceptions import InvalidTag

        try:
            decryptor.finalize()
        except InvalidTag as exc:
            raise ChecksumMismatch("encrypted body failed authentication") from exc
    if not inflate.eof:
        raise TruncatedFile("compressed body incomplete")


def iter_lines(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of a stream of blocks (without their newlines)."""
    pending = b""
    for block in blocks:
        pending += block
        *complete, pending = pending.split(b"\n")
        yield from complete
    if pending:
        yield pending


def unseal(
    data: bytes, magic: bytes, key: TeamKey | None = None, supported: int = FORMAT_VERSION
) -> tuple[dict[str, Any], bytes, str | None]:
    """Verify an envelope written by ``seal``: returns (header, decompressed body, key id).
    Raises what ``open_envelope`` raises."""
    source = io.BytesIO(data)
    envelope = open_envelope(source, len(data), magic, key, supported)
    return envelope.header, b"".join(iter_body(source, envelope)), envelope.key_id


@dataclass(frozen=True, slots=True)
class ChangeFile:
    """A verified change-set file whose ops are parsed a batch at a time (``ops``): a big file
    never becomes a big list of objects."""

    device: str
    incarnation: str
    seq_first: int
    seq_last: int
    lines: tuple[bytes, ...]
    format_version: int = FORMAT_VERSION
    key_id: str | None = None

    def ops(self, start: int = 0, stop: int | None = None) -> list[Op]:
        return [op_from_dict(json.loads(line)) for line in self.lines[start:stop]]


def read_changeset(data: bytes, key: TeamKey | None = None) -> ChangeFile:
    """Parse and verify a change-set file: every op is checked once (ids, range, format) but
    only their texts are kept. Raises a ChangeSetError subclass, so nothing of a bad file is
    ever applied."""
    header, plain, key_id = unseal(data, MAGIC, key)
    device, inc = header.get("device"), header.get("inc")
    if not isinstance(device, str) or not isinstance(inc, str):
        raise InvalidChangeSet("header lacks device/incarnation")
    if not _ID_RE.match(device) or not _ID_RE.match(inc):
        raise InvalidChangeSet(f"device/incarnation ids must match {_ID_RE.pattern}")
    first, last = _header_int(header, "seq_first"), _header_int(header, "seq_last")
    lines = tuple(plain.splitlines())
    if _header_int(header, "op_count") != len(lines):
        raise InvalidChangeSet("op count does not match the header")
    if first < 1 or last - first + 1 != len(lines):
        raise InvalidChangeSet(f"bad sequence range {first}..{last}")
    try:
        for seq, line in enumerate(lines, start=first):
            if op_from_dict(json.loads(line)).op_id != make_op_id(inc, seq):
                raise InvalidChangeSet("ops must be exactly the incarnation's seq range, in order")
    except (ValueError, OpFormatError) as exc:
        if isinstance(exc, InvalidChangeSet):
            raise
        raise InvalidChangeSet(f"bad op: {exc}") from exc
    return ChangeFile(device, inc, first, last, lines, _header_int(header, "format"), key_id)


def decode(data: bytes, key: TeamKey | None = None) -> ChangeSet:
    """Parse and verify a change-set file; raises a ChangeSetError subclass, never applies half."""
    found = read_changeset(data, key)
    return ChangeSet(found.device, found.incarnation, found.seq_first, found.seq_last, tuple(found.ops()),
                     found.format_version, found.key_id)
