"""import jobs of groups from a spreadsheet, their rows and each row's outcome

Revision ID: 0004_imports
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_imports"
down_revision = "0003_injection_nfkc"


def upgrade():
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("office", sa.String(13), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("actor", sa.JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("rows_total", sa.Integer, nullable=False),
        sa.Column("rows_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("imported", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("office", "file_sha256", name="uq_import_jobs_office_file"),
    )
    op.create_index("ix_import_jobs_status", "import_jobs", ["status"])
    op.create_table(
        "import_rows",
        sa.Column("job_id", sa.String(32), sa.ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON),
        sa.Column("errors", sa.JSON),
    )
    op.create_table(
        "import_outcomes",
        sa.Column("job_id", sa.String(32), sa.ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("kim_id", sa.String(32)),
        sa.Column("reasons", sa.JSON),
    )
    op.create_index("ix_import_outcomes_kim_id", "import_outcomes", ["kim_id"])


def downgrade():
    op.drop_table("import_outcomes")
    op.drop_table("import_rows")
    op.drop_table("import_jobs")
