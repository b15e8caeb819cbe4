"""Time the data download for one person with 10,000 items (PDPA: "at once").

Builds a throw-away SQLite database (or uses DATABASE_URL), gives one person
`--items` rows spread over ideas, comments, supports, follows, reports and
notifications, then streams their ZIP through the test client and prints the
seconds to the first byte and to the last, the size and the peak memory.
    .venv/bin/python bench/privacy_export.py [--items 10000]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ruamkhit-bench-privacy-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"

    from flask_migrate import upgrade
    from sqlalchemy import insert

    from app import create_app
    from app.accounts import services as accounts
    from app.areas.services import get_area_by_code, load_registry
    from app.core.timeutil import utcnow
    from app.engagement.models import Comment, IdeaFollow, Support
    from app.extensions import db
    from app.ideas.models import Idea, IdeaCategory
    from app.moderation.models import Report
    from app.notifications.models import Notification

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(workdir / "uploads"),
                     OUTBOX_DIR=str(workdir / "outbox"), WTF_CSRF_ENABLED=False)
    with app.app_context():
        upgrade()
        load_registry()
        person = accounts.create_user("bench.person@example.com", "correct horse battery", "ผู้ทดสอบ", "50",
                                      consent=True, email_verified=True)
        other = accounts.create_user("bench.other@example.com", "correct horse battery", "คนอื่น", "50",
                                     consent=True, email_verified=True)
        db.session.commit()
        area = get_area_by_code("50")
        now = utcnow()
        share = args.items // 6
        idea_rows = [{"area_id": area.id, "author_id": person.id, "title": f"ไอเดียที่ {i}", "description": "รายละเอียด " * 20,
                      "category": IdeaCategory.INFRASTRUCTURE, "created_at": now, "updated_at": now} for i in range(share)]
        db.session.execute(insert(Idea), idea_rows)
        target_rows = [{"area_id": area.id, "author_id": other.id, "title": f"ของคนอื่น {i}", "description": "x",
                        "category": IdeaCategory.WATER, "created_at": now, "updated_at": now} for i in range(share)]
        db.session.execute(insert(Idea), target_rows)
        targets = [i for (i,) in db.session.execute(db.select(Idea.id).where(Idea.author_id == other.id))]
        db.session.execute(insert(Comment), [{"idea_id": t, "author_id": person.id, "body": "ความคิดเห็น " * 10, "created_at": now} for t in targets])
        db.session.execute(insert(Support), [{"idea_id": t, "user_id": person.id, "created_at": now} for t in targets])
        db.session.execute(insert(IdeaFollow), [{"idea_id": t, "user_id": person.id, "created_at": now} for t in targets])
        db.session.execute(insert(Report), [{"idea_id": t, "reporter_id": person.id, "reason": "spam", "created_at": now} for t in targets])
        rest = args.items - 5 * share
        db.session.execute(insert(Notification), [{"user_id": person.id, "kind": "idea.commented",
                                                   "params": {"actor": "คนอื่น", "title": "t"}, "link": "/ideas/1",
                                                   "created_at": now} for _ in range(rest)])
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": person.email, "password": "correct horse battery"})
        tracemalloc.start()
        start = time.perf_counter()
        response = client.get("/profile/my-data.zip", buffered=False)
        chunks = iter(response.response)
        first = next(chunks)
        first_at = time.perf_counter() - start
        size = len(first) + sum(len(c) for c in chunks)
        total = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"items: {args.items} on {db.engine.dialect.name}")
        print(f"first byte: {first_at:.3f} s, whole ZIP: {total:.2f} s, {size / 1e6:.1f} MB, peak Python memory {peak / 1e6:.1f} MB")
        print("OK (under 5 s)" if total < 5 else "SLOW (5 s or more)")


if __name__ == "__main__":
    main()
