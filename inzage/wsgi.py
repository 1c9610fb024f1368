"""WSGI entry point; served by granian (see the Makefile's `run` target)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inzage.settings")
application = get_wsgi_application()
