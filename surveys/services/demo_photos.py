"""Customers' photos for the demo shop, drawn with Pillow when the demo is seeded (nothing is
downloaded): a table, a wall and the product, a little different each time, then put through
the same cleaning as a customer's upload."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

from .images import clean_photo
from .photos import PhotoChanges, Upload

SIZE = (1200, 900)


def _scene(rng: random.Random) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    wall = tuple(rng.randint(215, 240) for _ in range(3))
    table = (rng.randint(120, 160), rng.randint(80, 105), rng.randint(50, 70))
    image = Image.new("RGB", SIZE, wall)
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(520, 600)
    draw.rectangle((0, horizon, SIZE[0], SIZE[1]), fill=table)
    for y in range(horizon, SIZE[1], 18):  # wood grain
        shade = tuple(max(0, c - rng.randint(6, 16)) for c in table)
        draw.line((0, y, SIZE[0], y + rng.randint(-6, 6)), fill=shade, width=2)
    return image, draw


def _mug(draw, rng, cx, base):
    clay = (rng.randint(150, 185), rng.randint(75, 95), rng.randint(40, 55))
    draw.ellipse((cx + 120, base - 300, cx + 260, base - 140), outline=clay, width=34)  # handle
    draw.rounded_rectangle((cx - 170, base - 380, cx + 170, base), radius=40, fill=clay)
    draw.ellipse((cx - 170, base - 410, cx + 170, base - 350), fill=tuple(c - 40 for c in clay))
    draw.rectangle((cx - 170, base - 250, cx + 170, base - 225), fill=(235, 225, 200))  # glaze band


def _jug(draw, rng, cx, base):
    blue = (rng.randint(20, 40), rng.randint(60, 90), rng.randint(150, 190))
    draw.ellipse((cx - 200, base - 380, cx + 200, base), fill=(245, 243, 235))
    draw.rectangle((cx - 90, base - 520, cx + 90, base - 330), fill=(245, 243, 235))
    draw.polygon([(cx - 90, base - 520), (cx - 150, base - 560), (cx - 40, base - 520)], fill=(245, 243, 235))
    for _ in range(26):  # talavera flowers
        x, y = rng.randint(cx - 160, cx + 160), rng.randint(base - 340, base - 40)
        draw.ellipse((x - 18, y - 18, x + 18, y + 18), fill=blue)
        draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=(230, 180, 40))


def _cloth(draw, rng, cx, base):
    color = rng.choice([(250, 248, 240), (235, 215, 180)])
    draw.polygon([(cx - 420, base), (cx + 420, base), (cx + 320, base - 260), (cx - 320, base - 260)], fill=color)
    for i in range(9):
        x = cx - 300 + i * 75
        for j, petal in enumerate([(200, 40, 90), (240, 140, 30), (40, 140, 90)]):
            y = base - 200 + j * 55
            draw.ellipse((x - 14, y - 14, x + 14, y + 14), fill=petal)


def _bag(draw, rng, cx, base):
    brown = (rng.randint(110, 140), rng.randint(70, 90), rng.randint(40, 55))
    draw.rectangle((cx - 170, base - 460, cx + 170, base), fill=brown)
    draw.polygon(
        [(cx - 170, base - 460), (cx + 170, base - 460), (cx + 130, base - 520), (cx - 130, base - 520)], fill=brown
    )
    draw.rectangle((cx - 120, base - 340, cx + 120, base - 150), fill=(240, 230, 205))
    draw.ellipse((cx - 45, base - 290, cx + 45, base - 200), fill=(90, 50, 25))  # a coffee bean
    draw.line((cx, base - 285, cx, base - 205), fill=(240, 230, 205), width=6)


def _candle(draw, rng, cx, base):
    wax = (rng.randint(235, 250), rng.randint(225, 240), rng.randint(200, 215))
    draw.rectangle((cx - 130, base - 330, cx + 130, base), fill=(150, 170, 160))  # the glass
    draw.rectangle((cx - 115, base - 300, cx + 115, base - 10), fill=wax)
    draw.line((cx, base - 300, cx, base - 340), fill=(40, 40, 40), width=5)
    draw.ellipse((cx - 22, base - 420, cx + 22, base - 335), fill=(250, 190, 60))
    draw.ellipse((cx - 10, base - 380, cx + 10, base - 345), fill=(255, 245, 200))


def _basket(draw, rng, cx, base):
    palm = (rng.randint(200, 220), rng.randint(170, 190), rng.randint(110, 130))
    draw.polygon([(cx - 260, base - 380), (cx + 260, base - 380), (cx + 200, base), (cx - 200, base)], fill=palm)
    for y in range(base - 370, base, 28):
        half = 200 + 60 * (base - y) // 380  # the basket narrows towards its base
        draw.line((cx - half + 8, y, cx + half - 8, y), fill=tuple(c - 35 for c in palm), width=5)
    draw.arc((cx - 150, base - 560, cx + 150, base - 300), 180, 360, fill=(120, 80, 40), width=18)


DRAWINGS = {
    "TAZA-01": _mug,
    "JARRO-02": _jug,
    "MANTEL-03": _cloth,
    "CAFE-04": _bag,
    "VELA-05": _candle,
    "BOLSA-06": _basket,
}


def draw_photo(sku: str, rng: random.Random) -> bytes:
    """A JPEG, as a phone would send it, of the product ``sku`` on a table."""
    image, draw = _scene(rng)
    DRAWINGS.get(sku, _mug)(draw, rng, rng.randint(480, 720), rng.randint(760, 840))
    image = image.filter(ImageFilter.GaussianBlur(1.2)).rotate(rng.uniform(-3, 3), fillcolor=(200, 200, 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def demo_photos(sku: str, rng: random.Random, count: int) -> PhotoChanges:
    """``count`` drawn photos of ``sku``, cleaned like any upload."""
    return PhotoChanges(
        uploads=[
            Upload(f"IMG_{rng.randint(1000, 9999)}.jpg", photo=clean_photo(draw_photo(sku, rng))) for _ in range(count)
        ]
    )
