"""next: rename a column, drop a named constraint, alter columns, create an index

Kept outside migrations/versions/: `app.py apply_next` copies it there in a temporary copy of the app.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 20:35:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # batch mode: plain ALTER TABLE on PostgreSQL, "move and copy" on SQLite
    with op.batch_alter_table('customers') as batch_op:
        batch_op.alter_column('nickname', new_column_name='display_name',
                              existing_type=sa.String(length=30), existing_nullable=True)
        batch_op.alter_column('name', type_=sa.String(length=150),
                              existing_type=sa.String(length=100), existing_nullable=False)
    with op.batch_alter_table('products') as batch_op:
        batch_op.drop_constraint('uq_products_category_title', type_='unique')
    with op.batch_alter_table('orders') as batch_op:
        batch_op.alter_column('status', nullable=True, existing_type=sa.String(length=16))
    op.create_index('ix_orders_status_placed', 'orders', ['status', 'placed_at'], unique=False)


def downgrade():
    op.drop_index('ix_orders_status_placed', table_name='orders')
    with op.batch_alter_table('orders') as batch_op:
        batch_op.alter_column('status', nullable=False, existing_type=sa.String(length=16))
    with op.batch_alter_table('products') as batch_op:
        batch_op.create_unique_constraint('uq_products_category_title', ['category_id', 'title'])
    with op.batch_alter_table('customers') as batch_op:
        batch_op.alter_column('name', type_=sa.String(length=100),
                              existing_type=sa.String(length=150), existing_nullable=False)
        batch_op.alter_column('display_name', new_column_name='nickname',
                              existing_type=sa.String(length=30), existing_nullable=True)
