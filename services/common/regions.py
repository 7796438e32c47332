"""The shapes of Kemendagri region codes, written once for the services and
the gateway: a province `14`, a regency `14.71`, a district `14.71.01`, a
village `14.71.01.1002`. The strings are JSON Schema patterns (the gateway's
OpenAPI document states them); the compiled ones are for the services."""
import re

REGION_CODE = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"  # any level
PROVINCE_CODE = r"^\d{2}$"
REGENCY_CODE = r"^\d{2}\.\d{2}$"
VILLAGE_CODE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"

REGION_CODE_PATTERN = re.compile(REGION_CODE)
VILLAGE_CODE_PATTERN = re.compile(VILLAGE_CODE)
