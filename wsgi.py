"""WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`.

The configuration is chosen by RUAMKHIT_ENV (development, production);
development is the default so that `make run` needs no settings.
"""
import os

from app import create_app

app = create_app(os.environ.get("RUAMKHIT_ENV", "development"))
