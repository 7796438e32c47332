"""names and SK numbers compared after NFKC normalisation and case folding:
the keys of existing groups recomputed

Revision ID: 0003_injection_nfkc
"""
import sqlalchemy as sa
from alembic import op

from services.registry.kims.groups import NAME_KEY_LENGTH, SK_KEY_LENGTH, _fitting, name_key, sk_key

revision = "0003_injection_nfkc"
down_revision = "0002"


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name, sk_number, village_code, status FROM kims "
                                "ORDER BY created_at, id")).all()
    # first out of the way of the unique keys, then the new keys; two existing groups whose numbers
    # (or living groups of one village whose names) now compare equal keep both, the younger one's
    # key marked, for an office to resolve
    for row in rows:
        conn.execute(sa.text("UPDATE kims SET sk_number_key = :key, name_key = :key WHERE id = :id"),
                     {"key": f"tmp:{row.id}", "id": row.id})
    taken_numbers, taken_names = set(), set()
    for row in rows:
        key = sk_key(row.sk_number)
        if key in taken_numbers:
            key = _fitting(f"{key}#{row.id}", SK_KEY_LENGTH)
        taken_numbers.add(key)
        name = name_key(row.name)
        if row.status != "dissolved":  # the unique index holds only living groups
            if (row.village_code, name) in taken_names:
                name = _fitting(f"{name}#{row.id}", NAME_KEY_LENGTH)
            taken_names.add((row.village_code, name))
        conn.execute(sa.text("UPDATE kims SET name_key = :name_key, sk_number_key = :sk_key WHERE id = :id"),
                     {"name_key": name, "sk_key": key, "id": row.id})


def downgrade():
    pass  # the new keys compare at least as much as the old ones did
