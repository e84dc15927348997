"""Lay out a minute's text on A4 pages and draw them as scanned images.

Used by ``make_documents.py``. The layout follows the plain text: a line with runs of
three or more spaces is a row of columns (the two-column header and signature
blocks), a line indented by eight or more spaces is centred, everything else is a
paragraph wrapped to the page width. Each page keeps the text drawn on it, which is
the ground truth for that page.
"""

from __future__ import annotations

import io
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

A4_IN = (8.27, 11.69)
FONT_DIR = "/usr/share/fonts/truetype"
FONTS = {
    "liberation-serif": ("liberation2/LiberationSerif-Regular.ttf", "liberation2/LiberationSerif-Bold.ttf"),
    "noto-serif": ("noto/NotoSerif-Regular.ttf", "noto/NotoSerif-Bold.ttf"),
    "dejavu-sans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "liberation-sans": ("liberation2/LiberationSans-Regular.ttf", "liberation2/LiberationSans-Bold.ttf"),
    "dejavu-serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
}
_GAP = re.compile(r"\S(?:.*?\S)?(?=\s{3,}|\s*$)")


@dataclass
class Style:
    font: str = "liberation-serif"
    size_pt: float = 13.0
    dpi: int = 300


@dataclass
class Page:
    lines: list[str] = field(default_factory=list)
    ops: list[tuple[float, float, str, bool]] = field(default_factory=list)  # x, y, text, bold
    signature_rows: list[tuple[float, float]] = field(default_factory=list)  # (x, y) of signature titles
    name_rows: list[tuple[float, float]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def segments(line: str) -> list[tuple[int, str]]:
    """Columns of a plain-text line: (start column, text) for runs split by 3+ spaces."""
    return [(m.start(), m.group()) for m in _GAP.finditer(line)]


def _is_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


class Layout:
    """Places text lines on A4 pages at a given font, size and resolution."""

    def __init__(self, style: Style) -> None:
        self.style = style
        d = style.dpi
        self.w, self.h = round(A4_IN[0] * d), round(A4_IN[1] * d)
        mm = d / 25.4
        self.left, self.right = 30 * mm, self.w - 15 * mm
        self.top, self.bottom = 20 * mm, self.h - 20 * mm
        px = style.size_pt * d / 72
        reg, bold = FONTS[style.font]
        self.font = ImageFont.truetype(f"{FONT_DIR}/{reg}", round(px))
        self.bold = ImageFont.truetype(f"{FONT_DIR}/{bold}", round(px))
        self.line_h = px * 1.3
        self.space = self.font.getlength(" ")
        self.col_w = (self.right - self.left) / 80

    def _width(self, s: str, bold: bool) -> float:
        return (self.bold if bold else self.font).getlength(s)

    def _wrap(self, text: str, bold: bool, indent: float) -> list[str]:
        words, out, cur = text.split(), [], ""
        limit = self.right - self.left - indent
        for w in words:
            cand = f"{cur} {w}" if cur else w
            if cur and self._width(cand, bold) > limit:
                out.append(cur)
                cur = w
            else:
                cur = cand
        if cur:
            out.append(cur)
        return out

    def pages(self, text: str) -> list[Page]:
        """Lay the text out; returns the pages with their drawing operations."""
        text = unicodedata.normalize("NFC", text)
        pages = [Page()]
        y = self.top
        src = text.rstrip("\n").split("\n")
        tail_start = max(0, len(src) - 12)

        def newline(h: float) -> None:
            nonlocal y
            y += h
            if y + self.line_h > self.bottom:
                pages.append(Page())
                y = self.top

        for i, raw in enumerate(src):
            line = raw.rstrip()
            page = pages[-1]
            if not line.strip():
                if page.ops:
                    newline(self.line_h * 0.5)
                continue
            segs = segments(line)
            bold = _is_caps(line)
            if len(segs) > 1 or (segs and segs[0][0] >= 8 and len(segs[0][1]) < 60):
                drawn: list[str] = []
                x_end = self.left
                if len(segs) == 1 and segs[0][0] < 40:
                    x = (self.left + self.right - self._width(segs[0][1], bold)) / 2
                    page.ops.append((x, y, segs[0][1], bold))
                    drawn.append(segs[0][1])
                else:
                    for col, seg in segs:
                        sb = _is_caps(seg)
                        x = max(self.left + col * self.col_w, x_end + 3 * self.space)
                        wd = self._width(seg, sb)
                        if x + wd > self.right:
                            x = max(x_end + 3 * self.space, self.right - wd)
                        page.ops.append((x, y, seg, sb))
                        x_end = x + wd
                        drawn.append(seg)
                        if i >= tail_start and re.search(r"THƯ KÝ|CHỦ TRÌ|BÍ THƯ|T/M|CHỦ TỌA", seg):
                            page.signature_rows.append((x, y))
                        elif i >= tail_start and not _is_caps(seg) and len(seg.split()) >= 2 and "(" not in seg:
                            page.name_rows.append((x, y))
                page.lines.append("    ".join(drawn))
                newline(self.line_h)
                continue
            indent = segs[0][0] * self.col_w if segs and segs[0][0] < 8 else 0.0
            for part in self._wrap(line.strip(), bold, indent):
                page = pages[-1]
                page.ops.append((self.left + indent, y, part, bold))
                page.lines.append(part)
                newline(self.line_h)
        return [p for p in pages if p.ops]

    def draw(self, page: Page) -> Image.Image:
        """Draw one page as a clean RGB image."""
        im = Image.new("RGB", (self.w, self.h), "white")
        dr = ImageDraw.Draw(im)
        for x, y, s, bold in page.ops:
            dr.text((x, y), s, font=self.bold if bold else self.font, fill=(20, 20, 20))
        return im


# ------------------------------------------------------------------------- ink and noise
def _stamp(size: int, rng: random.Random) -> Image.Image:
    """A red round seal: two rings, a band of dashes for the lettering and a star."""
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    dr = ImageDraw.Draw(im)
    c, r = size / 2, size / 2 - 4
    red = (200, 30, 40, 170)
    w = max(3, size // 60)
    dr.ellipse((c - r, c - r, c + r, c + r), outline=red, width=w)
    r2 = r * 0.62
    dr.ellipse((c - r2, c - r2, c + r2, c + r2), outline=red, width=max(2, w // 2))
    for k in range(44):
        a = 2 * math.pi * k / 44
        rr = (r + r2) / 2
        x, y = c + rr * math.cos(a), c + rr * math.sin(a)
        dx, dy = math.cos(a + math.pi / 2) * size / 50, math.sin(a + math.pi / 2) * size / 50
        dr.line((x - dx, y - dy, x + dx, y + dy), fill=red, width=w)
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = r2 * (0.7 if k % 2 == 0 else 0.3)
        pts.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    dr.polygon(pts, fill=red)
    return im.rotate(rng.uniform(-20, 20), resample=Image.Resampling.BICUBIC)


def _scribble(dr: ImageDraw.ImageDraw, x: float, y: float, w: float, h: float, rng: random.Random) -> None:
    pts = []
    for k in range(14):
        t = k / 13
        pts.append((x + t * w + rng.uniform(-w * 0.05, w * 0.05), y + h / 2 + math.sin(t * 9 + rng.random()) * h / 2))
    dr.line(pts, fill=(30, 40, 150), width=max(2, int(h / 12)), joint="curve")


def ink(im: Image.Image, page: Page, layout: Layout, rng: random.Random) -> Image.Image:
    """Add signatures over the names' rows and a seal over the chair's signature."""
    if not page.signature_rows:
        return im
    dr = ImageDraw.Draw(im)
    lh = layout.line_h
    for x, y in page.signature_rows:
        _scribble(dr, x + lh, y + lh * 1.6, lh * 5, lh * 1.4, rng)
    x, y = page.signature_rows[-1]
    size = int(lh * 5.2)
    seal = _stamp(size, rng)
    layer = Image.new("RGBA", im.size, (0, 0, 0, 0))
    layer.paste(seal, (int(x - size * 0.35), int(y + lh * 0.2)), seal)
    tint = Image.alpha_composite(Image.new("RGBA", im.size, (255, 255, 255, 255)), layer).convert("RGB")
    return ImageChops.multiply(im, tint)


@dataclass(frozen=True)
class Noise:
    name: str
    rotate: float  # degrees, the largest absolute value
    blur: tuple[float, float]
    speckle: float  # fraction of pixels
    grain: float  # sigma of grey noise
    jpeg: tuple[int, int]
    shade: float  # strength of uneven lighting, 0..1


MILD = Noise("mild", 1.0, (0.3, 0.6), 0.0005, 4.0, (80, 92), 0.0)
HARD = Noise("hard", 3.0, (0.9, 1.3), 0.004, 12.0, (30, 45), 0.35)


def degrade(im: Image.Image, noise: Noise, rng: random.Random) -> Image.Image:
    """Scan-like damage: rotation, blur, grain, speckle, uneven light, JPEG artefacts."""
    import numpy as np

    angle = rng.uniform(-noise.rotate, noise.rotate)
    if noise.rotate >= 2 and abs(angle) < noise.rotate / 2:
        angle = math.copysign(rng.uniform(noise.rotate / 2, noise.rotate), angle)
    im = im.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    im = im.filter(ImageFilter.GaussianBlur(rng.uniform(*noise.blur)))
    a = np.asarray(im, dtype=np.float32)
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    a = a + nrng.normal(0, noise.grain, a.shape[:2])[..., None]
    if noise.shade:
        h, w = a.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w]
        g = 1 - noise.shade * (0.5 * xx / w + 0.5 * (yy / h) ** 2)
        a = a * g[..., None]
    n = int(noise.speckle * a.shape[0] * a.shape[1])
    ys, xs = nrng.integers(0, a.shape[0], n), nrng.integers(0, a.shape[1], n)
    a[ys, xs] = 30
    ys, xs = nrng.integers(0, a.shape[0], n // 2), nrng.integers(0, a.shape[1], n // 2)
    a[ys, xs] = 255
    im = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=rng.randint(*noise.jpeg))
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
