"""The OpenAPI document states each vocabulary exactly: an enum that shares two
codes or more with a vocabulary is that vocabulary, in its order (one shared code
may be a word two vocabularies have, `lainnya`)."""
import json

from services.common.vocabulary import ASPIRATION_CATEGORIES, VOCABULARIES
from services.gateway.export_openapi import openapi_text


def enums(node, where=""):
    if isinstance(node, dict):
        if "enum" in node:
            yield where, node["enum"]
        for key, value in node.items():
            yield from enums(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from enums(value, f"{where}/{index}")


def test_every_openapi_enum_of_a_vocabulary_is_that_vocabulary():
    stated = {name: [] for name in VOCABULARIES}
    for where, values in enums(json.loads(openapi_text())):
        for name, vocabulary in VOCABULARIES.items():
            if len(set(values) & set(vocabulary)) >= 2:
                assert values == list(vocabulary), f"{where} states {values}, {name} is {list(vocabulary)}"
                stated[name].append(where)
    # categories are free words (the API normalises them), so no enum; every other vocabulary is stated
    assert [name for name, places in stated.items() if not places] == ["aspiration_categories"]
    assert ASPIRATION_CATEGORIES is VOCABULARIES["aspiration_categories"]
