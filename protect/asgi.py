"""ASGI entry point (unused by default; gunicorn serves WSGI)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protect.settings")
application = get_asgi_application()
