"""Make document versions of the labelled minutes in corpora/written/: scans, DOCX, .doc and PDF.

usage: python corpora/tools/make_documents.py OUT [--ids c001,c002] [--sets SET,...] [--jobs N]

Sets (each written to OUT/SET/ with the labels NAME.json copied beside every file):
  scan300-mild, scan300-hard, scan200-mild, scan200-hard
        scanned PDF (page images, JPEG inside) rendered with a Vietnamese-capable font
        from Debian packages; fonts and sizes cycle over the minutes. Mild noise: blur,
        grain, speckle, up to 1° rotation, JPEG artefacts. Hard noise: stronger blur and
        speckle, 1.5–3° rotation, uneven lighting, heavy JPEG. Every page that holds the
        signatures gets blue signatures and a red seal over the chair's. NAME.pages.json
        holds the text drawn on each page (the OCR ground truth). A minute kept in TCVN3 or
        VNI codes is drawn as its legacy font would print it (Vietnamese letters).
  png300-mild   the same first page as PNG, and every page as a multi-page TIFF
  docx          Word file: header and signature blocks in borderless two-column tables,
                "label: value" attendance lines in a bordered table, capitals headings bold
  docx-legacy   the same with runs in legacy fonts: TCVN3 (.VnTime, .VnTimeH for capitals)
                or VNI (VNI-Times), alternating by minute; the attendance table stays Unicode
  doc           docx-legacy saved as Word 97 (.doc) by LibreOffice
  pdf-text      docx printed to PDF by LibreOffice (a text layer, no images)
The output is deterministic for a given minute and set.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from render import FONTS, HARD, MILD, Layout, Style, degrade, ink, segments  # noqa: E402

CORPORA = Path(__file__).resolve().parents[1] / "written"
SCAN_SETS = {"scan300-mild": (300, MILD), "scan300-hard": (300, HARD), "scan200-mild": (200, MILD),
             "scan200-hard": (200, HARD)}
ALL_SETS = [*SCAN_SETS, "png300-mild", "docx", "docx-legacy", "doc", "pdf-text"]
SIZES = {"liberation-serif": 13, "noto-serif": 12, "dejavu-sans": 11, "liberation-sans": 12, "dejavu-serif": 11.5}
_ATT_LINE = re.compile(
    r"^\s*[-+•]?\s*((?:Tổng số|Có mặt|Vắng|Phải dự|Số đảng viên|Đảng viên|Miễn|Chính thức|Dự bị|Sinh hoạt tạm)"
    r"[^:]{0,40}):\s+(\S.*)$", re.IGNORECASE)


_TONED_CAPITAL = re.compile("([ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ])")


def style_for(name: str, dpi: int) -> Style:
    fonts = list(FONTS)
    k = int(re.sub(r"\D", "", name) or 0)
    font = fonts[k % len(fonts)]
    return Style(font=font, size_pt=SIZES[font], dpi=dpi)


def printed_text(text: str) -> str:
    """What a page shows: text kept in TCVN3/VNI codes prints as Vietnamese in its legacy font."""
    from service.nlp.legacy import detect_legacy, repair_legacy

    return repair_legacy(text)[0] if detect_legacy(text) else text


def scan_pages(name: str, text: str, dpi: int, noise: object) -> tuple[list, list[str]]:
    text = printed_text(text)
    layout = Layout(style_for(name, dpi))
    rng = random.Random(f"{name}:{dpi}:{getattr(noise, 'name', '')}")
    images, truth = [], []
    for page in layout.pages(text):
        im = ink(layout.draw(page), page, layout, rng)
        images.append(degrade(im, noise, rng))  # type: ignore[arg-type]
        truth.append(page.text)
    return images, truth


def write_scan_pdf(path: Path, images: list, dpi: int) -> None:
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=dpi, quality=80)


# ----------------------------------------------------------------------------- DOCX
def _blocks(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Split a minute into ("header" | "body" | "sign", lines)."""
    n = len(lines)
    head_end = 0
    while head_end < min(n, 6) and lines[head_end].strip():
        segs = segments(lines[head_end])
        if len(segs) == 1 and segs[0][0] >= 8:
            break
        head_end += 1
    sign_start = n
    k = n - 1
    while k > head_end:
        line = lines[k]
        if not line.strip() or len(segments(line)) > 1 or (segments(line) and segments(line)[0][0] >= 8):
            if line.strip():
                sign_start = k
            k -= 1
            continue
        break
    return [("header", lines[:head_end]), ("body", lines[head_end:sign_start]), ("sign", lines[sign_start:])]


