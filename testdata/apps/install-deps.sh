#!/bin/sh
# Installs the Debian (bookworm) packages the test applications need, only when missing (idempotent).
# Django 3.2, SQLAlchemy 1.4, Alembic 1.8, psycopg2 2.9 -- run with /usr/bin/python3, not a pyenv python.
set -eu
PKGS="python3-django python3-sqlalchemy python3-alembic python3-psycopg2"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y $missing || { $SUDO apt-get update && $SUDO apt-get install -y $missing; }
fi
/usr/bin/python3 -c 'import django, sqlalchemy, alembic, psycopg2
assert django.VERSION[:2] == (3, 2), django.get_version()
assert sqlalchemy.__version__.startswith("1.4"), sqlalchemy.__version__
print("django", django.get_version(), "sqlalchemy", sqlalchemy.__version__, "alembic", alembic.__version__, "psycopg2", psycopg2.__version__.split()[0])'
