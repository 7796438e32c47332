"""Who may read or change what: the caller (`Actor`) and the scope rules
every service applies to its own data.

The gateway authenticates the caller and passes it as an `actor` dict on
every RPC; each service checks it against the regions and groups it holds.
An office (admin, operator) covers a region subtree (all of it for a
national admin); a group (kim) covers itself.
"""
from dataclasses import dataclass

from services.common.errors import InvalidInput, OutOfScope
from services.common.vocabulary import KEY_ROLES

ROLES = (*KEY_ROLES, "public")


@dataclass(frozen=True)
class Actor:
    role: str
    scope_region: str | None = None
    kim_id: str | None = None
    key_id: str | None = None

    @classmethod
    def from_wire(cls, data: dict | None) -> "Actor":
        if not data:
            return PUBLIC
        if data.get("role") not in ROLES:
            raise InvalidInput("Peran pemanggil tidak dikenal.", detail_en="Unknown caller role.")
        return cls(data["role"], data.get("scope_region"), data.get("kim_id"), data.get("key_id"))

    @property
    def label(self) -> str:
        return f"{self.role}:{self.key_id}" if self.key_id else self.role

    @property
    def is_office(self) -> bool:
        return self.role in ("admin", "operator")

    def covers(self, region_code: str) -> bool:
        """Whether a region lies inside this office's subtree."""
        if not self.is_office:
            return False
        root = self.scope_region
        if root is None:
            return True
        return region_code == root or region_code.startswith(root + ".")

    def may_see(self, kim) -> bool:
        """Anything of a group (with `id` and `village_code`) beyond its public
        profile: the group itself, its regency's operators, the admins above."""
        if self.role == "kim":
            return kim.id == self.kim_id
        return self.covers(kim.village_code)


PUBLIC = Actor("public")


def require_office(actor: Actor):
    if not actor.is_office:
        raise OutOfScope("Hanya kantor Diskominfo yang boleh melakukan ini.",
                         detail_en="Only a Diskominfo office may do this.")


def require_region(actor: Actor, region_code: str):
    if not actor.covers(region_code):
        raise OutOfScope(f"Wilayah {region_code} di luar cakupan Anda.",
                         detail_en=f"Region {region_code} is outside your scope.")


def require_kim(actor: Actor, kim):
    if not actor.may_see(kim):
        raise OutOfScope(f"KIM {kim.id} di luar cakupan Anda.", detail_en=f"KIM {kim.id} is outside your scope.")