def _columns(lines: list[str], split: int = 30) -> tuple[list[str], list[str]]:
    left, right = [], []
    for line in lines:
        if not line.strip():
            continue
        segs = segments(line)
        if len(segs) > 1:
            lpart, rpart = segs[0][1], " ".join(s for _, s in segs[1:])
        else:
            lpart, rpart = (segs[0][1], "") if segs[0][0] < split else ("", segs[0][1])
        left.append(lpart)
        right.append(rpart)
    return left, right


def _caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def make_docx(text: str, *, legacy: str | None = None) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from service.nlp.legacy import encode_tcvn3, encode_vni

    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    normal.paragraph_format.space_after = Pt(0)

    def put(par: object, s: str, font: str | None, bold: bool) -> None:
        run = par.add_run(s)  # type: ignore[attr-defined]
        run.bold = bold
        if font:
            run.font.name = font
            run._element.rPr.rFonts.set(qn("w:hAnsi"), font)

    def add_run(par: object, s: str, *, bold: bool = False, unicode_only: bool = False) -> None:
        if not legacy or unicode_only:
            put(par, s, None, bold)
        elif legacy == "vni":
            put(par, encode_vni(s), "VNI-Times", bold)
        elif _caps(s):
            put(par, encode_tcvn3(s.lower()), ".VnTimeH", bold)
        else:
            # TCVN3 has no codes for capitals with a tone mark (Á, Ứ…): typists set
            # such a letter in the capitals font .VnTimeH.
            for part in _TONED_CAPITAL.split(s):
                if part:
                    toned = bool(_TONED_CAPITAL.fullmatch(part))
                    put(par, encode_tcvn3(part.lower() if toned else part), ".VnTimeH" if toned else ".VnTime", bold)

    def cell_lines(cell: object, items: list[str], bold_caps: bool = True) -> None:
        first = True
        for s in items:
            par = cell.paragraphs[0] if first else cell.add_paragraph()  # type: ignore[attr-defined]
            first = False
            par.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if s:
                add_run(par, s, bold=bold_caps and _caps(s))

    lines = text.rstrip("\n").split("\n")
    for kind, part in _blocks(lines):
        if kind in ("header", "sign") and part:
            left, right = _columns(part)
            table = d.add_table(rows=1, cols=2)
            cell_lines(table.rows[0].cells[0], left)
            cell_lines(table.rows[0].cells[1], right)
            continue
        att: list[tuple[str, str]] = []

        def flush() -> None:
            if not att:
                return
            if len(att) == 1:
                par = d.add_paragraph()
                add_run(par, f"- {att[0][0]}: {att[0][1]}")
            else:
                table = d.add_table(rows=0, cols=2)
                table.style = "Table Grid"
                for label, value in att:
                    cells = table.add_row().cells
                    add_run(cells[0].paragraphs[0], f"{label}:", unicode_only=True)
                    add_run(cells[1].paragraphs[0], value, unicode_only=True)
            att.clear()

        for line in part:
            m = _ATT_LINE.match(line)
            if m:
                att.append((m.group(1).strip(), m.group(2).strip()))
                continue
            flush()
            if not line.strip():
                continue
            segs = segments(line)
            par = d.add_paragraph()
            if len(segs) == 1 and segs[0][0] >= 8 and len(segs[0][1]) < 60:
                par.alignment = WD_ALIGN_PARAGRAPH.CENTER
                add_run(par, segs[0][1], bold=_caps(segs[0][1]))
            elif len(segs) > 1:
                add_run(par, "\t".join(s for _, s in segs), bold=_caps(line))
            else:
                add_run(par, line.strip(), bold=_caps(line))
        flush()
    d.add_paragraph()  # Word ends every document with a paragraph, never with a table
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def soffice_convert(data: bytes, src_ext: str, target: str) -> bytes:
    """Convert with LibreOffice headless (``target`` as for --convert-to)."""
    binary = shutil.which("soffice")
    if binary is None:
        raise SystemExit("soffice (libreoffice-writer) is needed for the doc and pdf-text sets")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"in.{src_ext}"
        src.write_bytes(data)
        subprocess.run([binary, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/p",
                        "--convert-to", target, "--outdir", tmp, str(src)], check=True, capture_output=True,
                       timeout=180)
        ext = target.split(":")[0]
        return (Path(tmp) / f"in.{ext}").read_bytes()


