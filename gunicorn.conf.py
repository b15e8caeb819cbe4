"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

The app is CPU-bound Python that waits on PostgreSQL a few times a request
(and on the disk at each commit: a vote is answered only once it is
durable). One process per core keeps the cores busy with Python; a few
threads per process overlap those waits without much GIL contention.
Measured with bench/ballots.py on a 2-core machine (see the README).
Every value can be overridden from the environment or on the command line.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Keep connections from the reverse proxy open between requests (no new TCP
# handshake and no new thread hand-off per request).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 30))
backlog = 2048
timeout = 30
graceful_timeout = 20
