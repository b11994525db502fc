"""How finished pages leave memory at once: each page is written out as soon as it is done.

reportlab keeps every page object until ``save()`` and then builds the file as one bytes
object, so a 100,000-lead list (3,000 pages) would hold all its pages and its PDF at once.
Here each page and its content stream are written to a temporary file the moment the page is
finished, and only their file offsets are kept (8 bytes an object). ``save()`` copies that
body to the target, then writes what is known only at the end (fonts, the page-total form,
the page tree), the cross-reference table and the trailer, all streamed.

A cancelled build never reaches ``save()``: the target is then left untouched.
"""

from __future__ import annotations

import shutil
import tempfile
from array import array
from typing import IO, Any

from reportlab.pdfbase.pdfdoc import (
    PDFDocument,
    PDFFile,
    PDFIndirectObject,
    PDFObject,
    PDFObjectReference,
    PDFPage,
    PDFPages,
    PDFStream,
    PDFTrailer,
    PDFZCompress,
)
from reportlab.pdfgen.canvas import Canvas

_NOT_WRITTEN = -1


class _PageNumbers(PDFObject):
    """A page tree's Kids array, formatted from the pages' object numbers alone."""

    def __init__(self, numbers: array[int]) -> None:
        self._numbers = numbers

    def format(self, document: Any) -> bytes:
        return b"[" + b" ".join(b"%d 0 R" % number for number in self._numbers) + b"]"


class _StreamedPages(PDFPages):
    """The page tree: it knows its pages by object number, the pages themselves are gone."""

    def __init__(self) -> None:
        super().__init__()
        self.numbers: array[int] = array("l")

    def check_format(self, document: Any) -> None:
        self.Kids = _PageNumbers(self.numbers)
        self.Count = len(self.numbers)


class StreamingDocument(PDFDocument):
    """A ``PDFDocument`` that writes each page (and its content stream) as it is added.

    A page may use a form drawn only later (the footer's page total): its object number is
    reserved when the page is written and given to the form when the form is defined. Pages
    can't be referred to by name once written (no outlines or links to pages).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._reserved: dict[str, int] = {}  # before super(): its __init__ registers objects
        super().__init__(*args, **kwargs)
        pages = self.Pages = self.Catalog.Pages = _StreamedPages()
        self._page_tree = pages
        self._offsets: array[int] = array("q", [_NOT_WRITTEN])  # by object number; 0 is free
        # Open until save() or close(): render() closes it when a build fails.
        self._body: IO[bytes] = tempfile.TemporaryFile(prefix="leadline-pages-")  # noqa: SIM115
        header = PDFFile(self._pdfVersion)
        self._size = 0
        for piece in header.strings:
            self._emit(self._body, piece)

    def close(self) -> None:
        self._body.close()

    def addPage(self, page: PDFPage) -> None:  # noqa: N802 - reportlab's name
        name = self.thisPageName()
        self.Reference(page, name)
        self.pageCounter += 1
        self.inObject = None
        if not page.Contents and page.stream:  # deflated only (reportlab adds ASCII85 too)
            page.Contents = PDFStream(content=page.stream, filters=[PDFZCompress])
        self._reserve_forms(page)
        self._page_tree.numbers.append(self._write_now(name))
        self._write_now(page.Contents.__InternalName__)

    def Reference(self, obj: Any, name: str | None = None) -> PDFObjectReference:  # noqa: N802
        number = self._reserved.pop(name, None) if name is not None else None
        if number is None:
            return super().Reference(obj, name)
        if isinstance(obj, PDFObject):
            obj.__InternalName__ = name
        self.numberToId[number] = name
        self.idToObject[name] = obj
        return PDFObjectReference(name)

    def _reserve_forms(self, page: PDFPage) -> None:
        if page.XObjects is None:
            return
        for name in page.XObjects.dict:
            if name not in self.idToObjectNumberAndVersion:
                number = self.objectcounter = self.objectcounter + 1
                self.idToObjectNumberAndVersion[name] = (number, 0)
                self._reserved[name] = number

    def _write_now(self, name: str) -> int:
        """Write object ``name`` to the body and forget it; returns its object number."""
        number = self.idToObjectNumberAndVersion[name][0]
        self._write_object(self._body, number, name)
        del self.idToObject[name], self.numberToId[number], self.idToObjectNumberAndVersion[name]
        return number

    def _write_object(self, out: IO[bytes], number: int, name: str) -> None:
        data = PDFIndirectObject(name, self.idToObject[name]).format(self)
        if len(self._offsets) <= number:
            self._offsets.extend([_NOT_WRITTEN] * (number + 1 - len(self._offsets)))
        self._offsets[number] = self._size
        self._emit(out, data)

    def _emit(self, out: IO[bytes], data: bytes) -> None:
        out.write(data)
        self._size += len(data)

    def SaveToFile(self, filename: Any, canvas: Any) -> None:  # noqa: N802 - reportlab's name
        target: IO[bytes] = filename
        try:
            for font in self.delayedFonts:
                font.addObjects(self)
            self.info.invariant = self.invariant
            self.info.digest(self.signature)
            root = self.Reference(self.Catalog)
            info = self.Reference(self.info)
            self.Outlines.prepare(self, canvas)
            if self.Outlines.ready < 0:
                self.Catalog.Outlines = None
            self._body.seek(0)
            shutil.copyfileobj(self._body, target)
            number = 0
            while number < self.objectcounter:  # formatting may register more objects
                number += 1
                if number < len(self._offsets) and self._offsets[number] != _NOT_WRITTEN:
                    continue
                name = self.numberToId.get(number)
                if name is None:
                    raise ValueError(f"object {number} was referred to but never defined")
                self._write_object(target, number, name)
            xref_at = self._write_xref(target)
            self._emit(target, PDFTrailer(startxref=xref_at, Size=self.objectcounter + 1,
                                          Root=root, Info=info, ID=self.ID()).format(self))
        finally:
            self.close()

    def _write_xref(self, out: IO[bytes]) -> int:
        """Write the cross-reference table a thousand entries at a time; returns its offset."""
        start_at = self._size
        count = self.objectcounter + 1
        self._emit(out, b"xref\n0 %d\n0000000000 65535 f \n" % count)
        for start in range(1, count, 1000):
            self._emit(out, b"".join(b"%010d 00000 n \n" % self._offsets[number]
                                     for number in range(start, min(start + 1000, count))))
        return start_at


class StreamingCanvas(Canvas):
    """A canvas whose document writes each page out as soon as it is finished (unencrypted:
    reportlab sets encryption up on the document this replaces)."""

    def __init__(self, target: IO[bytes], *args: Any, **kwargs: Any) -> None:
        super().__init__(target, *args, **kwargs)
        self._doc = StreamingDocument(compression=self._doc.compression,
                                      invariant=self._doc.invariant,
                                      pdfVersion=self._doc._pdfVersion, lang=kwargs.get("lang"))

    @property
    def document(self) -> StreamingDocument:
        assert isinstance(self._doc, StreamingDocument)
        return self._doc
