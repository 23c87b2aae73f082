"""Settings of the Django test application. The database comes from APP_DB (see ../appcommon.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
import appcommon  # noqa: E402

SECRET_KEY = 'test-only-not-secret'
DEBUG = False
ALLOWED_HOSTS = ['*']

INSTALLED_APPS = [
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'shop',
]
MIDDLEWARE = []
ROOT_URLCONF = 'appsite.urls'

USE_TZ = True
TIME_ZONE = 'Europe/Paris'  # not UTC on purpose
USE_I18N = False
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'

# 'initial' = models as of migration 0001; 'next' = models after shop/next_migrations (apply_next)
APP_STATE = os.environ.get('APP_STATE', 'initial')

_db = appcommon.parse_app_db()
if _db.is_sqlite:
    DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': _db.path}}
else:
    DATABASES = {'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': _db.dbname, 'USER': _db.user, 'PASSWORD': _db.password or '',
        'HOST': _db.host, 'PORT': str(_db.port),
        'OPTIONS': {'options': '-c search_path=%s' % _db.schema},
    }}
APP_DB = _db
