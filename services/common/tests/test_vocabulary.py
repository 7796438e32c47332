"""One source for every vocabulary: no copy of one elsewhere in services/,
and every code labelled in both languages."""
import ast
from pathlib import Path

from services.common.vocabulary import ASPIRATION_CATEGORIES, CATEGORY_ALIASES, VOCABULARIES, labels

SERVICES = Path(__file__).resolve().parents[2]
SOURCE = SERVICES / "common" / "vocabulary.py"
# subsets that are rules of their own, not copies of a list, by (file, the name they are given)
RULES = {
    ("aspirations/workflow.py", "OPEN"),  # the statuses whose deadline runs
    ("registry/kims/members.py", "OFFICERS"),  # one of each per group
    ("gateway/web/console/accounts.py", "account_roles"),  # the roles an office may give, the form's default first
    ("registry/evaluation/index.py", "OWN_WORK"),  # the figures that make a month active (issue 15)
}


def owner(node: ast.AST | None) -> str | None:
    """The name a node is assigned to, or else the function it is in."""
    while node is not None:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            return node.targets[0].id
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return node.name
        node = getattr(node, "parent", None)
    return None


def string_collections(tree: ast.AST):
    """(owner, line, values) of every tuple/list/set of string constants and every Literal[...]."""
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            child.parent = node
    for node in ast.walk(tree):
        values = node.slice if isinstance(node, ast.Subscript) else node
        if isinstance(node, ast.Tuple) and isinstance(getattr(node, "parent", None), ast.Subscript):
            continue  # seen as its subscript
        if isinstance(values, ast.Tuple | ast.List | ast.Set) and values.elts and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in values.elts):
            yield owner(node), node.lineno, {e.value for e in values.elts}


def copies(relative: str, text: str):
    """Every collection in a file that repeats a vocabulary: all its codes, or three or more of them."""
    for name, line, values in string_collections(ast.parse(text)):
        if (relative, name) in RULES:
            continue
        for vocabulary_name, vocabulary in VOCABULARIES.items():
            codes = set(vocabulary)
            if values == codes or (len(values) >= 3 and values <= codes):
                yield f"services/{relative}:{line} repeats {vocabulary_name}"


def test_no_vocabulary_is_copied_outside_services_common_vocabulary():
    found = [copy for path in sorted(SERVICES.rglob("*.py"))
             if path != SOURCE and "tests" not in path.relative_to(SERVICES).parts
             for copy in copies(path.relative_to(SERVICES).as_posix(), path.read_text(encoding="utf-8"))]
    assert found == [], "use services.common.vocabulary instead:\n" + "\n".join(found)


def test_the_copy_finder_finds_a_copy():
    # the guard itself: a tuple, a Literal and a subset are each found
    found = list(copies("sample.py", 'from typing import Literal\nA = ("tumbuh", "berkembang", "maju", "mandiri")\n'
                      'B = Literal["normal", "high", "urgent"]\nC = {"received", "verified", "closed"}\n'
                      'D = ("active", "pending")\n'))
    assert [copy.split(" ", 1)[1] for copy in found] == [
        "repeats kim_classifications", "repeats broadcast_priorities", "repeats aspiration_statuses"]


def test_every_code_has_both_labels():
    for name, vocabulary in VOCABULARIES.items():
        assert len(set(vocabulary)) == len(vocabulary), name
        for term in vocabulary.terms:
            assert term.id.strip() and term.en.strip(), (name, term.code)


def test_a_code_in_two_vocabularies_means_the_same_in_both():
    seen = {}
    for vocabulary in VOCABULARIES.values():
        for term in vocabulary.terms:
            assert seen.setdefault(term.code, (term.id, term.en)) == (term.id, term.en), term.code


def test_every_aspiration_category_is_an_open311_service_and_old_codes_are_aliases():
    assert all(term.service and all(term.service) for term in ASPIRATION_CATEGORIES.terms)
    assert all(new in ASPIRATION_CATEGORIES and old not in ASPIRATION_CATEGORIES
               for old, new in CATEGORY_ALIASES.items())
    assert labels()["administrasi_kependudukan"] == labels()["administrasi"]
