"""How finished pages reach the PDF file without the whole document ever sitting in memory.

reportlab keeps every page until ``save()`` and then builds the file as one bytes object: a
100,000-lead list (3,000 pages) would hold its PDF two or three times over. Here each page is
deflated as soon as it is finished and parked in a temporary file; when reportlab writes the
document, its output goes straight to the target file and each page is read back in turn.
"""

from __future__ import annotations

import tempfile
import zlib
from typing import IO, Any

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFPage, PDFStream
from reportlab.pdfgen.canvas import Canvas


class PageSpool:
    """Compressed page contents on disk, and the switch of reportlab's output to the target."""

    def __init__(self, target: IO[bytes]) -> None:
        self._target = target
        # Open for the whole render: closed by close() (render() sees to it when a build fails).
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="leadline-pages-")  # noqa: SIM115
        self._size = 0
        self._direct = False

    def park(self, data: bytes) -> tuple[int, int]:
        """Store one page's content; returns (offset, length) to read it back by."""
        offset = self._size
        self._file.seek(offset)
        self._file.write(data)
        self._size += len(data)
        return offset, len(data)

    def read(self, offset: int, length: int) -> bytes:
        self._file.seek(offset)
        return self._file.read(length)

    def write_directly(self, collector: Any) -> None:
        """Make reportlab's output collector (a ``pdfdoc.PDFFile``) write to the target file
        from now on, after what it has collected so far. Its offsets stay right: it counts the
        bytes it is given whatever it does with them, and the target starts empty."""
        if self._direct:
            return
        for piece in collector.strings:
            self._target.write(piece)
        collector.strings.clear()
        collector.write = self._target.write
        self._direct = True

    def close(self) -> None:
        self._file.close()


# What PDFPage.check_format sets on a page as it is written (nothing reads them afterwards).
_BUILT_WHEN_WRITTEN = frozenset({"Resources", "MediaBox", "Annots", "Parent"})
# Every page stream is deflated; reportlab copies a stream's dictionary before adding to it.
_DEFLATED = PDFDictionary({"Filter": PDFArray([PDFName("FlateDecode")])})


class _SpooledPageStream(PDFStream):
    """A page's content stream: until it is written, only where its bytes are in the spool."""

    def __init__(self, spool: PageSpool, data: bytes) -> None:
        # Not PDFStream.__init__: a 3,000-page list keeps 3,000 of these until the file is
        # written, and what that would hold per stream is the same for all of them.
        self._spool = spool
        self._where = spool.park(data)

    def format(self, document: Any) -> bytes:
        self._spool.write_directly(document.__accum__)
        written = PDFStream(_DEFLATED, self._spool.read(*self._where))
        return bytes(written.format(document))


class _SpooledPage(PDFPage):
    """A finished page holding only what differs from a blank page, until it is written.

    reportlab gives each page some thirty attributes, most of them None or empty, and builds
    its resources only when writing it: what it built is dropped again once the page is out.
    """

    ExtGState = None
    _shadingUsed: dict[str, Any] = {}  # noqa: N815 - reportlab's name; read only, as PDFPage's

    def format(self, document: Any) -> bytes:
        # The page objects are the first big ones reportlab writes (before their streams):
        # from here on its output goes to the target file instead of a list in memory.
        self._spool.write_directly(document.__accum__)
        try:
            return bytes(super().format(document))
        finally:  # a fresh dict: one that grew while writing would keep its size
            self.__dict__ = {name: value for name, value in vars(self).items()
                             if name not in _BUILT_WHEN_WRITTEN}

    @classmethod
    def slim(cls, page: PDFPage, spool: PageSpool, shared: dict[Any, Any]) -> None:
        """Turn a just finished PDFPage into one of these, sharing the XObject dictionary
        (the footer's page-total form on every page) with the pages that use the same forms."""
        kept = {name: value for name, value in vars(page).items()
                if not (_empty(value) and hasattr(cls, name))}
        xobjects = kept.get("XObjects")
        if isinstance(xobjects, PDFDictionary):
            kept["XObjects"] = shared.setdefault(tuple(sorted(xobjects.dict)), xobjects)
        page.__class__ = cls
        page.__dict__ = {**kept, "_spool": spool}


for _name in PDFPage.__NoDefault__:  # unset attributes read as None, as PDFPage sets them
    setattr(_SpooledPage, _name, None)


def _empty(value: Any) -> bool:
    """None, or an empty dict, list or PDF dictionary: what a blank page has."""
    if isinstance(value, PDFDictionary):
        return not value.dict
    return value is None or (isinstance(value, dict | list) and not value)


class SpoolingCanvas(Canvas):
    """A canvas that deflates each finished page at once and keeps it on disk until saved."""

    def __init__(self, target: IO[bytes], *args: Any, **kwargs: Any) -> None:
        super().__init__(target, *args, **kwargs)
        self.spool = PageSpool(target)
        self._shared_xobjects: dict[Any, Any] = {}

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        super().showPage()
        pages = self._doc.Pages.pages
        page = pages[-1] if pages else None
        stream = getattr(page, "stream", None)
        if page is None or not stream or page.Contents:
            return
        data = stream.encode("utf8") if isinstance(stream, str) else stream
        page.Contents, page.stream = _SpooledPageStream(self.spool, zlib.compress(data)), None
        _SpooledPage.slim(page, self.spool, self._shared_xobjects)

    def save(self) -> None:
        try:
            super().save()
        finally:
            self.spool.close()
