"""The fixed parts of a one-sheet SpreadsheetML (ECMA-376) workbook, and the sheet's head and tail.

The parts mirror what XlsxWriter writes for the same workbook (Excel and LibreOffice open both
alike), less the theme, which nothing here refers to: fonts name Calibri 11 themselves.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

SHEET_PART = "xl/worksheets/sheet1.xml"

# Indexes into cellXfs below.
PLAIN_STYLE, HEADER_STYLE, TEXT_STYLE, QUOTED_STYLE, QUOTED_TEXT_STYLE = range(5)

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-"

CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Default Extension="rels" ContentType="{_TYPE}package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/docProps/app.xml" ContentType="{_TYPE}officedocument.'
    'extended-properties+xml"/>'
    f'<Override PartName="/docProps/core.xml" ContentType="{_TYPE}package.'
    'core-properties+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}officedocument.'
    'spreadsheetml.styles+xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}officedocument.'
    'spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/{SHEET_PART}" ContentType="{_TYPE}officedocument.'
    'spreadsheetml.worksheet+xml"/>'
    '</Types>')

PACKAGE_RELATIONSHIPS = (
    _XML + f'<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PACKAGE_RELS}/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_OFFICE_RELS}/extended-properties" '
    'Target="docProps/app.xml"/>'
    '</Relationships>')

WORKBOOK_RELATIONSHIPS = (
    _XML + f'<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_OFFICE_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_OFFICE_RELS}/styles" Target="styles.xml"/>'
    '</Relationships>')

_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
# numFmtId 49 is the built-in Text format "@".
STYLES = (
    _XML + f'<styleSheet xmlns="{_MAIN}">'
    f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1" '
    'applyNumberFormat="1"/>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/>'
    '</styleSheet>')

SHEET_TAIL = ('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
              'header="0.3" footer="0.3"/></worksheet>')


def workbook_part(title: str) -> str:
    return (_XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE_RELS}">'
            '<workbookPr/><bookViews><workbookView xWindow="240" yWindow="15" '
            'windowWidth="16095" windowHeight="9660"/></bookViews>'
            f'<sheets><sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets>'
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')


def app_properties(title: str) -> str:
    vector = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    return (_XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'extended-properties" xmlns:vt="{vector}"><Application>Leadline</Application>'
            '<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs>'
            '<vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>'
            '</vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>'
            '<TitlesOfParts><vt:vector size="1" baseType="lpstr">'
            f'<vt:lpstr>{escape(title)}</vt:lpstr></vt:vector></TitlesOfParts>'
            '<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>'
            '<HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion>'
            '</Properties>')


def core_properties(created: datetime) -> str:
    stamp = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (_XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            '</cp:coreProperties>')


def column_letters(count: int) -> list[str]:
    """A, B, ... Z, AA, AB, ... for the first ``count`` columns."""
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def excel_width(characters: float) -> float:
    """The stored column width Excel shows as ``characters`` wide (Calibri 11: 7-pixel digits,
    5 pixels of padding), as XlsxWriter works it out."""
    pixels = int(characters * 7 + 0.5) + 5
    return (pixels * 256 // 7) / 256


def sheet_head(widths: Sequence[float], last_cell: str) -> str:
    """The sheet up to its first row: its extent (A1 to ``last_cell``, which importers read
    for a progress bar), the header row frozen, the columns' widths."""
    cols = "".join(f'<col min="{n}" max="{n}" width="{excel_width(w)}" customWidth="1"/>'
                   for n, w in enumerate(widths, start=1))
    return (_XML + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_OFFICE_RELS}">'
            f'<dimension ref="A1:{last_cell}"/><sheetViews><sheetView tabSelected="1" workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")


def write_fixed_parts(package: zipfile.ZipFile, title: str, created: datetime) -> None:
    """Every part but the sheet."""
    for name, text in (("[Content_Types].xml", CONTENT_TYPES),
                       ("_rels/.rels", PACKAGE_RELATIONSHIPS),
                       ("docProps/app.xml", app_properties(title)),
                       ("docProps/core.xml", core_properties(created)),
                       ("xl/workbook.xml", workbook_part(title)),
                       ("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS),
                       ("xl/styles.xml", STYLES)):
        package.writestr(name, text.encode("utf-8"))
