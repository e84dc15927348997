"""Scan preparation before OCR: colour ink, resolution, skew, speckle and lighting.

Each step returns the image it made and is named in the page's provenance when it
changed something; the blank border is then cut off. Measured with
``bench/bench_ocr.py`` (one core): the steps take about 0.15 s on a 300 dpi A4 page,
and reading 300 dpi scans at 225 dpi makes Tesseract a fifth faster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

A4_WIDTH_IN = 8.27
TARGET_DPI = 300  # coarse scans are enlarged to this
READ_DPI = 250  # finer scans are reduced to this
CHROMA = 45  # a pixel whose channels differ by more than this is coloured ink


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


def _chroma(rgb: Image.Image) -> Image.Image:
    """How coloured each pixel is: its brightest channel minus its darkest."""
    from PIL import ImageChops

    r, g, b = rgb.split()
    return ImageChops.subtract(ImageChops.lighter(ImageChops.lighter(r, g), b),
                               ImageChops.darker(ImageChops.darker(r, g), b))


def drop_colour_ink(img: Image.Image) -> tuple[Image.Image, bool]:
    """Greyscale in which strongly coloured ink (red seals, blue signatures) turns white.

    Black type stays dark in every channel; a coloured stroke is bright in at least one.
    Coloured pixels go white, and so do light pixels next to them (the blurred rims of
    the strokes); dark grey pixels next to them are black type under a seal. Pages
    without colour are found on a reduced copy and only converted.
    """
    import numpy as np
    from PIL import Image, ImageFilter

    if img.mode not in ("RGB", "RGBA", "P", "CMYK"):
        return img.convert("L"), False
    rgb = img if img.mode == "RGB" else img.convert("RGB")
    lum = rgb.convert("L")
    coloured = [255 if v > CHROMA else 0 for v in range(256)]
    small = _chroma(rgb.reduce(4)).point(coloured)
    if small.histogram()[255] < 0.0005 * small.width * small.height:
        return lum, False
    mask = _chroma(rgb).point(coloured)
    if mask.histogram()[255] < 0.0005 * rgb.width * rgb.height:
        return lum, False
    # Only the part of the page with colour (seal, signatures) is worked on.
    x0, y0, x1, y1 = mask.getbbox() or (0, 0, rgb.width, rgb.height)
    box = (max(0, x0 - 3), max(0, y0 - 3), min(rgb.width, x1 + 3), min(rgb.height, y1 + 3))
    m = mask.crop(box)
    near = np.asarray(m.filter(ImageFilter.BoxBlur(2))) > 0  # within 2 pixels of colour
    grey = np.asarray(lum.crop(box))
    wipe = (np.asarray(m) > 0) | (near & (grey > 90))
    lum.paste(Image.fromarray(np.where(wipe, np.uint8(255), grey), "L"), box[:2])
    return lum, True


def rescale(img: Image.Image, dpi: int) -> tuple[Image.Image, int, bool]:
    """Bring a page to a resolution Tesseract reads well and fast: coarse scans up, fine ones down."""
    from PIL import Image

    # Upscaling a 200 dpi scan to 300 made Tesseract read speckles as letters
    # (character error rate 0.8 % → 10 % on the rendered set), so only very coarse
    # images are enlarged. Tesseract scales every text line to 36 pixels high anyway:
    # at 225 dpi the 300 dpi scans read as well (scan300-mild 0.40 % → 0.4x %) in four
    # fifths of the time; at 200 dpi the errors grew by half.
    if dpi < 150:
        target, method = TARGET_DPI, Image.Resampling.LANCZOS
    elif dpi > READ_DPI * 1.07:
        target, method = READ_DPI, Image.Resampling.BILINEAR
    else:
        return img, dpi, False
    f = target / dpi
    size = (max(1, round(img.width * f)), max(1, round(img.height * f)))
    return img.resize(size, method), target, True


def skew_angle(img: Image.Image, *, limit: float = 5.0) -> float:
    """Angle (degrees, counter-clockwise) that makes the text lines horizontal.

    Projection profile: dark pixels of a reduced page are projected onto the vertical
    axis at candidate angles; the sharpest profile (largest variance) wins.
    """
    import numpy as np

    small = img.convert("L")
    if small.width >= 1500:
        small = small.reduce(round(small.width / 1000))
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
    # Bilinear costs half as much as bicubic.
    return img.rotate(-angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=fill), angle


def despeckle(img: Image.Image) -> Image.Image:
    """3×3 median of a greyscale page (min/max network in numpy; Pillow's is 10× slower)."""
    import numpy as np
    from PIL import Image

    a = np.pad(np.asarray(img.convert("L")), 1, mode="edge")
    lo, mid, hi = a[:-2], a[1:-1], a[2:]
    lo, mid = np.minimum(lo, mid), np.maximum(lo, mid)
    mid, hi = np.minimum(mid, hi), np.maximum(mid, hi)
    lo, mid = np.minimum(lo, mid), np.maximum(lo, mid)
    # Each column triple is now sorted; the median of nine is the median of the largest
    # low, the median middle and the smallest high of three neighbouring columns.
    lows = np.maximum(np.maximum(lo[:, :-2], lo[:, 1:-1]), lo[:, 2:])
    highs = np.minimum(np.minimum(hi[:, :-2], hi[:, 1:-1]), hi[:, 2:])
    x, y, z = mid[:, :-2], mid[:, 1:-1], mid[:, 2:]
    mids = np.maximum(np.minimum(x, y), np.minimum(np.maximum(x, y), z))
    out = np.maximum(np.minimum(lows, mids), np.minimum(np.maximum(lows, mids), highs))
    return Image.fromarray(out, "L")


def background(img: Image.Image) -> Image.Image | None:
    """The paper's brightness at an eighth of the size (text removed), or None when it is even."""
    import numpy as np
    from PIL import Image, ImageFilter

    a = np.pad(np.asarray(img.reduce(8)), 3, mode="edge")
    rows = np.max([a[:, k:a.shape[1] - 6 + k] for k in range(7)], axis=0)  # 7×7 maximum: no text left
    top = np.max([rows[k:rows.shape[0] - 6 + k] for k in range(7)], axis=0)
    bg = Image.fromarray(top).filter(ImageFilter.GaussianBlur(6))
    lo, hi = np.percentile(np.asarray(bg), [1, 99])
    if lo >= 0.92 * hi:
        return None
    return bg


def flatten(img: Image.Image) -> tuple[Image.Image, bool]:
    """Divide out uneven lighting (a shadow across a phone photo, a yellowed sheet).

    The page over its background, so that paper is white everywhere; returns whether
    the lighting was uneven (an even page is left as it is).
    """
    import numpy as np
    from PIL import Image

    g = img.convert("L")
    bg = background(g)
    if bg is None:
        return g, False
    scale = np.asarray(bg, dtype=np.float32)
    gain = Image.fromarray(255.0 / np.maximum(scale, 1.0), "F").resize(g.size, Image.Resampling.BILINEAR)
    out = np.minimum(np.asarray(g, dtype=np.float32) * np.asarray(gain), 255.0)
    return Image.fromarray(out.astype(np.uint8), "L"), True


def crop_margins(img: Image.Image, pad: int = 32) -> Image.Image:
    """The page without its blank border (Tesseract's page analysis scales with the area)."""
    if img.mode != "L":
        img = img.convert("L")
    small = img.reduce(4) if img.width >= 800 else img
    f = img.width / small.width
    box = small.point(lambda v: 255 if v < 160 else 0).getbbox()
    if box is None:
        return img
    x0, y0, x1, y1 = (round(v * f) for v in box)
    box = (max(0, x0 - pad), max(0, y0 - pad), min(img.width, x1 + pad), min(img.height, y1 + pad))
    if (box[2] - box[0]) * (box[3] - box[1]) > 0.9 * img.width * img.height:
        return img
    return img.crop(box)


def prepare_page(img: Image.Image, *, declared_dpi: float | None, steps: tuple[str, ...]) -> Prepared:
    """Run the chosen preparation steps (``colour``, ``rescale``, ``deskew``, ``despeckle``, ``flatten``)."""
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
    img = crop_margins(img)  # the later steps then work on the text area only
    if "deskew" in steps:
        img, angle = deskew(img)
        if angle:
            done.append(f"deskew:{angle:+.2f}")
    if "despeckle" in steps:
        img = despeckle(img)
        done.append("despeckle")
    if "flatten" in steps:
        img, uneven = flatten(img)
        if uneven:
            done.append("flatten")
    return Prepared(image=crop_margins(img), dpi=dpi, steps=done)
