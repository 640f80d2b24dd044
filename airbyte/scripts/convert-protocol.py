#!/usr/bin/env python3
"""Converts the vendored Airbyte protocol definition (YAML) into JSON, once, so the tests can load it
with ajv without a YAML parser. Source of the YAML: airbytehq/airbyte-protocol,
protocol-models/src/main/resources/airbyte_protocol/airbyte_protocol.yaml (MIT, see LICENSE beside it).

Usage: python3 airbyte/scripts/convert-protocol.py   (rewrites test/fixtures/airbyte/airbyte_protocol.json)
"""
import json
import pathlib

import yaml

root = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures" / "airbyte"
schema = yaml.safe_load((root / "airbyte_protocol.yaml").read_text(encoding="utf-8"))
(root / "airbyte_protocol.json").write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
print(f"wrote {root / 'airbyte_protocol.json'} (protocol version {schema.get('version')})")