def make(name: str, out: Path, sets: list[str]) -> str:
    src = CORPORA / f"{name}.txt"
    text = src.read_text(encoding="utf-8")
    label = CORPORA / f"{name}.json"
    for s in sets:
        d = out / s
        d.mkdir(parents=True, exist_ok=True)
        if label.exists():
            shutil.copy(label, d / f"{name}.json")
        if s in SCAN_SETS:
            dpi, noise = SCAN_SETS[s]
            images, truth = scan_pages(name, text, dpi, noise)
            write_scan_pdf(d / f"{name}.pdf", images, dpi)
            (d / f"{name}.pages.json").write_text(json.dumps(truth, ensure_ascii=False, indent=0), encoding="utf-8")
        elif s == "png300-mild":
            images, truth = scan_pages(name, text, 300, MILD)
            images[0].save(d / f"{name}.png", dpi=(300, 300), optimize=False, compress_level=6)
            gray = [im.convert("L") for im in images]
            gray[0].save(d / f"{name}.tif", save_all=True, append_images=gray[1:], dpi=(300, 300),
                         compression="tiff_adobe_deflate")
            (d / f"{name}.pages.json").write_text(json.dumps(truth, ensure_ascii=False, indent=0), encoding="utf-8")
            if label.exists():
                shutil.copy(label, d / f"{name}.json")
        elif s == "docx":
            (d / f"{name}.docx").write_bytes(make_docx(text))
        elif s == "docx-legacy":
            (d / f"{name}.docx").write_bytes(make_docx(printed_text(text), legacy=_legacy_for(name)))
        elif s == "doc":
            legacy_docx = make_docx(printed_text(text), legacy=_legacy_for(name))
            (d / f"{name}.doc").write_bytes(soffice_convert(legacy_docx, "docx", "doc"))
        elif s == "pdf-text":
            (d / f"{name}.pdf").write_bytes(soffice_convert(make_docx(text), "docx", "pdf"))
        else:
            raise SystemExit(f"unknown set {s}")
    return name


def _legacy_for(name: str) -> str:
    return "tcvn3" if int(re.sub(r"\D", "", name) or 0) % 2 else "vni"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--ids", help="comma-separated minute ids (default: every cNNN in corpora/written/)")
    ap.add_argument("--sets", default=",".join(ALL_SETS))
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    ids = a.ids.split(",") if a.ids else sorted(p.stem for p in CORPORA.glob("c[0-9]*.txt"))
    sets = a.sets.split(",")
    with ProcessPoolExecutor(a.jobs) as ex:
        for name in ex.map(make, ids, [a.out] * len(ids), [sets] * len(ids)):
            print(name, flush=True)


if __name__ == "__main__":
    main()
