import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from portal.edge import EdgeGuard  # noqa: E402  (after the settings module is chosen)

# EdgeGuard first: a Content-Type that Django cannot even parse becomes a 400 page instead of the server's bare 500.
application = EdgeGuard(get_wsgi_application())
