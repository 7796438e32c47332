"""broadcast_regions: each broadcast's target regions as rows, so that an
office's list can hold the published broadcasts whose target meets its scope
(filled for earlier broadcasts from their target).

Revision ID: 0004_authz
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0004_authz"
down_revision = "0003"


def upgrade():
    table = op.create_table(
        "broadcast_regions",
        sa.Column("broadcast_id", sa.String(36), sa.ForeignKey("broadcasts.id"), primary_key=True),
        sa.Column("region_code", sa.String(13), primary_key=True),
    )
    op.create_index("ix_broadcast_regions_region_code", "broadcast_regions", ["region_code"])
    rows = []
    for broadcast_id, target in op.get_bind().execute(sa.text("SELECT id, target FROM broadcasts")):
        regions = (json.loads(target) if isinstance(target, str) else target or {}).get("regions") or []
        rows += [{"broadcast_id": broadcast_id, "region_code": code} for code in sorted(set(regions))]
    if rows:
        op.bulk_insert(table, rows)


def downgrade():
    op.drop_index("ix_broadcast_regions_region_code", table_name="broadcast_regions")
    op.drop_table("broadcast_regions")
