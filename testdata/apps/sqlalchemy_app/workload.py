"""The SQLAlchemy workload: N mixed operations through the ORM (2.0-style), each in its own
transaction and try. Every operation reads back what it wrote (or checks a query against a
Python-side computation) and raises appcommon.ReadBackMismatch when the answer differs."""
import datetime
import os
import random
import uuid
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from appcommon import OpRunner, check
from models import (NEXT, Category, Customer, DailyStat, Order, OrderLine, Product, Tag, product_tags)

NICK = 'display_name' if NEXT else 'nickname'
UTC = datetime.timezone.utc
Q4 = Decimal('0.0001')
TIERS = ['gold', 'silver', 'bronze', None]
COLORS = ['red', 'green', 'blue', 'black']
WORDS = ['lamp', 'desk', 'chair', 'mug', 'pen', 'book', 'cable', 'plant', 'clock', 'rug']


def utcnow():
    return datetime.datetime.now(UTC)


class Workload:
    def __init__(self, engine, seed):
        self.engine = engine
        self.pg = engine.dialect.name == 'postgresql'
        self.rng = random.Random(seed)
        with Session(engine) as s:
            nc = s.scalar(select(func.count()).select_from(Customer))
            np_ = s.scalar(select(func.count()).select_from(Product))
        self.tok = 's%dc%dp%d' % (seed, nc, np_)
        self.urng = random.Random('%d:%s' % (seed, self.tok))
        self.n = 0
        self.s = None
        self.fk_enforced = self.pg or os.environ.get('APP_SQLITE_FK', '1') != '0'

    # ------------------------------------------------------------------ value generators
    def uid(self):
        return uuid.UUID(int=self.urng.getrandbits(128), version=4)

    def dt(self):
        base = datetime.datetime(2024, 1, 1, tzinfo=UTC)
        return base + datetime.timedelta(seconds=self.rng.randrange(0, 800 * 86400),
                                         microseconds=self.rng.randrange(0, 1000000))

    def money(self, hi=100000):
        return (Decimal(self.rng.randrange(0, hi * 10000)) / 10000).quantize(Q4)

    def name(self):
        self.n += 1
        return '%s-%d' % (self.tok, self.n)

    def pick(self, col, *where):
        ids = list(self.s.scalars(select(col).where(*where).distinct().order_by(col)))
        return self.rng.choice(ids) if ids else None

    def insert(self, table):
        return (postgresql.insert if self.pg else sqlite.insert)(table)

    # ------------------------------------------------------------------ creates
    def make_category(self):
        parent = self.pick(Category.id)
        c = Category(slug='cat-' + self.name(), name=self.rng.choice(WORDS).title(),
                     parent_id=parent if self.rng.random() < 0.5 else None)
        self.s.add(c)
        self.s.flush()
        return c

    def make_customer(self, email=None):
        r = self.rng
        c = Customer(email=email or ('%s@example.com' % self.name()),
                     name=r.choice(['Ann', 'Bob', 'Chloé', 'Dmitri', 'Émile', '李']) + ' ' + r.choice(WORDS),
                     is_active=r.random() < 0.8, created_at=self.dt(),
                     last_seen=self.dt().replace(tzinfo=None) if r.random() < 0.8 else None,
                     birth_date=datetime.date(1950, 1, 1) + datetime.timedelta(days=r.randrange(0, 25000))
                     if r.random() < 0.7 else None,
                     external_id=self.uid(),
                     profile={'tier': r.choice(TIERS), 'score': r.randrange(0, 1000),
                              'ratio': r.randrange(0, 10000) / 100.0,
                              'tags': r.sample(WORDS, 2), 'nested': {'ok': r.random() < 0.5}})
        setattr(c, NICK, r.choice([None, 'nick' + str(r.randrange(100))]))
        self.s.add(c)
        self.s.flush()
        return c

    def make_product(self, sku=None):
        r = self.rng
        cat = self.pick(Category.id) if r.random() < 0.8 else None
        p = Product(
            sku=sku or ('SKU-' + self.name()), title=r.choice(WORDS) + ' ' + self.name(),
            price=self.money(), weight=r.choice([None, r.random() * 100, 0.1, 1e-7, 12345.678]),
            in_stock=r.random() < 0.5, category_id=cat,
            attributes={'color': r.choice(COLORS), 'dims': {'w': r.randrange(1, 100), 'h': r.randrange(1, 100)},
                        'fragile': r.random() < 0.3},
            image=bytes(r.getrandbits(8) for _ in range(r.randrange(0, 64))) if r.random() < 0.7 else None,
            available_from=datetime.time(r.randrange(24), r.randrange(60), r.randrange(60),
                                         r.randrange(1000000)) if r.random() < 0.7 else None,
            warranty=datetime.timedelta(days=r.randrange(0, 1000), seconds=r.randrange(86400),
                                        microseconds=r.randrange(1000000)) if r.random() < 0.7 else None)
        self.s.add(p)
        self.s.flush()
        return p

    def ensure(self, col, maker):
        pk = self.pick(col)
        return pk if pk is not None else maker().id

    def fresh(self, obj):
        """Reads the row again from the database (not from the identity map)."""
        self.s.flush()
        self.s.expire(obj)
        return obj

    def next_number(self, cust):
        return (self.s.scalar(select(func.max(Order.number)).where(Order.customer_id == cust)) or 0) + 1

    # ------------------------------------------------------------------ operations
    def op_create_customer(self):
        c = self.make_customer()
        wrote = {f: getattr(c, f) for f in ('id', 'email', 'name', 'is_active', 'created_at', 'last_seen',
                                            'birth_date', 'profile', NICK)}
        self.s.expunge_all()
        d = self.s.execute(select(Customer).where(Customer.external_id == c.external_id)).scalar_one()
        for f, v in wrote.items():
            check(getattr(d, f) == v, 'customer.%s read back differently | %r, wrote %r' % (f, getattr(d, f), v))

    def op_create_category(self):
        c = self.make_category()
        pk, parent = c.id, c.parent_id
        self.s.expunge_all()
        d = self.s.execute(select(Category).where(Category.slug == c.slug)).scalar_one()
        check(d.id == pk and d.parent_id == parent, 'category read back differs')

    def op_create_product(self):
        p = self.make_product()
        fields = ('title', 'price', 'weight', 'in_stock', 'category_id', 'attributes', 'image',
                  'available_from', 'warranty')
        wrote = {f: getattr(p, f) for f in fields}
        self.s.expunge_all()
        d = self.s.execute(select(Product).where(Product.sku == p.sku)).scalar_one()
        for f, v in wrote.items():
            check(getattr(d, f) == v, 'product.%s read back differently | %r, wrote %r' % (f, getattr(d, f), v))

    def op_create_order(self):
        r = self.rng
        cust = self.ensure(Customer.id, self.make_customer)
        o = Order(id=self.uid(), customer_id=cust, number=self.next_number(cust), status=r.choice(['new', 'paid']),
                  placed_at=self.dt(), note=r.choice([None, 'leave at door', 'fragile ✓']))
        total = Decimal(0)
        for _ in range(r.randrange(1, 4)):
            prod = self.s.get(Product, self.ensure(Product.id, self.make_product))
            qty = r.randrange(1, 5)
            o.lines.append(OrderLine(product_id=prod.id, quantity=qty, unit_price=prod.price))
            total += prod.price * qty
        o.total = total
        self.s.add(o)
        self.s.flush()
        placed, oid = o.placed_at, o.id
        self.s.expunge_all()
        d = self.s.get(Order, oid)
        check(d.total == total, 'order.total read back differently | %r, wrote %r' % (d.total, total))
        check(d.placed_at == placed, 'order.placed_at read back differently | %r, wrote %r' % (d.placed_at, placed))
        agg = self.s.scalar(select(func.sum(OrderLine.unit_price * OrderLine.quantity)).where(OrderLine.order_id == oid))
        check(agg is not None and Decimal(agg).quantize(Q4) == total, 'sum(lines) differs from total | %r != %r' % (agg, total))

    def op_update_order(self):
        r = self.rng
        pk = self.pick(Order.id)
        if pk is None:
            return self.op_create_order()
        before = self.s.get(Order, pk)
        total, placed = before.total, before.placed_at
        self.s.execute(update(Order).where(Order.id == pk).values(
            total=Order.total + Decimal('1.2345'), status=r.choice(['paid', 'shipped', 'cancelled']),
            ship_date=placed.date() + datetime.timedelta(days=r.randrange(5))))
        self.s.expunge_all()
        d = self.s.get(Order, pk)
        check(d.total == total + Decimal('1.2345'), 'order.total after +1.2345 differs | %r (was %r)' % (d.total, total))

    def op_reprice_product(self):
        pk = self.ensure(Product.id, self.make_product)
        before = self.s.get(Product, pk).price
        factor = Decimal('1.0825') if before < 50000 else Decimal('0.5')
        self.s.execute(update(Product).where(Product.id == pk).values(price=Product.price * factor))
        self.s.expunge_all()
        after = self.s.get(Product, pk).price
        check(abs(after - before * factor) <= Q4, 'price*factor read back differently | *%s: %r (was %r)' % (factor, after, before))

    def op_update_customer(self):
        r = self.rng
        pk = self.ensure(Customer.id, self.make_customer)
        c = self.s.get(Customer, pk)
        c.is_active = not c.is_active
        c.profile = dict(c.profile, visits=c.profile.get('visits', 0) + 1, last=r.choice(COLORS))
        c.last_seen = datetime.datetime(2025, 6, 1) + datetime.timedelta(minutes=r.randrange(100000))
        setattr(c, NICK, r.choice([None, 'n' + str(r.randrange(1000))]))
        wrote = (c.profile, c.is_active, c.last_seen, getattr(c, NICK))
        self.s.flush()
        self.s.expunge_all()
        d = self.s.get(Customer, pk)
        check((d.profile, d.is_active, d.last_seen, getattr(d, NICK)) == wrote,
              'customer update read back differently | %r, wrote %r' % ((d.profile, d.is_active, d.last_seen, getattr(d, NICK)), wrote))

    def op_update_product(self):
        r = self.rng
        pk = self.ensure(Product.id, self.make_product)
        p = self.s.get(Product, pk)
        p.image = bytes(r.getrandbits(8) for _ in range(r.randrange(1, 40)))
        p.available_from = datetime.time(r.randrange(24), r.randrange(60))
        p.warranty = (p.warranty or datetime.timedelta(0)) + datetime.timedelta(hours=r.randrange(1, 100))
        p.weight = r.random() * 1000
        wrote = (p.image, p.available_from, p.warranty, p.weight)
        self.s.flush()
        self.s.expunge_all()
        d = self.s.get(Product, pk)
        check((d.image, d.available_from, d.warranty, d.weight) == wrote, 'product update read back differs')

    def op_delete_customer(self):
        # ON DELETE CASCADE in the database removes the orders and their lines (passive_deletes)
        pk = self.pick(Customer.id, Customer.id.in_(select(Order.customer_id))) or self.pick(Customer.id)
        if pk is None:
            return self.op_create_customer()
        order_ids = list(self.s.scalars(select(Order.id).where(Order.customer_id == pk)))
        self.s.delete(self.s.get(Customer, pk))
        self.s.flush()
        if not self.fk_enforced:      # SQLite with foreign keys off: no cascade, orphans stay (on purpose)
            return
        check(not self.s.scalar(select(func.count()).select_from(Order).where(Order.customer_id == pk)),
              'orders of a deleted customer remain')
        if order_ids:
            check(not self.s.scalar(select(func.count()).select_from(OrderLine).where(OrderLine.order_id.in_(order_ids))),
                  'lines of deleted orders remain')

    def op_delete_category(self):
        # ON DELETE SET NULL in the database (products.category_id, categories.parent_id)
        pk = self.pick(Category.id)
        if pk is None:
            return self.op_create_category()
        self.s.execute(delete(Category).where(Category.id == pk))
        if not self.fk_enforced:
            return
        check(not self.s.scalar(select(func.count()).select_from(Product).where(Product.category_id == pk)),
              'products still point at a deleted category')
        check(not self.s.scalar(select(func.count()).select_from(Category).where(Category.parent_id == pk)),
              'categories still point at a deleted parent')

    def op_delete_order_line(self):
        pk = self.pick(OrderLine.id)
        if pk is not None:
            self.s.execute(delete(OrderLine).where(OrderLine.id == pk))

    def op_m2m_add(self):
        p = self.s.get(Product, self.ensure(Product.id, self.make_product))
        tags = list(self.s.scalars(select(Tag).order_by(Tag.id)))
        if not tags:
            self.op_upsert_tags()
            tags = list(self.s.scalars(select(Tag).order_by(Tag.id)))
        chosen = self.rng.sample(tags, min(len(tags), self.rng.randrange(1, 4)))
        for t in chosen:
            if t not in p.tags:
                p.tags.append(t)
        self.s.flush()
        have = set(self.s.scalars(select(product_tags.c.tag_id).where(product_tags.c.product_id == p.id)))
        check(all(t.id in have for t in chosen), 'm2m add: tags missing')

    def op_m2m_remove(self):
        pk = self.pick(Product.id, Product.id.in_(select(product_tags.c.product_id)))
        if pk is None:
            return self.op_m2m_add()
        p = self.s.get(Product, pk)
        t = self.rng.choice(p.tags)
        p.tags.remove(t)
        self.s.flush()
        check(not self.s.scalar(select(func.count()).select_from(product_tags).where(
            product_tags.c.product_id == pk, product_tags.c.tag_id == t.id)), 'm2m remove: tag still there')

    def op_upsert_tags(self):
        existing = list(self.s.scalars(select(Tag.name).order_by(Tag.id)))
        names = self.rng.sample(existing, min(2, len(existing))) + ['tag-' + self.name() for _ in range(2)]
        stmt = self.insert(Tag).values([{'name': n} for n in names]).on_conflict_do_nothing(index_elements=['name'])
        self.s.execute(stmt)
        check(self.s.scalar(select(func.count()).select_from(Tag).where(Tag.name.in_(names))) == len(set(names)),
              'insert on conflict do nothing lost rows')

    def op_upsert_stats(self):
        pid = self.ensure(Product.id, self.make_product)
        day = datetime.date(2025, 1, 1) + datetime.timedelta(days=self.rng.randrange(30))
        before = self.s.execute(select(DailyStat.views, DailyStat.revenue).where(
            DailyStat.day == day, DailyStat.product_id == pid)).first()
        views, revenue = self.rng.randrange(1, 50), self.money(100)
        ins = self.insert(DailyStat).values(day=day, product_id=pid, views=views, revenue=revenue)
        set_ = {'views': DailyStat.views + ins.excluded.views, 'revenue': DailyStat.revenue + ins.excluded.revenue}
        if self.pg and self.rng.random() < 0.5:
            stmt = ins.on_conflict_do_update(constraint='uq_daily_stats_day_product', set_=set_)
        else:
            stmt = ins.on_conflict_do_update(index_elements=['day', 'product_id'], set_=set_)
        self.s.execute(stmt)
        after = self.s.execute(select(DailyStat.views, DailyStat.revenue).where(
            DailyStat.day == day, DailyStat.product_id == pid)).one()
        exp = (views, revenue) if before is None else (before[0] + views, before[1] + revenue)
        check(after[0] == exp[0] and abs(after[1] - exp[1]) <= Q4, 'upsert read back differently | %r, expected %r' % (tuple(after), exp))

    def op_get_or_create(self):
        r = self.rng
        if r.random() < 0.5 and self.pick(Customer.id) is not None:
            email = self.s.get(Customer, self.pick(Customer.id)).email
        else:
            email = '%s@example.com' % self.name()
        c = self.s.execute(select(Customer).where(Customer.email == email)).scalar_one_or_none()
        if c is None:
            try:
                with self.s.begin_nested():
                    self.s.add(Customer(email=email, name='goc', created_at=utcnow(), external_id=self.uid(),
                                        profile={}))
            except IntegrityError:
                pass
        check(self.s.scalar(select(func.count()).select_from(Customer).where(Customer.email == email)) == 1,
              'get_or_create: not exactly one row')
        # update_or_create
        ppk = self.pick(Product.id)
        sku = self.s.get(Product, ppk).sku if r.random() < 0.5 and ppk else 'SKU-' + self.name()
        p = self.s.execute(select(Product).where(Product.sku == sku)).scalar_one_or_none()
        price = self.money(1000)
        if p is None:
            p = Product(sku=sku, title='uoc ' + self.name(), price=price, attributes={})
            self.s.add(p)
        else:
            p.title, p.price = 'uoc ' + self.name(), price
        self.s.flush()
        self.s.expunge_all()
        check(self.s.execute(select(Product.price).where(Product.sku == sku)).scalar_one() == price,
              'update_or_create: price read back differs')

    def op_lookup_uuid(self):
        pk = self.ensure(Customer.id, self.make_customer)
        ext = self.s.execute(select(Customer.external_id).where(Customer.id == pk)).scalar_one()
        check(isinstance(ext, uuid.UUID), 'external_id read back as %s' % type(ext).__name__)
        check(self.s.execute(select(Customer.id).where(Customer.external_id == ext)).scalar_one_or_none() == pk,
              'lookup by external_id')
        oid = self.pick(Order.id)
        if oid is not None:
            self.s.expunge_all()
            check(self.s.get(Order, oid) is not None, 'lookup order by uuid pk')
            check(self.s.scalar(select(func.count()).select_from(Order).where(Order.id.in_([oid, self.uid()]))) == 1,
                  'order id IN (...)')

    def op_json_lookup(self):
        tier = self.rng.choice(['gold', 'silver', 'bronze'])
        n = self.s.scalar(select(func.count()).select_from(Customer).where(Customer.profile['tier'].as_string() == tier))
        expect = sum(1 for p in self.s.scalars(select(Customer.profile)) if p.get('tier') == tier)
        check(n == expect, "profile['tier'] lookup count differs | %s count differs | %d rows, python says %d" % (tier, n, expect))
        color = self.rng.choice(COLORS)
        n = self.s.scalar(select(func.count()).select_from(Product).where(
            Product.attributes['color'].as_string() == color,
            Product.attributes[('dims', 'w')].as_integer() >= 50))
        expect = sum(1 for a in self.s.scalars(select(Product.attributes))
                     if a.get('color') == color and a.get('dims', {}).get('w', 0) >= 50)
        check(n == expect, "attributes color/dims.w count differs | %d rows, python says %d" % (n, expect))

    def op_datetime_compare(self):
        now = utcnow()
        n = self.s.scalar(select(func.count()).select_from(Order).where(Order.placed_at < now))
        expect = sum(1 for t in self.s.scalars(select(Order.placed_at)) if t < now)
        check(n == expect, 'placed_at < now count differs | %d, python says %d' % (n, expect))
        cut = now - datetime.timedelta(days=self.rng.randrange(300, 1200))
        n = self.s.scalar(select(func.count()).select_from(Customer).where(Customer.created_at >= cut))
        expect = sum(1 for t in self.s.scalars(select(Customer.created_at)) if t >= cut)
        check(n == expect, 'created_at >= cut count differs | %d, python says %d' % (n, expect))
        naive_cut = datetime.datetime(2025, 1, 1) + datetime.timedelta(days=self.rng.randrange(300))
        n = self.s.scalar(select(func.count()).select_from(Customer).where(Customer.last_seen >= naive_cut))
        expect = sum(1 for t in self.s.scalars(select(Customer.last_seen)) if t is not None and t >= naive_cut)
        check(n == expect, 'last_seen >= naive cut count differs | %d, python says %d' % (n, expect))

    def op_aggregate(self):
        pk = self.pick(Customer.id, Customer.id.in_(select(Order.customer_id)))
        if pk is None:
            return self.op_create_order()
        s = self.s.scalar(select(func.sum(Order.total)).where(Order.customer_id == pk))
        expect = sum(self.s.scalars(select(Order.total).where(Order.customer_id == pk)), Decimal(0))
        check(Decimal(s).quantize(Q4) == expect.quantize(Q4), 'sum(total) differs | %r, python says %r' % (s, expect))

    def op_constraints_enforced(self):
        pk = self.ensure(Customer.id, self.make_customer)
        email = self.s.get(Customer, pk).email
        try:
            with self.s.begin_nested():
                self.s.add(Customer(email=email, name='dup', created_at=utcnow(), external_id=self.uid(), profile={}))
            check(False, 'duplicate email accepted: unique not enforced')
        except IntegrityError:
            pass
        try:
            with self.s.begin_nested():
                self.s.add(Product(sku='NEG-' + self.name(), title='neg', price=Decimal('-1'), attributes={}))
            check(False, 'negative price accepted: CHECK ck_products_price_nonneg not enforced')
        except IntegrityError:
            pass
        oid = self.pick(Order.id)
        if oid is not None:
            try:
                with self.s.begin_nested():
                    self.s.add(OrderLine(order_id=oid, product_id=self.ensure(Product.id, self.make_product),
                                         quantity=0, unit_price=1))
                check(False, 'quantity 0 accepted: CHECK ck_order_lines_quantity_positive not enforced')
            except IntegrityError:
                pass
        if not self.fk_enforced:
            return
        try:
            with self.s.begin_nested():
                self.s.add(OrderLine(order_id=self.uid(), product_id=self.ensure(Product.id, self.make_product),
                                     quantity=1, unit_price=1))
            check(False, 'order line without order accepted: foreign key not enforced')
        except IntegrityError:
            pass
        if not NEXT and self.rng.random() < 0.5:
            cat = self.pick(Product.category_id, Product.category_id.isnot(None))
            if cat is not None:
                title = self.s.scalars(select(Product.title).where(Product.category_id == cat).order_by(Product.id)).first()
                try:
                    with self.s.begin_nested():
                        self.s.add(Product(sku='DUP-' + self.name(), title=title, price=1, category_id=cat, attributes={}))
                    check(False, '(category_id, title) duplicate accepted: uq_products_category_title not enforced')
                except IntegrityError:
                    pass

    OPS = [
        ('create_customer', 8), ('create_category', 3), ('create_product', 8), ('create_order', 10),
        ('update_order', 6), ('reprice_product', 4), ('update_customer', 5), ('update_product', 4),
        ('delete_customer', 2), ('delete_category', 2), ('delete_order_line', 2),
        ('m2m_add', 6), ('m2m_remove', 3), ('upsert_tags', 4), ('upsert_stats', 5), ('get_or_create', 5),
        ('lookup_uuid', 4), ('json_lookup', 3), ('datetime_compare', 4), ('aggregate', 3),
        ('constraints_enforced', 3),
    ]

    def run(self, n):
        runner = OpRunner()
        names = [o for o, _ in self.OPS]
        weights = [w for _, w in self.OPS]
        for _ in range(n):
            name = self.rng.choices(names, weights)[0]
            fn = getattr(self, 'op_' + name)

            def op():
                with Session(self.engine) as s, s.begin():   # one transaction per operation
                    self.s = s
                    try:
                        fn()
                    finally:
                        self.s = None
            runner.run(name, op)
        return runner.summary()
