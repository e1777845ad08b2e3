"""Drawing helpers for the sample materials: Noto CJK fonts, text, seals, photos, signatures, patterns."""

from __future__ import annotations

import math
import random
from datetime import date
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FILES = {
    (False, False): "NotoSansCJK-Regular.ttc",
    (True, False): "NotoSansCJK-Bold.ttc",
    (False, True): "NotoSerifCJK-Regular.ttc",
    (True, True): "NotoSerifCJK-Bold.ttc",
}
SC_INDEX = 2  # the Simplified Chinese face inside each .ttc (checked with ImageFont.getname)

INK = (25, 25, 28)
LABEL = (60, 80, 110)
RED = (208, 36, 36)
GRID = (60, 60, 60)
Color = tuple[int, int, int]


def fonts_available() -> bool:
    """Whether Debian's ``fonts-noto-cjk`` files are installed."""
    return all((FONT_DIR / name).is_file() for name in FONT_FILES.values())


@lru_cache(maxsize=512)
def font(size: int, bold: bool = False, serif: bool = False) -> ImageFont.FreeTypeFont:
    """Noto Sans/Serif CJK SC at ``size`` pixels."""
    return ImageFont.truetype(str(FONT_DIR / FONT_FILES[(bold, serif)]), size, index=SC_INDEX)


class Canvas:
    """An RGB page with text helpers; ``image`` is the result."""

    def __init__(self, width: int, height: int, color: Color = (255, 255, 255)) -> None:
        self.image = Image.new("RGB", (width, height), color)
        self.draw = ImageDraw.Draw(self.image)

    @classmethod
    def on(cls, image: Image.Image) -> Canvas:
        canvas = cls.__new__(cls)
        canvas.image = image
        canvas.draw = ImageDraw.Draw(image)
        return canvas

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        *,
        fill: Color = INK,
        bold: bool = False,
        serif: bool = False,
        anchor: str = "la",
        spacing: int = 0,
    ) -> float:
        """Draw ``text``; returns its right edge (letter-``spacing`` in pixels spreads it out)."""
        face = font(size, bold, serif)
        if not spacing:
            self.draw.text(xy, text, font=face, fill=fill, anchor=anchor)
            return xy[0] + self.draw.textlength(text, font=face)
        total = sum(self.draw.textlength(c, font=face) for c in text) + spacing * (len(text) - 1)
        x = xy[0] - (total / 2 if anchor[0] == "m" else total if anchor[0] == "r" else 0)
        for char in text:
            self.draw.text((x, xy[1]), char, font=face, fill=fill, anchor="l" + anchor[1])
            x += self.draw.textlength(char, font=face) + spacing
        return x

    def wrapped(
        self, xy: tuple[float, float], text: str, size: int, width: float, *, gap: float = 1.45, **kw: object
    ) -> float:
        """Draw ``text`` wrapped at ``width`` pixels; returns the y below the last line."""
        x, y = xy
        for line in wrap(text, font(size, bool(kw.get("bold")), bool(kw.get("serif"))), width):
            self.text((x, y), line, size, **kw)  # type: ignore[arg-type]
            y += size * gap
        return y

    def box(self, box: tuple[float, float, float, float], *, width: int = 2, outline: Color = GRID) -> None:
        self.draw.rectangle(box, outline=outline, width=width)

    def hline(self, x0: float, x1: float, y: float, *, width: int = 2, fill: Color = GRID) -> None:
        self.draw.line((x0, y, x1, y), fill=fill, width=width)

    def vline(self, x: float, y0: float, y1: float, *, width: int = 2, fill: Color = GRID) -> None:
        self.draw.line((x, y0, x, y1), fill=fill, width=width)

    def footer(self, page: int, pages: int, size: int = 22) -> None:
        """``第1页 共2页`` centred at the bottom of the page."""
        self.text(
            (self.width / 2, self.height - 40),
            f"第{page}页 共{pages}页",
            size,
            fill=(90, 90, 90),
            anchor="ms",
        )


Cell = tuple[str, int, bool]  # text, columns spanned, is a label


