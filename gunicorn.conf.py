"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

The app is CPU-bound Python that waits on PostgreSQL several times a request
(and on the disk at each commit: a vote is answered only once it is
durable). While one request waits, the core should run another: two
processes per core with two threads each kept both cores of the benchmark
machine busiest (bench/ballots.py, 2 cores: 4 x 2 gave the most ballots a
second; 2 x 4, 3 x 3, 5 x 2 and 6-8 single-threaded processes did no
better, within the noise of the machine). More threads per process mostly
queue on the GIL. Each process holds at most `threads` database
connections at once (SQLAlchemy's default pool of 5 is enough), so
PostgreSQL sees workers x threads connections. Every value can be overridden from the environment
(GUNICORN_WORKERS, GUNICORN_THREADS, ...) or on the command line.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# Keep connections from the reverse proxy open between requests (no new TCP
# handshake and no new thread hand-off per request).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 30))
backlog = 2048
timeout = 30
graceful_timeout = 20


def post_worker_init(worker):
    """Load what the first request would otherwise wait for (PyThaiNLP's dictionary: about a second)."""
    from app.ideas.search import warm_up

    warm_up()


# Prometheus multiprocess mode (app/core/observability.py): with PROMETHEUS_MULTIPROC_DIR set,
# each worker writes its counts to files there and /metrics adds them up. The directory must be
# empty when gunicorn starts (stale files from old pids would be added too), so it is wiped here.
def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
