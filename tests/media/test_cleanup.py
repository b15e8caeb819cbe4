"""Photos uploaded for forms that were never sent are removed; referenced and recent ones stay."""
import os
import time
from datetime import timedelta
from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage

from app.media.cleanup import remove_orphans
from app.media.storage import exists, save_image
from tests.ideas.factories import create_idea, image_bytes


def _upload():
    return save_image(FileStorage(stream=BytesIO(image_bytes()), filename="a.jpg", content_type="image/jpeg"))


def _age(name: str, hours: int, app) -> None:
    path = os.path.join(app.config["UPLOAD_DIR"], name)
    past = time.time() - hours * 3600
    os.utime(path, (past, past))


def test_old_unreferenced_photos_are_removed_and_others_kept(app, db):
    from app.ideas.models import IdeaPhoto

    orphan, recent, used = _upload(), _upload(), _upload()
    idea = create_idea()
    idea.photos.append(IdeaPhoto(filename=used.filename, content_type=used.content_type,
                                 width=used.width, height=used.height, size_bytes=used.size_bytes))
    db.session.flush()
    _age(orphan.filename, 72, app)
    _age(used.filename, 72, app)
    _age(recent.filename, 3, app)

    assert remove_orphans(dry_run=True) == [orphan.filename]
    assert exists(orphan.filename)
    assert remove_orphans() == [orphan.filename]
    assert not exists(orphan.filename)
    assert exists(recent.filename) and exists(used.filename)


def test_grace_shorter_than_a_pending_preview_is_refused():
    with pytest.raises(ValueError):
        remove_orphans(timedelta(hours=2))


def test_cli(app):
    orphan = _upload()
    _age(orphan.filename, 72, app)
    result = app.test_cli_runner().invoke(args=["media", "cleanup", "--dry-run"])
    assert result.exit_code == 0 and orphan.filename in result.output and exists(orphan.filename)
    result = app.test_cli_runner().invoke(args=["media", "cleanup", "--hours", "2"])
    assert result.exit_code != 0
    result = app.test_cli_runner().invoke(args=["media", "cleanup"])
    assert result.exit_code == 0 and not exists(orphan.filename)
