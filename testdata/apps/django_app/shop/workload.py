"""The Django workload: N mixed operations through the ORM, each in its own transaction and try.

Every operation reads back what it wrote (or checks a query against a Python-side computation) and
raises appcommon.ReadBackMismatch when the database answers differently from what Django wrote, so
a schema that "works" but returns other values is counted as an error too.
"""
import datetime
import json
import random
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from appcommon import OpRunner, check
from shop.models import Category, Customer, Order, OrderLine, Product, Tag

NEXT = settings.APP_STATE == 'next'
NICK = 'display_name' if NEXT else 'nickname'
UTC = datetime.timezone.utc
PARIS = ZoneInfo('Europe/Paris')
Q4 = Decimal('0.0001')
TIERS = ['gold', 'silver', 'bronze', None]
COLORS = ['red', 'green', 'blue', 'black']
WORDS = ['lamp', 'desk', 'chair', 'mug', 'pen', 'book', 'cable', 'plant', 'clock', 'rug']


class Workload:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed
        # unique values are prefixed with a token that depends on the seed and on the database's state,
        # so a second run (another seed, or the same seed on a database that has grown) does not collide
        self.tok = 's%dc%dp%d' % (seed, Customer.objects.count(), Product.objects.count())
        self.n = 0
        self.urng = random.Random('%d:%s' % (seed, self.tok))   # uuids: unique per run as well


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

    def pick(self, model, **filters):
        ids = list(model._default_manager.filter(**filters).order_by('pk').values_list('pk', flat=True))
        return self.rng.choice(ids) if ids else None

    # ------------------------------------------------------------------ creates
    def make_category(self):
        parent = self.pick(Category)
        return Category.objects.create(slug='cat-' + self.name(), name=self.rng.choice(WORDS).title(),
                                       parent_id=parent if self.rng.random() < 0.5 else None)

    def make_customer(self, email=None):
        r = self.rng
        c = Customer(email=email or ('%s@example.com' % self.name()),
                     name=r.choice(['Ann', 'Bob', 'Chloé', 'Dmitri', 'Émile', '李']) + ' ' + r.choice(WORDS),
                     is_active=r.random() < 0.8, created_at=self.dt(),
                     birth_date=datetime.date(1950, 1, 1) + datetime.timedelta(days=r.randrange(0, 25000))
                     if r.random() < 0.7 else None,
                     external_id=self.uid(),
                     profile={'tier': r.choice(TIERS), 'score': r.randrange(0, 1000),
                              'ratio': r.randrange(0, 10000) / 100.0,
                              'tags': r.sample(WORDS, 2), 'nested': {'ok': r.random() < 0.5}})
        setattr(c, NICK, r.choice([None, 'nick' + str(r.randrange(100))]))
        c.save()
        return c

    def make_product(self, sku=None):
        r = self.rng
        cat = self.pick(Category) if r.random() < 0.8 else None
        p = Product.objects.create(
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
        return p

    def ensure(self, model, maker):
        pk = self.pick(model)
        return pk if pk is not None else maker().pk

    # ------------------------------------------------------------------ operations
    def op_create_customer(self):
        c = self.make_customer()
        d = Customer.objects.get(external_id=c.external_id)
        for f in ('email', 'name', 'is_active', 'created_at', 'birth_date', 'profile', NICK, 'id'):
            check(getattr(d, f) == getattr(c, f), 'customer.%s read back differently | %r, wrote %r' % (f, getattr(d, f), getattr(c, f)))

    def op_create_category(self):
        c = self.make_category()
        d = Category.objects.get(slug=c.slug)
        check(d.pk == c.pk and d.parent_id == c.parent_id, 'category read back differs')

    def op_create_product(self):
        p = self.make_product()
        d = Product.objects.get(sku=p.sku)
        for f in ('title', 'price', 'weight', 'in_stock', 'category_id', 'attributes', 'available_from', 'warranty'):
            check(getattr(d, f) == getattr(p, f), 'product.%s read back differently | %r, wrote %r' % (f, getattr(d, f), getattr(p, f)))
        check((bytes(d.image) if d.image is not None else None) == p.image, 'product.image read back differs')

    def op_create_order(self):
        r = self.rng
        cust = self.ensure(Customer, self.make_customer)
        number = (Order.objects.filter(customer_id=cust).order_by('-number').values_list('number', flat=True).first() or 0) + 1
        o = Order.objects.create(id=self.uid(), customer_id=cust, number=number, status=r.choice(['new', 'paid']),
                                 placed_at=self.dt(), note=r.choice([None, 'leave at door', 'fragile ✓']))
        total = Decimal(0)
        for _ in range(r.randrange(1, 4)):
            prod = Product.objects.get(pk=self.ensure(Product, self.make_product))
            qty = r.randrange(1, 5)
            OrderLine.objects.create(order=o, product=prod, quantity=qty, unit_price=prod.price)
            total += prod.price * qty
        Order.objects.filter(pk=o.pk).update(total=total)
        d = Order.objects.get(pk=o.pk)
        check(d.total == total, 'order.total read back differently | %r, wrote %r' % (d.total, total))
        check(d.placed_at == o.placed_at, 'order.placed_at read back differently | %r, wrote %r' % (d.placed_at, o.placed_at))
        agg = OrderLine.objects.filter(order_id=o.pk).aggregate(s=Sum(F('unit_price') * F('quantity')))['s']
        check(agg is not None and Decimal(agg).quantize(Q4) == total, 'sum(lines) differs from total | %r != %r' % (agg, total))

    def op_update_order(self):
        r = self.rng
        pk = self.pick(Order)
        if pk is None:
            return self.op_create_order()
        before = Order.objects.get(pk=pk)
        Order.objects.filter(pk=pk).update(total=F('total') + Decimal('1.2345'),
                                           status=r.choice(['paid', 'shipped', 'cancelled']),
                                           ship_date=before.placed_at.date() + datetime.timedelta(days=r.randrange(5)))
        d = Order.objects.get(pk=pk)
        check(d.total == before.total + Decimal('1.2345'), 'order.total after +1.2345 differs | %r (was %r)' % (d.total, before.total))

    def op_reprice_product(self):
        pk = self.ensure(Product, self.make_product)
        before = Product.objects.get(pk=pk).price
        factor = Decimal('1.0825') if before < 50000 else Decimal('0.5')
        Product.objects.filter(pk=pk).update(price=F('price') * factor)
        after = Product.objects.get(pk=pk).price
        check(abs(after - before * factor) <= Q4, 'price*factor read back differently | *%s: %r (was %r)' % (factor, after, before))

    def op_update_customer(self):
        r = self.rng
        pk = self.ensure(Customer, self.make_customer)
        c = Customer.objects.get(pk=pk)
        c.is_active = not c.is_active
        c.profile = dict(c.profile, visits=c.profile.get('visits', 0) + 1, last=r.choice(COLORS))
        setattr(c, NICK, r.choice([None, 'n' + str(r.randrange(1000))]))
        c.save()
        d = Customer.objects.get(pk=pk)
        check(d.profile == c.profile and d.is_active == c.is_active and getattr(d, NICK) == getattr(c, NICK),
              'customer update read back differs')

    def op_update_product(self):
        r = self.rng
        pk = self.ensure(Product, self.make_product)
        p = Product.objects.get(pk=pk)
        p.image = bytes(r.getrandbits(8) for _ in range(r.randrange(1, 40)))
        p.available_from = datetime.time(r.randrange(24), r.randrange(60))
        p.warranty = (p.warranty or datetime.timedelta(0)) + datetime.timedelta(hours=r.randrange(1, 100))
        p.weight = r.random() * 1000
        p.save()
        d = Product.objects.get(pk=pk)
        check(bytes(d.image) == p.image and d.available_from == p.available_from and d.warranty == p.warranty
              and d.weight == p.weight, 'product update read back differs')

    def op_delete_customer(self):
        # prefer a customer with orders: Django cascades to orders and their lines
        pk = self.pick(Customer, orders__isnull=False) or self.pick(Customer)
        if pk is None:
            return self.op_create_customer()
        order_ids = list(Order.objects.filter(customer_id=pk).values_list('pk', flat=True))
        Customer.objects.get(pk=pk).delete()
        check(not Order.objects.filter(customer_id=pk).exists(), 'orders of a deleted customer remain')
        check(not OrderLine.objects.filter(order_id__in=order_ids).exists(), 'lines of deleted orders remain')

    def op_delete_category(self):
        pk = self.pick(Category)
        if pk is None:
            return self.op_create_category()
        Category.objects.get(pk=pk).delete()   # SET_NULL on products and child categories
        check(not Product.objects.filter(category_id=pk).exists(), 'products still point at a deleted category')
        check(not Category.objects.filter(parent_id=pk).exists(), 'categories still point at a deleted parent')

    def op_delete_order_line(self):
        pk = self.pick(OrderLine)
        if pk is not None:
            OrderLine.objects.filter(pk=pk).delete()

    def op_m2m_add(self):
        p = Product.objects.get(pk=self.ensure(Product, self.make_product))
        if not Tag.objects.exists():
            self.op_bulk_tags()
        tags = list(Tag.objects.order_by('pk'))
        chosen = self.rng.sample(tags, min(len(tags), self.rng.randrange(1, 4)))
        p.tags.add(*chosen)           # INSERT ... ON CONFLICT DO NOTHING on PostgreSQL
        have = set(p.tags.values_list('pk', flat=True))
        check(all(t.pk in have for t in chosen), 'm2m add: tags missing')

    def op_m2m_remove(self):
        pk = self.pick(Product, tags__isnull=False)
        if pk is None:
            return self.op_m2m_add()
        p = Product.objects.get(pk=pk)
        t = self.rng.choice(list(p.tags.order_by('pk')))
        p.tags.remove(t)
        check(not p.tags.filter(pk=t.pk).exists(), 'm2m remove: tag still there')

    def op_bulk_tags(self):
        existing = list(Tag.objects.order_by('pk').values_list('name', flat=True))
        names = self.rng.sample(existing, min(2, len(existing))) + ['tag-' + self.name() for _ in range(2)]
        Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)   # ON CONFLICT DO NOTHING
        check(Tag.objects.filter(name__in=names).count() == len(set(names)), 'bulk_create(ignore_conflicts) lost rows')

    def op_get_or_create(self):
        r = self.rng
        if r.random() < 0.5:
            existing = self.pick(Customer)
            email = Customer.objects.get(pk=existing).email if existing else '%s@example.com' % self.name()
        else:
            email = '%s@example.com' % self.name()
        c, created = Customer.objects.get_or_create(email=email, defaults={'name': 'goc', 'external_id': self.uid()})
        check(Customer.objects.filter(email=email).count() == 1, 'get_or_create: not exactly one row')
        sku = (Product.objects.get(pk=self.pick(Product)).sku if r.random() < 0.5 and Product.objects.exists()
               else 'SKU-' + self.name())
        p, created = Product.objects.update_or_create(sku=sku, defaults={'title': 'uoc ' + self.name(),
                                                                          'price': self.money(1000)})
        check(Product.objects.get(sku=sku).price == p.price, 'update_or_create: price read back differs')

    def op_lookup_uuid(self):
        pk = self.ensure(Customer, self.make_customer)
        ext = Customer.objects.filter(pk=pk).values_list('external_id', flat=True).get()
        check(isinstance(ext, uuid.UUID), 'external_id read back as %s' % type(ext).__name__)
        check(Customer.objects.get(external_id=ext).pk == pk, 'lookup by external_id')
        check(Customer.objects.filter(external_id=str(ext)).exists(), 'lookup by external_id string')
        oid = self.pick(Order)
        if oid is not None:
            check(Order.objects.get(pk=oid).pk == oid, 'lookup order by uuid pk')
            check(Order.objects.filter(pk__in=[oid, self.uid()]).count() == 1, 'order pk__in')

    def op_json_lookup(self):
        tier = self.rng.choice(['gold', 'silver', 'bronze'])
        n = Customer.objects.filter(profile__tier=tier).count()
        expect = sum(1 for p in Customer.objects.values_list('profile', flat=True) if p.get('tier') == tier)
        check(n == expect, 'profile__tier lookup count differs | %s count differs | %d rows, python says %d' % (tier, n, expect))
        color = self.rng.choice(COLORS)
        n = Product.objects.filter(attributes__color=color, attributes__dims__w__gte=50).count()
        expect = sum(1 for a in Product.objects.values_list('attributes', flat=True)
                     if a.get('color') == color and a.get('dims', {}).get('w', 0) >= 50)
        check(n == expect, 'attributes__color/dims__w count differs | %d rows, python says %d' % (n, expect))
        n = Customer.objects.filter(profile__has_key='visits').count()
        expect = sum(1 for p in Customer.objects.values_list('profile', flat=True) if 'visits' in p)
        check(n == expect, 'profile__has_key count differs | %d rows, python says %d' % (n, expect))

    def op_datetime_compare(self):
        now = timezone.now()
        n = Order.objects.filter(placed_at__lt=now).count()
        expect = sum(1 for t in Order.objects.values_list('placed_at', flat=True) if t < now)
        check(n == expect, 'placed_at < now() count differs | %d, python says %d' % (n, expect))
        cut = now - datetime.timedelta(days=self.rng.randrange(300, 1200))
        n = Customer.objects.filter(created_at__gte=cut).count()
        expect = sum(1 for t in Customer.objects.values_list('created_at', flat=True) if t >= cut)
        check(n == expect, 'created_at >= cut count differs | %d, python says %d' % (n, expect))
        pk = self.pick(Order)
        if pk is not None:
            o = Order.objects.get(pk=pk)
            local = o.placed_at.astimezone(PARIS)
            check(Order.objects.filter(pk=pk, placed_at__date=local.date(), placed_at__hour=local.hour).exists(),
                  'placed_at__date/__hour in Europe/Paris do not match')

    def op_child_before_parent(self):
        # the child row is inserted before its parent inside one transaction: needs deferred FKs
        cust = self.ensure(Customer, self.make_customer)
        prod = self.ensure(Product, self.make_product)
        oid = self.uid()
        with transaction.atomic():
            OrderLine.objects.create(order_id=oid, product_id=prod, quantity=1, unit_price=Decimal('9.9900'))
            number = (Order.objects.filter(customer_id=cust).order_by('-number').values_list('number', flat=True).first() or 0) + 1
            Order.objects.create(id=oid, customer_id=cust, number=number, placed_at=timezone.now(),
                                 total=Decimal('9.9900'))
        check(Order.objects.get(pk=oid).lines.count() == 1, 'child-before-parent: line missing')

    def op_fixture_load(self):
        # what loaddata does: deserialize objects (forward references included) and save them raw,
        # constraint checks off on SQLite, then check them and reset the sequences
        cust = self.ensure(Customer, self.make_customer)
        prod = self.ensure(Product, self.make_product)
        oid = str(self.uid())
        top = (Category.objects.order_by('-pk').values_list('pk', flat=True).first() or 0)
        c1, c2 = top + 1 + self.rng.randrange(3), top + 5 + self.rng.randrange(3)
        number = (Order.objects.filter(customer_id=cust).order_by('-number').values_list('number', flat=True).first() or 0) + 1
        fixture = [
            {'model': 'shop.category', 'pk': c1, 'fields': {'slug': 'fx-' + self.name(), 'name': 'Child', 'parent': c2}},
            {'model': 'shop.category', 'pk': c2, 'fields': {'slug': 'fx-' + self.name(), 'name': 'Parent', 'parent': None}},
            {'model': 'shop.orderline', 'pk': None, 'fields': {'order': oid, 'product': prod, 'quantity': 2, 'unit_price': '1.5000'}},
            {'model': 'shop.order', 'pk': oid, 'fields': {'customer': cust, 'number': number, 'status': 'new',
                                                          'placed_at': '2024-10-27T01:30:00Z', 'total': '3.0000'}},
        ]
        with transaction.atomic():
            with connection.constraint_checks_disabled():
                objs = list(serializers.deserialize('json', json.dumps(fixture)))
                for obj in objs:
                    obj.save()
            connection.check_constraints(table_names=[Category._meta.db_table, Order._meta.db_table,
                                                      OrderLine._meta.db_table])
            with connection.cursor() as cur:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Category, OrderLine]):
                    cur.execute(sql)
        check(Category.objects.get(pk=c1).parent_id == c2, 'fixture: forward reference lost')
        check(Order.objects.get(pk=oid).placed_at == datetime.datetime(2024, 10, 27, 1, 30, tzinfo=UTC),
              'fixture: placed_at read back differs')
        # the sequence must now be past the fixture's explicit ids
        self.make_category()

    def op_aggregate(self):
        pk = self.pick(Customer, orders__isnull=False)
        if pk is None:
            return self.op_create_order()
        s = Order.objects.filter(customer_id=pk).aggregate(s=Sum('total'))['s']
        expect = sum((t for t in Order.objects.filter(customer_id=pk).values_list('total', flat=True)), Decimal(0))
        check(Decimal(s).quantize(Q4) == expect.quantize(Q4), 'sum(total) differs | %r, python says %r' % (s, expect))

    def op_constraints_enforced(self):
        r = self.rng
        pk = self.ensure(Customer, self.make_customer)
        email = Customer.objects.get(pk=pk).email
        try:
            with transaction.atomic():
                Customer.objects.create(email=email, name='dup', external_id=self.uid())
            check(False, 'duplicate email accepted: unique not enforced')
        except IntegrityError:
            pass
        try:
            with transaction.atomic():
                Product.objects.create(sku='NEG-' + self.name(), title='neg', price=Decimal('-1'))
            check(False, 'negative price accepted: CHECK shop_product_price_nonneg not enforced')
        except IntegrityError:
            pass
        if not NEXT and r.random() < 0.5:
            cat = self.pick(Category)
            p = Product.objects.filter(category_id=cat).order_by('pk').first() if cat else None
            if p is not None:
                try:
                    with transaction.atomic():
                        Product.objects.create(sku='DUP-' + self.name(), title=p.title, price=1, category_id=cat)
                    check(False, '(category, title) duplicate accepted: shop_product_category_title_uniq not enforced')
                except IntegrityError:
                    pass

    OPS = [
        ('create_customer', 8), ('create_category', 3), ('create_product', 8), ('create_order', 10),
        ('update_order', 6), ('reprice_product', 4), ('update_customer', 5), ('update_product', 4),
        ('delete_customer', 2), ('delete_category', 2), ('delete_order_line', 2),
        ('m2m_add', 6), ('m2m_remove', 3), ('bulk_tags', 4), ('get_or_create', 5), ('lookup_uuid', 4),
        ('json_lookup', 3), ('datetime_compare', 4), ('child_before_parent', 4), ('fixture_load', 2),
        ('aggregate', 3), ('constraints_enforced', 3),
    ]

    def run(self, n):
        runner = OpRunner()
        names = [o for o, _ in self.OPS]
        weights = [w for _, w in self.OPS]
        for _ in range(n):
            name = self.rng.choices(names, weights)[0]
            fn = getattr(self, 'op_' + name)

            def op():
                with transaction.atomic():    # one transaction per operation (like ATOMIC_REQUESTS)
                    fn()
            runner.run(name, op)
        return runner.summary()
