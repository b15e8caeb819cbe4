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
import warnings
from dataclasses import asdict, dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit
MAX_SIDE = 2560  # larger photos are scaled down: nobody needs more on a web page

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
    """The pixels only: a new image without EXIF, XMP, ICC, comments or text chunks."""
    image = ImageOps.exif_transpose(image)  # keep the photo upright once the EXIF orientation is gone
    if fmt == "JPEG":
        mode = "RGB"
    elif image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        mode = "RGBA"
    else:
        mode = "RGB" if image.mode not in ("L", "RGB") else image.mode
    if image.mode != mode:
        image = image.convert(mode)
    if max(image.size) > MAX_SIDE:
        image = image.copy()
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return Image.frombytes(mode, image.size, image.tobytes())


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
    if width * height > MAX_PIXELS:
        raise ImageError(_l("This photo has too many pixels. Please send a smaller photo."))
    try:
        with Image.open(BytesIO(data)) as image:
            image.seek(0)  # the first frame of an animation
            image.load()
            clean = _clean_copy(image, fmt)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ImageError(_l("This file is not a photo we can read. Please send a JPEG, PNG or WebP image.")) from error
    out = BytesIO()
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        clean.save(out, format="PNG", optimize=True)
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
