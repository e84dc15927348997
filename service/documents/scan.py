"""Scan preparation before OCR: colour ink, resolution, skew and lighting.

Each step returns the image it made and is named in the page's provenance when it
changed something. Measured on the rendered scans (``bench/bench_documents.py``):
dropping coloured ink (seals, blue signatures) and deskewing help most on hard
scans; on clean 300 dpi pages the steps change almost nothing and cost ~0.1 s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

A4_WIDTH_IN = 8.27
TARGET_DPI = 300


@dataclass
class Prepared:
    """A page image ready for OCR and what was done to it."""

    image: Image.Image
    dpi: int
    steps: list[str] = field(default_factory=list)


def estimate_dpi(width: int, height: int, declared: float | None) -> int:
    """The scan's resolution: the file's own figure when plausible, else from an A4 width."""
    if declared and 70 <= declared <= 1200:
        return round(declared)
    short = min(width, height)
    return max(50, round(short / A4_WIDTH_IN))


def drop_colour_ink(img: Image.Image) -> tuple[Image.Image, bool]:
    """Greyscale in which strongly coloured ink (red seals, blue signatures) turns pale.

    Black type stays dark in every channel; a coloured stroke is bright in at least
    one, so saturated pixels take their brightest channel instead of the luminance.
    """
    from PIL import Image, ImageChops

    if img.mode not in ("RGB", "RGBA", "P", "CMYK"):
        return img.convert("L"), False
    rgb = img.convert("RGB")
    lum = rgb.convert("L")
    r, g, b = rgb.split()
    brightest = ImageChops.lighter(ImageChops.lighter(r, g), b)
    darkest = ImageChops.darker(ImageChops.darker(r, g), b)
    chroma = ImageChops.subtract(brightest, darkest)
    mask = chroma.point(lambda v: 255 if v > 45 else 0)
    hist = mask.histogram()
    if hist[255] < 0.0005 * rgb.width * rgb.height:
        return lum, False
    # Coloured pixels go white, and so do light pixels next to them (the blurred
    # rims of the strokes); dark grey pixels next to them are black type under a seal.
    from PIL import ImageFilter

    near = mask.filter(ImageFilter.MaxFilter(5))
    light = lum.point(lambda v: 255 if v > 90 else 0)
    wipe = ImageChops.lighter(mask, ImageChops.multiply(near, light))
    return Image.composite(Image.new("L", lum.size, 255), lum, wipe), True


def rescale(img: Image.Image, dpi: int, target: int = TARGET_DPI) -> tuple[Image.Image, int, bool]:
    """Bring a page to about ``target`` dpi: low-resolution scans up, huge photos down."""
    from PIL import Image

    # Upscaling a 200 dpi scan to 300 made Tesseract read speckles as letters
    # (character error rate 0.8 % → 10 % on the rendered set), so only very coarse
    # images are enlarged; oversized photos are reduced for speed.
    if 150 <= dpi <= 450:
        return img, dpi, False
    f = target / dpi
    size = (max(1, round(img.width * f)), max(1, round(img.height * f)))
    return img.resize(size, Image.Resampling.LANCZOS), target, True


def skew_angle(img: Image.Image, *, limit: float = 5.0) -> float:
    """Angle (degrees, counter-clockwise) that makes the text lines horizontal.

    Projection profile: dark pixels of a reduced page are projected onto the vertical
    axis at candidate angles; the sharpest profile (largest variance) wins.
    """
    import numpy as np

    small = img.convert("L")
    f = 1000 / max(small.width, 1)
    if f < 1:
        small = small.resize((1000, max(1, round(small.height * f))))
    a = np.asarray(small, dtype=np.uint8)
    thr = min(int(a.mean()) - 40, 140)
    ys, xs = np.nonzero(a < thr)
    if len(ys) < 500:
        return 0.0
    if len(ys) > 200_000:
        pick = np.random.default_rng(0).choice(len(ys), 200_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    xs = xs - a.shape[1] / 2
    best, best_angle = -1.0, 0.0

    def score(deg: float) -> float:
        t = np.deg2rad(deg)
        proj = ys * np.cos(t) + xs * np.sin(t)
        hist = np.bincount((proj - proj.min()).astype(np.int64))
        return float(np.square(hist.astype(np.float64)).sum())

    for deg in np.arange(-limit, limit + 1e-9, 0.25):
        s = score(float(deg))
        if s > best:
            best, best_angle = s, float(deg)
    for deg in np.arange(best_angle - 0.2, best_angle + 0.21, 0.05):
        s = score(float(deg))
        if s > best:
            best, best_angle = s, float(deg)
    return round(best_angle, 2)


def deskew(img: Image.Image) -> tuple[Image.Image, float]:
    """Rotate the page so that its lines run straight; returns the angle applied."""
    from PIL import Image

    angle = skew_angle(img)
    if abs(angle) < 0.3:
        return img, 0.0
    fill = 255 if img.mode == "L" else (255, 255, 255)
    return img.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill), angle


def flatten_background(img: Image.Image) -> Image.Image:
    """Divide out uneven lighting (a shadow across a phone photo, a yellowed sheet)."""
    import numpy as np
    from PIL import Image, ImageFilter

    g = img.convert("L")
    small = g.resize((max(1, g.width // 8), max(1, g.height // 8)), Image.Resampling.BILINEAR)
    bg = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(6))
    bg = bg.resize(g.size, Image.Resampling.BILINEAR)
    a = np.asarray(g, dtype=np.float32)
    b = np.maximum(np.asarray(bg, dtype=np.float32), 1.0)
    out = np.clip(a / b * 255.0, 0, 255).astype(np.uint8)
    return Image.fromarray(out, "L")


def prepare_page(img: Image.Image, *, declared_dpi: float | None, steps: tuple[str, ...]) -> Prepared:
    """Run the chosen preparation steps (``colour``, ``rescale``, ``deskew``, ``flatten``)."""
    dpi = estimate_dpi(img.width, img.height, declared_dpi)
    done: list[str] = []
    if "colour" in steps:
        img, changed = drop_colour_ink(img)
        if changed:
            done.append("colour")
    else:
        img = img.convert("L")
    if "rescale" in steps:
        img, dpi, changed = rescale(img, dpi)
        if changed:
            done.append(f"rescale:{dpi}")
    if "deskew" in steps:
        img, angle = deskew(img)
        if angle:
            done.append(f"deskew:{angle:+.2f}")
    if "flatten" in steps:
        img = flatten_background(img)
        done.append("flatten")
    if "despeckle" in steps:
        from PIL import ImageFilter

        img = img.filter(ImageFilter.MedianFilter(3))
        done.append("despeckle")
    return Prepared(image=img, dpi=dpi, steps=done)
