"""Word .docx files: paragraphs and tables in reading order, legacy fonts decoded by font.

A run typed in a TCVN3 font (.VnTime, .VnTimeH…) or a VNI font (VNI-Times…) holds
8-bit codes, not Unicode letters; it is decoded by the font it is set in, so a file
that mixes Unicode and legacy runs comes out right. Tables are read row by row: a
row of two cells "label:" and value becomes one line; other rows put their cells
side by side, line by line, each padded to where its column starts on an
80-character line, so a borderless two-column header or signature table reads
like the typed original.
Pages are counted from explicit page breaks and the breaks Word last rendered.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from service.documents.base import Block, Document, PageResult
from service.errors import ConversionError, ErrorCode

if TYPE_CHECKING:
    from service.settings import DocumentSettings

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAX_RATIO = 200  # uncompressed / compressed size of one zip member


def check_zip(data: bytes, *, max_unpacked: int) -> zipfile.ZipFile:
    """Open an Office zip after refusing zip bombs by their declared sizes."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise ConversionError(ErrorCode.CORRUPT_FILE, "Tệp Word (.docx) bị hỏng, không mở được.",
                              errors=[str(e)]) from e
    total = sum(i.file_size for i in infos)
    ratio = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > max_unpacked or (ratio > _MAX_RATIO and total > 5_000_000) or len(infos) > 5000:
        raise ConversionError(
            ErrorCode.DOCUMENT_TOO_LARGE,
            f"Tệp Word giải nén ra quá lớn ({total:,} byte, giới hạn {max_unpacked:,}); "
            "có thể là tệp độc hại (zip bomb).", status=413)
    return zf


def legacy_decoder(font: str | None) -> tuple[str, bool] | None:
    """(encoding, capitals-font) for a TCVN3 or VNI font name, None for a Unicode font."""
    if not font:
        return None
    f = font.strip().lower()
    if f.startswith(".vn"):
        return "tcvn3", f.endswith("h")
    if f.startswith("vni"):
        return "vni", False
    return None


def _as_latin1(text: str) -> str:
    """Characters Word shows for the 8-bit codes of a legacy font, back as Latin-1 code points."""
    out = []
    for c in text:
        if ord(c) < 256:
            out.append(c)
        else:
            try:
                out.append(chr(c.encode("cp1252")[0]))
            except UnicodeEncodeError:
                out.append(c)
    return "".join(out)


_C1_BACK = {c: bytes([c]).decode("cp1252", errors="ignore") or None for c in range(0x80, 0xA0)}


def decode_run(text: str, font: str | None) -> str:
    """Unicode text of a run set in ``font``."""
    legacy = legacy_decoder(font)
    if legacy is None or not text:
        return text
    from service.nlp.legacy import decode_tcvn3, decode_vni

    raw = _as_latin1(text)
    enc, caps = legacy
    out = decode_tcvn3(raw, caps_font=caps) if enc == "tcvn3" else decode_vni(raw)
    # Codes the legacy tables leave alone (…, “ ”, –) go back to the characters Word showed.
    return out.translate(_C1_BACK)


