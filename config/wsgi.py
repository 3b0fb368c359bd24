import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Objects loaded at start-up (code, settings, URL patterns) never die: moving them out of the
# garbage collector's generations removes occasional slow full collections under load.
gc.freeze()
