"""WSGI config for the meetupsite project."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetupsite.settings")

application = get_wsgi_application()