@dataclass
class _Walker:
    """Walks the body in order, tracking pages and the fonts styles give."""

    style_fonts: dict[str, str | None]
    default_font: str | None
    max_pages: int
    page: int = 1
    paragraph: int = 0
    table: int = 0
    blocks: list[Block] = field(default_factory=list)

    def _run_font(self, r: Any, para_font: str | None) -> str | None:
        rpr = r.find(f"{_W}rPr")
        if rpr is not None:
            fonts = rpr.find(f"{_W}rFonts")
            if fonts is not None:
                name = fonts.get(f"{_W}ascii") or fonts.get(f"{_W}hAnsi")
                if name:
                    return str(name)
            style = rpr.find(f"{_W}rStyle")
            if style is not None:
                name = self.style_fonts.get(str(style.get(f"{_W}val")))
                if name:
                    return name
        return para_font

    def _break_page(self) -> None:
        self.page += 1
        if self.page > self.max_pages:
            raise ConversionError(
                ErrorCode.TOO_MANY_PAGES,
                f"Tệp có hơn {self.max_pages} trang; giới hạn là {self.max_pages} trang mỗi biên bản.", status=413)

    def paragraph_text(self, p: Any) -> str:
        """Text of a paragraph, legacy runs decoded; counts the page breaks in it."""
        ppr = p.find(f"{_W}pPr")
        para_font = self.default_font
        if ppr is not None:
            ps = ppr.find(f"{_W}pStyle")
            if ps is not None:
                para_font = self.style_fonts.get(str(ps.get(f"{_W}val"))) or para_font
        parts: list[str] = []
        for r in p.iter(f"{_W}r"):
            font = self._run_font(r, para_font)
            buf: list[str] = []
            for el in r:
                tag = el.tag
                if tag == f"{_W}t":
                    buf.append(el.text or "")
                elif tag == f"{_W}tab":
                    buf.append("\t")
                elif tag == f"{_W}softHyphen":
                    buf.append("\xad")  # TCVN3 "ư"; invisible (and dropped later) in Unicode text
                elif tag == f"{_W}noBreakHyphen":
                    buf.append("-")
                elif tag in (f"{_W}br", f"{_W}cr"):
                    if el.get(f"{_W}type") == "page":
                        self._break_page()
                    else:
                        buf.append("\n")
                elif tag == f"{_W}lastRenderedPageBreak" and (parts or buf or self.blocks):
                    self._break_page()
            parts.append(decode_run("".join(buf), font))
        return "".join(parts)

    def body(self, el: Any) -> None:
        for child in el:
            if child.tag == f"{_W}p":
                self.paragraph += 1
                text = self.paragraph_text(child)
                self.blocks.append(Block(text=text, page=self.page, paragraph=self.paragraph))
            elif child.tag == f"{_W}tbl":
                self.table += 1
                self.table_rows(child, self.table)
            elif child.tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    self.body(content)

    def _cell_lines(self, tc: Any) -> list[str]:
        lines: list[str] = []
        for p in _cell_paragraphs(tc):
            lines.extend(self.paragraph_text(p).split("\n"))
        while lines and not lines[-1].strip():
            lines.pop()
        return lines

    def table_rows(self, tbl: Any, t: int) -> None:
        starts = _grid_starts(tbl)
        for ri, tr in enumerate(tbl.findall(f"{_W}tr"), start=1):
            cells, grid = [], 0
            for ci, tc in enumerate(tr.findall(f"{_W}tc"), start=1):
                cells.append((ci, starts[min(grid, len(starts) - 1)], self._cell_lines(tc)))
                span = tc.find(f"{_W}tcPr/{_W}gridSpan")
                grid += int(span.get(f"{_W}val", "1")) if span is not None else 1
            filled = [c for c in cells if any(x.strip() for x in c[2])]
            if not filled:
                continue
            if len(filled) == 2 and len(filled[0][2]) == 1 and filled[0][2][0].rstrip().endswith(":"):
                (c0, _, l0), (c1, _, l1) = filled
                self.blocks.append(Block(text=l0[0].strip(), page=self.page, table=t, row=ri, cell=c0, sep=" "))
                self.blocks.append(Block(text=" ".join(x.strip() for x in l1), page=self.page, table=t,
                                         row=ri, cell=c1))
                continue
            depth = max(len(lines) for _, _, lines in filled)
            for i in range(depth):
                line = [(ci, col, lines[i].strip()) for ci, col, lines in filled if i < len(lines) and lines[i].strip()]
                pos = 0
                for k, (ci, col, text) in enumerate(line):
                    if k == 0 and col:
                        text = " " * col + text
                    pos += len(text)
                    nxt = line[k + 1][1] if k + 1 < len(line) else None
                    sep = "\n" if nxt is None else " " * max(4, nxt - pos)
                    pos += len(sep)
                    self.blocks.append(Block(text=text, page=self.page, table=t, row=ri, cell=ci, sep=sep))


_LINE_WIDTH = 80  # characters across a page, as in typed minutes


def _grid_starts(tbl: Any) -> list[int]:
    """Character column where each grid column of a table starts on an 80-character line."""
    widths = []
    for g in tbl.findall(f"{_W}tblGrid/{_W}gridCol"):
        try:
            widths.append(max(int(g.get(f"{_W}w", "0")), 0))
        except ValueError:
            widths.append(0)
    if not widths or sum(widths) == 0:
        widths = [1] * max(1, max((len(tr.findall(f"{_W}tc")) for tr in tbl.findall(f"{_W}tr")), default=1))
    total, acc, out = sum(widths), 0, []
    for w in widths:
        out.append(round(_LINE_WIDTH * acc / total))
        acc += w
    return out


def _cell_paragraphs(tc: Any) -> Iterator[Any]:
    for el in tc:
        if el.tag == f"{_W}p":
            yield el
        elif el.tag == f"{_W}tbl":
            yield from el.iter(f"{_W}p")
        elif el.tag == f"{_W}sdt":
            yield from el.iter(f"{_W}p")


def _style_fonts(doc: Any) -> tuple[dict[str, str | None], str | None]:
    fonts: dict[str, str | None] = {}
    for style in doc.styles:
        name = None
        s = style
        while s is not None and name is None:
            font = getattr(s, "font", None)
            name = font.name if font is not None else None
            s = getattr(s, "base_style", None)
        fonts[style.style_id] = name
    default = None
    try:
        rpr_default = doc.styles.element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}rFonts")
        if rpr_default is not None:
            default = rpr_default.get(f"{_W}ascii") or rpr_default.get(f"{_W}hAnsi")
    except AttributeError:
        default = None
    normal = fonts.get("Normal")
    return fonts, normal or default


class DocxConverter:
    """Word 2007+ (.docx) through python-docx."""

    name = "minutes.docx.v1"
    format = "docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def convert(self, data: bytes, *, settings: DocumentSettings) -> Document:
        """Read paragraphs and tables in order after checking the zip for bombs."""
        check_zip(data, max_unpacked=settings.max_unpacked_bytes).close()
        import docx
        from lxml.etree import LxmlError

        try:
            doc = docx.Document(io.BytesIO(data))
        except (KeyError, ValueError, zipfile.BadZipFile, LxmlError) as e:
            raise ConversionError(ErrorCode.CORRUPT_FILE, "Tệp Word (.docx) bị hỏng, không đọc được nội dung.",
                                  errors=[f"{type(e).__name__}: {e}"]) from e
        fonts, default = _style_fonts(doc)
        walker = _Walker(style_fonts=fonts, default_font=default, max_pages=settings.max_pages)
        walker.body(doc.element.body)
        pages = [PageResult(number=n, method="text") for n in range(1, walker.page + 1)]
        return Document(format=self.format, media_type=self.media_type, converter=self.name,
                        blocks=walker.blocks, pages=pages)
