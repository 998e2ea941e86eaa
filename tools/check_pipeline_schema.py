#!/usr/bin/env python3
"""Independent check of pipeline files against schemas/pipeline.schema.json with Python's jsonschema.

    check_pipeline_schema.py SCHEMA FILE...

Prints one JSON object per file: {"file", "yaml_error": bool, "errors": [[keyword, key path], ...]}, with key paths
written as Tessera writes them (tiling.overlap, inputs[2]; for `required` and `additionalProperties` the path of
the missing or unknown key). Exits 0 when every file is valid, 1 otherwise. Used by scripts/check-pipeline-schema
and by PipelineSchemaAgreementTests, which compares these errors with the Swift validator's.
"""
import json
import sys

import jsonschema
import yaml


def key_path(parts):
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def join(path, key):
    return f"{path}.{key}" if path else key


def errors_of(validator, document):
    found = []
    for error in validator.iter_errors(document):
        path = key_path(error.absolute_path)
        if error.validator == "required":
            present = error.instance if isinstance(error.instance, dict) else {}
            for name in error.validator_value:
                if name not in present:
                    found.append(("required", join(path, name)))
        elif error.validator == "additionalProperties":
            allowed = set(error.schema.get("properties", {}))
            for name in error.instance:
                if name not in allowed:
                    found.append(("additionalProperties", join(path, str(name))))
        else:
            found.append((error.validator, path))
    return sorted(set(found))


def main():
    schema_path, files = sys.argv[1], sys.argv[2:]
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    all_valid = True
    for name in files:
        with open(name, encoding="utf-8") as handle:
            text = handle.read()
        try:
            document = yaml.safe_load(text)
            errors = errors_of(validator, document)
            yaml_error = False
        except yaml.YAMLError:
            errors, yaml_error = [], True
        all_valid = all_valid and not errors and not yaml_error
        print(json.dumps({"file": name, "yaml_error": yaml_error, "errors": [list(e) for e in errors]}))
    return 0 if all_valid else 1


if __name__ == "__main__":
    sys.exit(main())
