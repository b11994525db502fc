"""The envelope every Leadline sync file shares (change sets, snapshots): header, body, trailer.

Layout (frozen across format versions, so any reader can check integrity before it looks at
the version):

    <magic> <header JSON>\\n
    <body: gzip(content), AES-256-GCM encrypted when a team key is used>
    LEADLINE-END <64 hex: sha256 of everything before this line>\\n

The fixed-size trailer makes truncation detectable without parsing the body, and gzip's own
CRC/length catches it a second time. With encryption the header line is the GCM associated data,
so a header cannot be swapped onto another body.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from app.sync.errors import (
    ChecksumMismatch,
    EmptyFile,
    InvalidChangeSet,
    NewerFormat,
    NotASyncFile,
    TruncatedFile,
)
from app.sync.teamkey import GCM_TAG_LEN, TeamKey, decryption_for, encryption_for

TRAILER_MAGIC = b"LEADLINE-END "
_TRAILER_LEN = len(TRAILER_MAGIC) + 64 + 1
# Files are read and hashed in blocks of this size (snapshots can be large).
READ_BLOCK = 1 << 20


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


def header_int(header: dict[str, Any], name: str) -> int:
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
                  *, supported: int) -> Envelope:
    """Verify a file written by ``seal`` without holding it in memory: checksum over its
    bytes (read in blocks), header, format and passphrase. The body is read afterwards with
    ``iter_body``.

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
    min_reader = header_int(header, "min_reader")
    if min_reader > supported:
        raise NewerFormat(header_int(header, "format"), supported)
    envelope = Envelope(header, header_line, end + 1, size - _TRAILER_LEN, file_hash.hexdigest())
    enc = header.get("enc")
    if enc is None:
        return envelope
    key_id, raw_key, nonce = decryption_for(enc, key)
    if envelope.body_end - envelope.body_start < GCM_TAG_LEN:
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

        source.seek(end - GCM_TAG_LEN)
        tag = source.read(GCM_TAG_LEN)
        end -= GCM_TAG_LEN
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
    data: bytes, magic: bytes, key: TeamKey | None = None, *, supported: int
) -> tuple[dict[str, Any], bytes, str | None]:
    """Verify an envelope written by ``seal``: returns (header, decompressed body, key id).
    Raises what ``open_envelope`` raises."""
    source = io.BytesIO(data)
    envelope = open_envelope(source, len(data), magic, key, supported=supported)
    return envelope.header, b"".join(iter_body(source, envelope)), envelope.key_id
