"""Draw the site's icons (the letter ร on the brand green) into this folder.

Run once after changing the design: `.venv/bin/python static/icons/make_icons.py`.
The PNG and ICO files it writes are committed, so nothing is drawn at run time.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parent / "fonts" / "NotoSansThai-Bold.ttf"
BRAND = (11, 92, 59, 255)  # --brand in main.css


def draw(size: int, *, rounded: bool = True) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    radius = size // 5 if rounded else 0
    pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=radius, fill=BRAND)
    font = ImageFont.truetype(str(FONT), int(size * 0.78))
    left, top, right, bottom = pen.textbbox((0, 0), "ร", font=font)
    x = (size - (right - left)) / 2 - left
    y = (size - (bottom - top)) / 2 - top
    pen.text((x, y), "ร", font=font, fill=(255, 255, 255, 255))
    return image


def main() -> None:
    draw(256).save(HERE / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    # iOS draws its own rounded corners and ignores transparency.
    draw(180, rounded=False).convert("RGB").save(HERE / "apple-touch-icon.png")
    draw(192).save(HERE / "icon-192.png")
    draw(512).save(HERE / "icon-512.png")


if __name__ == "__main__":
    main()
