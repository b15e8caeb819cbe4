"""Storing uploaded images safely.

An upload is trusted for nothing: its type is read from its content by
Pillow (not from the file name or the browser's content type), it must be a
JPEG, PNG or WebP of at most 5 MB, and it is decoded and re-encoded from its
pixels alone, so EXIF (GPS position, camera serial, date) and any other
metadata or trailing payload are dropped. Files are stored under random names
in UPLOAD_DIR, outside static/, and served by `app.media.routes`.
"""
from __future__ import annotations

import os
import re
import secrets
import threading
import warnings
from dataclasses import asdict, dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2560  # larger photos are scaled down: nobody needs more on a web page
# Decoding memory is bounded before any pixel is decoded (an "image bomb" is a
# small file of many pixels: a 150 KB PNG of 6300 x 6300 RGBA took 537 MB and a
# second of a worker):
# - a JPEG is decoded already scaled down (Pillow's draft mode, 1/2 to 1/8 of
#   its size) to at least MAX_SIDE, so even a 50-megapixel phone photo costs
#   about 40 MB;
# - PNG and WebP cannot be decoded scaled, so they may have at most 16.8
#   million pixels (4096 x 4096: a phone's 12 MP picture, 4000 x 3000, fits);
# - one image at a time is decoded in a process (DECODES_AT_ONCE), so uploads
#   arriving together wait for each other instead of adding up (bench/image_bombs.py).
MAX_PIXELS_JPEG = 50_000_000
MAX_PIXELS = 16_800_000
DECODES_AT_ONCE = 1
_decoding = threading.BoundedSemaphore(DECODES_AT_ONCE)

# Pillow format -> (content type, file extension)
FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}
CONTENT_TYPES = {ext: ctype for ctype, ext in FORMATS.values()}
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{32}\.(jpg|png|webp)$")


class ImageError(Exception):
    """An upload was refused; the message is shown to the user."""


@dataclass(frozen=True)
class StoredImage:
    filename: str
    content_type: str
    width: int
    height: int
    size_bytes: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "StoredImage":
        return cls(
            filename=str(data["filename"]), content_type=str(data["content_type"]),
            width=int(data["width"]), height=int(data["height"]), size_bytes=int(data["size_bytes"]),
        )


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def is_valid_name(name: str) -> bool:
    return bool(NAME_RE.match(name or ""))


def image_path(name: str) -> Path | None:
    """Path of a stored image, or None for a name we could not have made."""
    if not is_valid_name(name):
        return None
    return upload_dir() / name


def _read_limited(stream: IO[bytes], limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ImageError(_l("Each photo must be 5 MB or smaller."))
    return data


def _clean_copy(image: Image.Image, fmt: str) -> Image.Image:
    """The pixels only: a new image without EXIF, XMP, ICC, comments or text chunks.

    The image is scaled down first (in place), so that every copy made below is
    of the small picture, not of the decoded original.
    """
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    image = ImageOps.exif_transpose(image)  # keep the photo upright once the EXIF orientation is gone
    if fmt == "JPEG":
        mode = "RGB"
    elif image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        mode = "RGBA"
    else:
        mode = "RGB" if image.mode not in ("L", "RGB") else image.mode
    if image.mode != mode:
        image = image.convert(mode)
    clean = Image.new(mode, image.size)  # a new image of the pixels only (no bytes copy in between)
    clean.paste(image)
    return clean


def process_image(data: bytes) -> tuple[bytes, str, int, int]:
    """Verify and re-encode image bytes: (clean bytes, Pillow format, width, height)."""
    if not data:
        raise ImageError(_l("The file is empty."))
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(_l("Each photo must be 5 MB or smaller."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError(_l("This file is not a photo we can read. Please send a JPEG, PNG or WebP image.")) from error
    if fmt not in FORMATS:
        raise ImageError(_l("Only JPEG, PNG and WebP photos are accepted."))
    if width * height > (MAX_PIXELS_JPEG if fmt == "JPEG" else MAX_PIXELS):
        raise ImageError(_l("This photo has too many pixels. Please send a smaller photo."))
    try:
        with _decoding, Image.open(BytesIO(data)) as image:
            image.seek(0)  # the first frame of an animation
            if fmt == "JPEG":
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at 1/2, 1/4 or 1/8 scale when that still fits
            image.load()
            clean = _clean_copy(image, fmt)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ImageError(_l("This file is not a photo we can read. Please send a JPEG, PNG or WebP image.")) from error
    out = BytesIO()
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        clean.save(out, format="PNG", compress_level=6)  # optimize=True cost seconds a photo
    else:
        clean.save(out, format="WEBP", quality=85)
    return out.getvalue(), fmt, clean.width, clean.height


def save_image(file_storage) -> StoredImage:
    """Verify, clean and store one uploaded image (a werkzeug FileStorage or any object with .stream or .read)."""
    stream = getattr(file_storage, "stream", file_storage)
    data = _read_limited(stream, MAX_IMAGE_BYTES)
    clean, fmt, width, height = process_image(data)
    content_type, ext = FORMATS[fmt]
    name = secrets.token_urlsafe(24) + ext  # 32 characters, 192 random bits
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(clean)
    os.replace(tmp, folder / name)
    return StoredImage(filename=name, content_type=content_type, width=width, height=height, size_bytes=len(clean))


def delete_image(name: str) -> None:
    """Remove a stored image; unknown or already removed names are ignored."""
    path = image_path(name)
    if path is not None:
        path.unlink(missing_ok=True)


def exists(name: str) -> bool:
    path = image_path(name)
    return path is not None and path.is_file()
