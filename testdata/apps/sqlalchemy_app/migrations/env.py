"""Alembic environment: the database is APP_DB; on PostgreSQL the schema comes first in search_path
(so alembic_version and every table live in it)."""
import os
import sys
from logging.config import fileConfig

from alembic import context

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))

import appcommon  # noqa: E402
import models  # noqa: E402

config = context.config
if config.config_file_name is not None and not config.attributes.get('no_logging'):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = models.Base.metadata


def run_migrations_online():
    appdb = appcommon.parse_app_db()
    engine = models.make_engine(appdb, for_migrations=True)
    with engine.connect() as connection:
        if appdb.is_sqlite:
            # batch mode recreates tables: with foreign keys on, dropping the old table would cascade
            connection.exec_driver_sql('PRAGMA foreign_keys=OFF')
            connection.commit()   # end the future connection's autobegun transaction before Alembic's own
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=appdb.is_sqlite)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit('offline mode is not supported')
run_migrations_online()
