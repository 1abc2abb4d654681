"""WSGI entry point that gunicorn loads (dotserver.wsgi:application)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dotserver.settings")
application = get_wsgi_application()
