"""The KIM directory, in four parts:

- groups.py: registering a group with its decree, editing, reading and
  listing it, the views each caller may see, the keys that make two groups
  the same, and the snapshot;
- life.py: its status (active, vakum, dissolved), the history, dormancy;
- members.py: its members and the activities it reports;
- tags.py: the focus-tag vocabulary;
- imports.py: importing an office's spreadsheet of groups, in batches, by
  the rules of a single registration.

Every change writes its event to the outbox in the same transaction, and
keeps the coverage counters current. Callers use the names below
(`kims.register_kim(...)`), not the modules.
"""
from services.registry.kims.groups import (
    CLASSIFICATIONS,
    emit_snapshot,
    get_kim,
    kim_id_prefix,
    list_kims,
    name_key,
    public_view,
    register_kim,
    sk_key,
    today,
    update_kim,
    villages_of,
)
from services.registry.kims.imports import (
    add_import_rows,
    find_import,
    get_import,
    import_report,
    import_step,
    start_import,
)
from services.registry.kims.life import change_status, mark_dormant, status_history
from services.registry.kims.members import (
    add_member,
    list_activities,
    list_members,
    remove_member,
    report_activity,
)
from services.registry.kims.tags import add_tag, list_tags

__all__ = [
    "CLASSIFICATIONS", "add_import_rows", "add_member", "add_tag", "change_status", "emit_snapshot", "find_import",
    "get_import",
    "get_kim", "import_report", "import_step", "kim_id_prefix", "list_activities", "list_kims", "list_members",
    "list_tags", "mark_dormant", "name_key", "public_view", "register_kim", "remove_member", "report_activity",
    "sk_key", "start_import", "status_history", "today", "update_kim", "villages_of",
]
