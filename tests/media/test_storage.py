"""Uploaded images: type read from the content, size limit, metadata (GPS) stripped, served safely."""
from __future__ import annotations

from io import BytesIO

import pytest
from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage

from app.media.storage import MAX_IMAGE_BYTES, ImageError, image_path, save_image
from tests.ideas.factories import image_bytes


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> FileStorage:
    return FileStorage(stream=BytesIO(data), filename=name, content_type=content_type)


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (18.0, 47.0, 17.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (98.0, 59.0, 7.0)
    return image_bytes("JPEG", size=(120, 80), exif=exif)


def test_exif_with_gps_is_stripped_from_a_jpeg():
    original = jpeg_with_gps()
    with Image.open(BytesIO(original)) as source:  # the test photo really carries a position
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    stored = save_image(upload(original))
    data = image_path(stored.filename).read_bytes()
    assert b"Exif" not in data and b"PhoneMaker" not in data
    with Image.open(BytesIO(data)) as clean:
        assert clean.format == "JPEG"
        assert not clean.getexif()
        assert not clean.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert clean.size == (120, 80)
    assert stored.content_type == "image/jpeg" and stored.filename.endswith(".jpg")
    assert (stored.width, stored.height, stored.size_bytes) == (120, 80, len(data))


def test_png_text_chunks_are_dropped_and_webp_is_accepted():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret home address")
    out = BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG", pnginfo=info)
    stored = save_image(upload(out.getvalue(), "a.png", "image/png"))
    data = image_path(stored.filename).read_bytes()
    assert b"secret home address" not in data
    with Image.open(BytesIO(data)) as clean:
        assert clean.format == "PNG" and clean.mode == "RGBA"
    webp = save_image(upload(image_bytes("WEBP"), "b.webp", "image/webp"))
    assert webp.content_type == "image/webp" and webp.filename.endswith(".webp")


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name():
    with pytest.raises(ImageError):
        save_image(upload(b"<html><script>alert(1)</script></html>", "photo.jpg"))
    with pytest.raises(ImageError):
        save_image(upload(b"%PDF-1.4 not a photo", "scan.png", "image/png"))
    with pytest.raises(ImageError):
        save_image(upload(b"", "empty.jpg"))


def test_another_image_type_disguised_by_its_extension_is_refused():
    out = BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="GIF")
    with pytest.raises(ImageError):
        save_image(upload(out.getvalue(), "photo.jpg", "image/jpeg"))
    out = BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="BMP")
    with pytest.raises(ImageError):
        save_image(upload(out.getvalue(), "photo.png", "image/png"))


def test_a_truncated_jpeg_is_refused():
    data = image_bytes("JPEG", size=(300, 300))
    with pytest.raises(ImageError):
        save_image(upload(data[: len(data) // 2]))


def test_a_photo_over_5_mb_is_refused_before_decoding():
    data = image_bytes("JPEG") + b"\0" * MAX_IMAGE_BYTES
    with pytest.raises(ImageError):
        save_image(upload(data))


def test_large_photos_are_scaled_down():
    stored = save_image(upload(image_bytes("PNG", size=(3000, 1500)), "big.png", "image/png"))
    assert (stored.width, stored.height) == (2560, 1280)


def test_serve_sends_the_content_type_and_nosniff(client):
    stored = save_image(upload(image_bytes("PNG"), "x.png", "image/png"))
    response = client.get(f"/media/{stored.filename}")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == image_path(stored.filename).read_bytes()
    response.close()


@pytest.mark.parametrize("name", ["..%2f..%2fconfig.py", "x.jpg", "A" * 32 + ".gif", "A" * 32 + ".jpg", ".hidden.jpg"])
def test_serve_refuses_unknown_or_malformed_names(client, name):
    assert client.get(f"/media/{name}").status_code == 404
