"""Models of the SQLAlchemy 1.4 test application (2.0-style API: future engine, select(), Session.execute).

APP_STATE=next gives the models as they are after next_versions/0002_next.py (renamed column,
dropped named unique constraint, altered columns, an added index).
"""
import datetime
import os
import uuid

from sqlalchemy import (CHAR, JSON, Boolean, CheckConstraint, Column, Date, DateTime, Float, ForeignKey,
                        Index, Integer, Interval, LargeBinary, MetaData, Numeric, String, Table, Text,
                        Time, UniqueConstraint, event)
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

NEXT = os.environ.get('APP_STATE', 'initial') == 'next'
UTC = datetime.timezone.utc


class GUID(TypeDecorator):
    """The SQLAlchemy 1.4 documentation's backend-agnostic GUID: PostgreSQL's UUID type there,
    CHAR(32) of hex digits elsewhere."""
    impl = CHAR
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == 'postgresql':
            return dialect.type_descriptor(PG_UUID())
        return dialect.type_descriptor(CHAR(32))

    def process_bind_param(self, value, dialect):
        if value is None:
            return value
        if dialect.name == 'postgresql':
            return str(value)
        if not isinstance(value, uuid.UUID):
            return '%.32x' % uuid.UUID(value).int
        return '%.32x' % value.int

    def process_result_value(self, value, dialect):
        if value is None:
            return value
        if not isinstance(value, uuid.UUID):
            value = uuid.UUID(value)
        return value


