"""Image bombs just under the old cap (#10.7): five uploads at once, in a process of their own,
whose peak memory is read back (bench/image_bombs.py prints the same figures)."""
import importlib.util
from pathlib import Path

import pytest
from PIL import Image

from app.media import storage

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("image_bombs", ROOT / "bench" / "image_bombs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_five_bombs_and_five_largest_photos_at_once_stay_within_a_memory_bound():
    figures = _bench().measure()
    base = figures["baseline_mb"]
    bomb, largest, phone = figures["png_bomb_6300"], figures["png_max_4096"], figures["jpeg_48mp"]
    assert bomb["results"] == ["refused"] * 5  # refused from its header, before any pixel is decoded
    assert bomb["peak_mb"] - base < 20
    assert largest["results"] == ["ok"] * 5 and phone["results"] == ["ok"] * 5
    # One decode at a time, scaled down first: the five largest PNGs (4096 x 4096 RGBA, 67 MB
    # decoded each) and five 48 MP JPEGs together cost the process far less than one bomb did (537 MB).
    assert largest["peak_mb"] - base < 150, figures
    assert phone["peak_mb"] - base < 150, figures


def test_a_12_megapixel_phone_photo_is_kept_and_scaled_down():
    from io import BytesIO

    for fmt, size in (("PNG", (4000, 3000)), ("JPEG", (4000, 3000)), ("JPEG", (8000, 6000))):
        out = BytesIO()
        Image.new("RGB", size, (10, 90, 200)).save(out, format=fmt)
        data, kind, width, height = storage.process_image(out.getvalue())
        assert kind == fmt and max(width, height) == storage.MAX_SIDE


@pytest.mark.parametrize("size", [(6300, 6300), (4200, 4100)])
def test_png_over_the_pixel_cap_is_refused_before_decoding(size, monkeypatch):
    from io import BytesIO

    out = BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 0)).save(out, format="PNG")
    loads = []
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(1))  # the pixel decoder
    with pytest.raises(storage.ImageError, match="ความละเอียดสูงเกินไป"):
        storage.process_image(out.getvalue())
    assert loads == []