def grid(
    canvas: Canvas,
    origin: tuple[int, int],
    widths: list[int],
    rows: list[list[Cell]],
    row_height: int,
    size: int,
    *,
    label_fill: Color = INK,
) -> int:
    """A ruled table of rows of cells spanning columns (labels centred, values left); returns the bottom y."""
    x0, y = origin
    right = x0 + sum(widths)
    face = font(size)
    canvas.hline(x0, right, y)
    for row in rows:
        cells = []
        column = 0
        for text, span, is_label in row:
            width = sum(widths[column : column + span])
            cells.append((wrap(text, face, width - 24), width, is_label))
            column += span
        height = max(row_height, int(max(len(c[0]) for c in cells) * size * 1.35 + 24))
        x = x0
        for lines, width, is_label in cells:
            for i, line in enumerate(lines):
                cy = y + height / 2 + (i - (len(lines) - 1) / 2) * size * 1.35
                if is_label:
                    canvas.text((x + width / 2, cy), line, size, fill=label_fill, anchor="mm")
                else:
                    canvas.text((x + 14, cy), line, size, anchor="lm")
            canvas.vline(x, y, y + height)
            x += width
        canvas.vline(right, y, y + height)
        y += height
        canvas.hline(x0, right, y)
    return y


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` (character by character, as CJK wraps)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for char in paragraph:
            advance = _advance(face, char)
            if line and used + advance > width:
                lines.append(line)
                line, used = "", 0.0
            line += char
            used += advance
        lines.append(line)
    return lines


@lru_cache(maxsize=8192)
def _advance(face: ImageFont.FreeTypeFont, char: str) -> float:
    return face.getlength(char)


def seal(
    image: Image.Image,
    center: tuple[float, float],
    radius: int,
    arc_text: str,
    bottom_text: str = "",
    rng: random.Random | None = None,
    color: Color = RED,
) -> None:
    """A red round official seal: ring, star, ``arc_text`` along the top, ``bottom_text`` below the star."""
    size = radius * 2 + 8
    overlay = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    c = size / 2
    ink = (*color, 215)
    draw.ellipse((4, 4, size - 4, size - 4), outline=ink, width=max(3, radius // 14))
    star = radius * 0.28
    points = []
    for k in range(10):
        r = star if k % 2 == 0 else star * 0.4
        angle = math.pi / 2 + k * math.pi / 5
        points.append((c + r * math.cos(angle), c - r * math.sin(angle)))
    draw.polygon(points, fill=ink)
    char_size = max(12, int(radius * 0.24))
    face = font(char_size, bold=True)
    n = len(arc_text)
    span = min(250.0, 22.0 * n)
    for k, char in enumerate(arc_text):
        theta = math.radians(90 + span / 2 - (span * k / (n - 1) if n > 1 else span / 2))
        glyph = Image.new("RGBA", (char_size * 2, char_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((char_size, char_size), char, font=face, fill=ink, anchor="mm")
        glyph = glyph.rotate(math.degrees(theta) - 90, resample=Image.Resampling.BICUBIC)
        r = radius - char_size * 0.85
        x, y = c + r * math.cos(theta), c - r * math.sin(theta)
        overlay.alpha_composite(glyph, (int(x - char_size), int(y - char_size)))
    if bottom_text:
        draw.text(
            (c, c + radius * 0.55), bottom_text, font=font(max(11, int(radius * 0.17))), fill=ink, anchor="mm"
        )
    if rng is not None:
        overlay = overlay.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
    image.paste(overlay, (int(center[0] - c), int(center[1] - c)), overlay)


def photo_box(
    image: Image.Image, box: tuple[int, int, int, int], background: Color = (222, 228, 236)
) -> None:
    """A placeholder portrait: a plain background with a grey head-and-shoulders silhouette."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    photo = Image.new("RGB", (w, h), background)
    draw = ImageDraw.Draw(photo)
    grey = (150, 154, 160)
    draw.ellipse((w * 0.3, h * 0.14, w * 0.7, h * 0.58), fill=grey)
    draw.ellipse((w * 0.08, h * 0.64, w * 0.92, h * 1.3), fill=grey)
    image.paste(photo, (x0, y0))


def signature(image: Image.Image, xy: tuple[float, float], name: str, size: int, rng: random.Random) -> None:
    """``name`` as a slanted, slightly rotated blue-black hand signature with its left-middle at ``xy``."""
    face = font(size, serif=rng.random() < 0.5)
    width = int(face.getlength(name)) + size
    layer = Image.new("RGBA", (width + size, size * 2), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((size // 2, size), name, font=face, fill=(20, 35, 110, 235), anchor="lm")
    shear = rng.uniform(0.15, 0.3)
    layer = layer.transform(layer.size, Image.Transform.AFFINE, (1, shear, -shear * size, 0, 1, 0))
    layer = layer.rotate(rng.uniform(-6, 6), resample=Image.Resampling.BICUBIC)
    image.paste(layer, (int(xy[0] - size // 2), int(xy[1] - size)), layer)


def qr_placeholder(image: Image.Image, box: tuple[int, int, int, int], rng: random.Random) -> None:
    """A QR-code-like square of random modules with three finder patterns."""
    x0, y0, x1, _ = box
    n = 25
    cell = (x1 - x0) // n
    draw = ImageDraw.Draw(image)
    draw.rectangle((x0, y0, x0 + cell * n, y0 + cell * n), fill=(255, 255, 255))
    for i in range(n):
        for j in range(n):
            if rng.random() < 0.5:
                draw.rectangle(
                    (x0 + i * cell, y0 + j * cell, x0 + (i + 1) * cell - 1, y0 + (j + 1) * cell - 1), fill=INK
                )
    for fx, fy in ((0, 0), (n - 7, 0), (0, n - 7)):
        ox, oy = x0 + fx * cell, y0 + fy * cell
        draw.rectangle((ox, oy, ox + 7 * cell - 1, oy + 7 * cell - 1), fill=INK)
        draw.rectangle((ox + cell, oy + cell, ox + 6 * cell - 1, oy + 6 * cell - 1), fill=(255, 255, 255))
        draw.rectangle((ox + 2 * cell, oy + 2 * cell, ox + 5 * cell - 1, oy + 5 * cell - 1), fill=INK)


@lru_cache(maxsize=16)
def _pattern(width: int, height: int, tint: Color, strength: float) -> Image.Image:
    y, x = np.mgrid[0 : height // 2, 0 : width // 2].astype(np.float32) * 2  # half resolution, then scaled
    wave = np.sin(x / 9.0 + 2.5 * np.sin(y / 37.0)) * np.sin(y / 11.0 + 2.0 * np.sin(x / 53.0))
    glow = 1.0 - 0.10 * ((x / width - 0.6) ** 2 + (y / height - 0.4) ** 2)
    wave, glow = (cv2.resize(a, (width, height), interpolation=cv2.INTER_LINEAR) for a in (wave, glow))
    base = np.array(tint, dtype=np.float32)[None, None, :] * glow[..., None]
    pixels = base - strength * (wave[..., None] > 0.55) * np.array([18, 10, 4], dtype=np.float32)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def security_background(width: int, height: int, tint: Color, strength: float = 1.0) -> Image.Image:
    """A pale guilloche-like background (a fresh copy; the pattern itself is cached)."""
    return _pattern(width, height, tint, strength).copy()


def rounded_card(
    background: Image.Image, margin: int, radius: int, fill: Color = (246, 246, 244)
) -> Image.Image:
    """``background`` as a card with rounded corners on a plain scan-bed margin."""
    width, height = background.size
    page = Image.new("RGB", (width + 2 * margin, height + 2 * margin), fill)
    mask = Image.new("L", background.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, fill=255)
    page.paste(background, (margin, margin), mask)
    ImageDraw.Draw(page).rounded_rectangle(
        (margin, margin, margin + width - 1, margin + height - 1),
        radius=radius,
        outline=(200, 200, 200),
        width=2,
    )
    return page


def cn_date(day: date, *, style: str = "cn") -> str:
    """``2026年08月12日`` (cn), ``2026.08.12`` (dot) or ``2026-08-12`` (iso) for a date."""
    if style == "dot":
        return f"{day:%Y.%m.%d}"
    if style == "iso":
        return day.isoformat()
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"
