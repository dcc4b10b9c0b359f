"""The WSGI entry point gunicorn loads ("sizedrop_app.wsgi:app", see gunicorn.conf.py)."""

from sizedrop_app.app import create_app

app = create_app()
