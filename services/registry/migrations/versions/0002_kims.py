"""kims, their tags, members, activities, status history; tag vocabulary; coverage counters

Revision ID: 0002
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

DEFAULT_TAGS = [
    ("pemuda", "Pemuda", "Youth"),
    ("perempuan", "Perempuan", "Women"),
    ("pertanian", "Pertanian", "Agriculture"),
    ("perikanan", "Perikanan", "Fisheries"),
    ("umkm", "UMKM", "Micro, small and medium enterprises"),
    ("kesehatan", "Kesehatan", "Health"),
    ("pendidikan", "Pendidikan", "Education"),
    ("disabilitas", "Disabilitas", "Disability"),
]


def upgrade():
    op.create_table(
        "region_counts",
        sa.Column("code", sa.String(13), primary_key=True),
        sa.Column("parent_code", sa.String(13)),
        sa.Column("villages_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("villages_with_kim", sa.Integer, nullable=False, server_default="0"),
        sa.Column("villages_with_active_kim", sa.Integer, nullable=False, server_default="0"),
        sa.Column("kim_active", sa.Integer, nullable=False, server_default="0"),
        sa.Column("kim_vakum", sa.Integer, nullable=False, server_default="0"),
        sa.Column("kim_dissolved", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_region_counts_parent_code", "region_counts", ["parent_code"])
    tags = op.create_table(
        "tags",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("label_id", sa.String(100), nullable=False),
        sa.Column("label_en", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    now = datetime.now(UTC)
    op.bulk_insert(tags, [{"code": c, "label_id": i, "label_en": e, "created_at": now} for c, i, e in DEFAULT_TAGS])
    op.create_table(
        "kims",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("village_code", sa.String(13), nullable=False),
        sa.Column("district_code", sa.String(8), nullable=False),
        sa.Column("regency_code", sa.String(5), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("address", sa.String(500)),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("sk_number", sa.String(100), nullable=False),
        sa.Column("sk_number_key", sa.String(100), nullable=False, unique=True),
        sa.Column("sk_date", sa.Date, nullable=False),
        sa.Column("sk_issuer", sa.String(200), nullable=False),
        sa.Column("classification", sa.String(20), nullable=False),
        sa.Column("contact", sa.JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("status_reason", sa.String(500)),
        sa.Column("last_activity_on", sa.Date, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("village_code", "district_code", "regency_code", "province_code", "status"):
        op.create_index(f"ix_kims_{column}", "kims", [column])
    # one living group of a name per village (a dissolved one may be re-founded)
    op.create_index("uq_kims_village_name", "kims", ["village_code", "name_key"], unique=True,
                    sqlite_where=sa.text("status != 'dissolved'"),
                    postgresql_where=sa.text("status != 'dissolved'"))
    # the vakum timer looks for active groups by their last activity
    op.create_index("ix_kims_status_last_activity", "kims", ["status", "last_activity_on"])
    op.create_table(
        "kim_tags",
        sa.Column("kim_id", sa.String(32), sa.ForeignKey("kims.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag", sa.String(40), sa.ForeignKey("tags.code"), primary_key=True),
    )
    op.create_index("ix_kim_tags_tag", "kim_tags", ["tag"])
    op.create_table(
        "members",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kim_id", sa.String(32), sa.ForeignKey("kims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("phone", sa.String(30)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_members_kim_id", "members", ["kim_id"])
    op.create_table(
        "activities",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kim_id", sa.String(32), sa.ForeignKey("kims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("participants", sa.Integer, nullable=False),
        sa.Column("place", sa.String(200)),
        sa.Column("description", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_activities_kim_id", "activities", ["kim_id"])
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kim_id", sa.String(32), sa.ForeignKey("kims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("old", sa.String(10)),
        sa.Column("new", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_status_changes_kim_id", "status_changes", ["kim_id"])


def downgrade():
    for table in ("status_changes", "activities", "members", "kim_tags", "kims", "tags", "region_counts"):
        op.drop_table(table)
