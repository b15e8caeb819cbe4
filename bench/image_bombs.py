"""Peak memory and time of decoding uploads at once, as a worker would (#10.7).

    .venv/bin/python bench/image_bombs.py            # prints the figures
    .venv/bin/python bench/image_bombs.py --child DIR  (used by tests/media/test_bombs.py)

Five files are decoded at the same time in threads of one process: five PNG
bombs of 6300 x 6300 RGBA (about 150 KB each, refused before decoding), five
PNGs of the largest size accepted (4096 x 4096 RGBA) and five 48-megapixel
JPEGs (8000 x 6000, decoded at half size). The child process reports its own
peak resident memory (ru_maxrss), so the figure is that of a worker.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = {
    "png_bomb_6300": ("PNG", (6300, 6300), "RGBA"),
    "png_max_4096": ("PNG", (4096, 4096), "RGBA"),
    "jpeg_48mp": ("JPEG", (8000, 6000), "RGB"),
}


def make_files(folder: Path) -> None:
    from PIL import Image, ImageDraw

    for name, (fmt, size, mode) in KINDS.items():
        image = Image.new(mode, size, (30, 120, 80, 255) if mode == "RGBA" else (30, 120, 80))
        ImageDraw.Draw(image).rectangle((0, 0, size[0] // 3, size[1] // 3), fill=(200, 40, 40))
        out = BytesIO()
        image.save(out, format=fmt, **({"quality": 80} if fmt == "JPEG" else {}))
        (folder / f"{name}.{fmt.lower()}").write_bytes(out.getvalue())
        del image


def child(folder: Path) -> None:
    """Decode each kind five times at once; print JSON figures."""
    from app.media.storage import ImageError, process_image

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {"baseline_mb": round(base / 1024, 1)}
    for name in KINDS:
        data = next(folder.glob(f"{name}.*")).read_bytes()
        results: list[str] = []

        def work() -> None:
            try:
                process_image(data)
                results.append("ok")
            except ImageError:
                results.append("refused")

        started = time.perf_counter()
        threads = [threading.Thread(target=work) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        figures[name] = {"file_kb": round(len(data) / 1024), "results": results,
                         "seconds": round(time.perf_counter() - started, 2), "peak_mb": round(peak / 1024, 1)}
    print(json.dumps(figures))


def measure() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        make_files(Path(tmp))
        out = subprocess.run([sys.executable, __file__, "--child", tmp], capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]))
    else:
        figures = measure()
        print(f"baseline resident memory: {figures.pop('baseline_mb')} MB")
        for name, f in figures.items():
            print(f"{name}: {f['file_kb']} KB file, five at once: {', '.join(sorted(set(f['results'])))}, "
                  f"{f['seconds']} s, process peak {f['peak_mb']} MB")