class UTCDateTime(TypeDecorator):
    """DateTime(timezone=True) that always binds UTC and always returns aware UTC datetimes
    (SQLite keeps no offset: its values are UTC wall time)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError('naive datetime for a timezone-aware column')
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == 'sqlite' else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Base = declarative_base(metadata=MetaData())

product_tags = Table(
    'product_tags', Base.metadata,
    Column('product_id', Integer, ForeignKey('products.id', ondelete='CASCADE'), primary_key=True),
    Column('tag_id', Integer, ForeignKey('tags.id', ondelete='CASCADE'), primary_key=True),
)


class Customer(Base):
    __tablename__ = 'customers'
    id = Column(Integer, primary_key=True, autoincrement=True)
    email = Column(String(254), nullable=False, unique=True)
    name = Column(String(150 if NEXT else 100), nullable=False)
    is_active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False)            # timestamp with time zone
    last_seen = Column(DateTime, nullable=True)                 # naive timestamp (UTC wall time)
    birth_date = Column(Date, nullable=True)
    external_id = Column(GUID, nullable=False, unique=True)
    profile = Column(JSON, nullable=False, default=dict)
    if NEXT:
        display_name = Column(String(30), nullable=True)        # renamed from nickname
    else:
        nickname = Column(String(30), nullable=True)
    orders = relationship('Order', back_populates='customer', cascade='all, delete-orphan', passive_deletes=True)
    __table_args__ = (Index('ix_customers_name_created', 'name', 'created_at'),)


class Category(Base):
    __tablename__ = 'categories'
    id = Column(Integer, primary_key=True)
    slug = Column(String(60), nullable=False, unique=True)
    name = Column(String(50), nullable=False)
    parent_id = Column(Integer, ForeignKey('categories.id', ondelete='SET NULL'), nullable=True)


class Tag(Base):
    __tablename__ = 'tags'
    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False, unique=True)


class Product(Base):
    __tablename__ = 'products'
    id = Column(Integer, primary_key=True)
    sku = Column(String(32), nullable=False, unique=True)
    title = Column(String(200), nullable=False)
    price = Column(Numeric(12, 4), nullable=False)
    weight = Column(Float, nullable=True)
    in_stock = Column(Boolean, nullable=False, default=False)
    category_id = Column(Integer, ForeignKey('categories.id', ondelete='SET NULL'), nullable=True)
    attributes = Column(JSON, nullable=False, default=dict)
    image = Column(LargeBinary, nullable=True)
    available_from = Column(Time, nullable=True)
    warranty = Column(Interval, nullable=True)
    tags = relationship(Tag, secondary=product_tags, order_by=Tag.id)
    __table_args__ = (
        CheckConstraint('price >= 0', name='ck_products_price_nonneg'),
    ) + (() if NEXT else (UniqueConstraint('category_id', 'title', name='uq_products_category_title'),))


class Order(Base):
    __tablename__ = 'orders'
    id = Column(GUID, primary_key=True)
    customer_id = Column(Integer, ForeignKey('customers.id', ondelete='CASCADE'), nullable=False)
    number = Column(Integer, nullable=False)
    status = Column(String(16), nullable=NEXT, default='new')
    placed_at = Column(UTCDateTime, nullable=False)
    ship_date = Column(Date, nullable=True)
    total = Column(Numeric(12, 4), nullable=False, default=0)
    note = Column(Text, nullable=True)
    customer = relationship(Customer, back_populates='orders')
    lines = relationship('OrderLine', back_populates='order', cascade='all, delete-orphan', passive_deletes=True)
    __table_args__ = (UniqueConstraint('customer_id', 'number', name='uq_orders_customer_number'),) + (
        (Index('ix_orders_status_placed', 'status', 'placed_at'),) if NEXT else ())


class OrderLine(Base):
    __tablename__ = 'order_lines'
    id = Column(Integer, primary_key=True)
    order_id = Column(GUID, ForeignKey('orders.id', ondelete='CASCADE'), nullable=False)
    product_id = Column(Integer, ForeignKey('products.id', ondelete='CASCADE'), nullable=False)
    quantity = Column(Integer, nullable=False)
    unit_price = Column(Numeric(12, 4), nullable=False)
    order = relationship(Order, back_populates='lines')
    product = relationship(Product)
    __table_args__ = (CheckConstraint('quantity > 0', name='ck_order_lines_quantity_positive'),)


class DailyStat(Base):
    """Target of the upserts (INSERT ... ON CONFLICT ... DO UPDATE)."""
    __tablename__ = 'daily_stats'
    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False)
    product_id = Column(Integer, ForeignKey('products.id', ondelete='CASCADE'), nullable=False)
    views = Column(Integer, nullable=False, default=0)
    revenue = Column(Numeric(12, 4), nullable=False, default=0)
    __table_args__ = (UniqueConstraint('day', 'product_id', name='uq_daily_stats_day_product'),)


def make_engine(appdb, for_migrations=False):
    """Engine for APP_DB. SQLite: foreign keys switched on (the SQLAlchemy documentation's recipe)
    unless APP_SQLITE_FK=0 or for migrations (Alembic's batch mode recreates tables)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import URL
    if appdb.is_sqlite:
        engine = create_engine('sqlite:///' + appdb.path, future=True)
        if for_migrations:
            return engine
        fk_on = os.environ.get('APP_SQLITE_FK', '1') != '0'

        # the SQLAlchemy documentation's pysqlite recipe: SQLAlchemy emits BEGIN itself, so SAVEPOINTs
        # (Session.begin_nested) work; and the foreign keys pragma
        @event.listens_for(engine, 'connect')
        def _on_connect(dbapi_conn, _rec):
            dbapi_conn.isolation_level = None
            if fk_on:
                cur = dbapi_conn.cursor()
                cur.execute('PRAGMA foreign_keys=ON')
                cur.close()

        @event.listens_for(engine, 'begin')
        def _on_begin(conn):
            conn.exec_driver_sql('BEGIN')
        return engine
    url = URL.create('postgresql+psycopg2', username=appdb.user, password=appdb.password,
                     host=appdb.host, port=appdb.port, database=appdb.dbname)
    return create_engine(url, future=True, connect_args={'options': '-c search_path=%s' % appdb.schema})
