"""Models of the Django test application: one of each field kind and constraint kind applications use.

settings.APP_STATE == 'next' gives the models as they are after shop/next_migrations/0002_next.py
(a renamed field, a removed named UniqueConstraint, altered columns, an added index).
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

NEXT = getattr(settings, 'APP_STATE', 'initial') == 'next'


class Customer(models.Model):                      # AutoField (integer) id
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150 if NEXT else 100)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    birth_date = models.DateField(null=True, blank=True)
    external_id = models.UUIDField(default=uuid.uuid4, unique=True)   # UUID, not the pk
    profile = models.JSONField(default=dict)
    if NEXT:
        display_name = models.CharField(max_length=30, null=True, blank=True)   # renamed from nickname
    else:
        nickname = models.CharField(max_length=30, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=['name', 'created_at'], name='customer_name_created_idx')]


class Category(models.Model):
    id = models.BigAutoField(primary_key=True)     # BigAutoField id
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=50)
    parent = models.ForeignKey('self', null=True, blank=True, on_delete=models.SET_NULL,
                               related_name='children')


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)


class Product(models.Model):
    id = models.BigAutoField(primary_key=True)
    sku = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=4)
    weight = models.FloatField(null=True, blank=True)
    in_stock = models.BooleanField(default=False)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name='products')
    attributes = models.JSONField(default=dict)
    image = models.BinaryField(null=True, blank=True)
    available_from = models.TimeField(null=True, blank=True)
    warranty = models.DurationField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name='products')

    class Meta:
        constraints = [
            models.CheckConstraint(check=Q(price__gte=0), name='shop_product_price_nonneg'),
        ] + ([] if NEXT else [
            models.UniqueConstraint(fields=['category', 'title'], name='shop_product_category_title_uniq'),
        ])


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)     # UUID primary key
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name='orders')
    number = models.IntegerField()
    status = models.CharField(max_length=16, default='new', null=NEXT)
    placed_at = models.DateTimeField()
    ship_date = models.DateField(null=True, blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    note = models.TextField(null=True, blank=True)

    class Meta:
        unique_together = [('customer', 'number')]
        if NEXT:
            indexes = [models.Index(fields=['status', 'placed_at'], name='order_status_placed_idx')]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name='lines')
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name='order_lines')
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=4)
