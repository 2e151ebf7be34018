#!/usr/bin/env python3
"""Cut the vendor VCF Operations OpenAPI document down to what maintsync calls.

Usage: trim_openapi.py <vcf-operations-openapi.json> [output.json]

Keeps the selected operations, every component schema they reach (through
$ref or discriminator mappings), the `error` schema, the security schemes, `info`, `servers` and
the top-level `security`. Prose (`description`, `summary`), samples
(`example`, `examples`) and `externalDocs` are dropped; nothing that changes
what a request or response may contain is touched.
"""
import json
import sys

OPERATIONS = {
    "/api/auth/token/acquire": ["post"],
    "/api/auth/token/release": ["post"],
    "/api/auth/currentuser": ["get"],
    "/api/resources": ["get"],
    "/api/resources/{id}": ["get"],
    "/api/resources/{id}/maintained": ["put", "delete"],
    "/api/resources/maintained": ["put", "delete"],
    "/api/adapterkinds/{adapterKindKey}/resourcekinds/{resourceKindKey}/resources": ["get"],
    "/api/deployment/node/status": ["get"],
}

# Not referenced by any kept operation (the vendor document declares almost no
# error responses), yet it is the body every failing call returns, so tests
# validate error bodies against it.
EXTRA_SCHEMAS = ["error"]

PROSE = {"description", "summary", "example", "examples", "externalDocs"}

# Maps whose keys are names chosen by the document's author (a property may
# well be called "description"), so their keys must never be stripped.
NAMED_MAPS = {"properties", "paths", "responses", "content", "schemas",
              "securitySchemes", "headers", "links", "callbacks", "encoding",
              "mapping", "variables", "parameters", "requestBodies"}

# Literal values, copied as they are.
LITERALS = {"enum", "default", "required"}

SCHEMA_REF = "#/components/schemas/"


def strip(node, named=False):
    if isinstance(node, list):
        return [strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if named:
            result[key] = strip(value)
        elif key in PROSE:
            continue
        elif key in LITERALS or key.startswith("x-"):
            result[key] = value
        else:
            result[key] = strip(value, named=key in NAMED_MAPS)
    return result


def response_objects(operation):
    return operation.get("responses", {}).values()


def schema_refs(node):
    """Every schema name a node points at, including discriminator mappings."""
    if isinstance(node, list):
        for item in node:
            yield from schema_refs(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_REF):
                yield value[len(SCHEMA_REF):]
            elif key == "mapping" and isinstance(value, dict):
                for target in value.values():
                    if target.startswith(SCHEMA_REF):
                        yield target[len(SCHEMA_REF):]
            else:
                yield from schema_refs(value)


def reachable_schemas(paths, schemas):
    seen, pending = set(), list(schema_refs(paths)) + EXTRA_SCHEMAS
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(schema_refs(schemas[name]))
    return seen


def trim(spec):
    paths = {}
    for path, methods in OPERATIONS.items():
        item = spec["paths"][path]
        paths[path] = {key: value for key, value in item.items()
                       if key in methods or key == "parameters"}
    paths = strip(paths, named=True)
    # OpenAPI 3.0 makes `description` mandatory on a response object, so an
    # empty one keeps the trimmed document valid for strict parsers.
    for item in paths.values():
        for method, operation in item.items():
            if method != "parameters":
                for response in response_objects(operation):
                    response["description"] = ""

    schemas = spec["components"]["schemas"]
    used = reachable_schemas(paths, schemas)
    used_tags = {tag for item in paths.values() for op in item.values()
                 if isinstance(op, dict) for tag in op.get("tags", [])}
    return {
        "openapi": spec["openapi"],
        "info": {key: spec["info"][key] for key in ("title", "version")},
        "servers": strip(spec["servers"]),
        "security": spec["security"],
        "tags": [strip(tag) for tag in spec.get("tags", []) if tag["name"] in used_tags],
        "paths": paths,
        "components": {
            "schemas": strip({name: schemas[name] for name in schemas if name in used}, named=True),
            "securitySchemes": strip(spec["components"]["securitySchemes"], named=True),
        },
    }


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as source:
        trimmed = trim(json.load(source))
    text = json.dumps(trimmed, indent=2, ensure_ascii=False) + "\n"
    if len(argv) == 3:
        with open(argv[2], "w", encoding="utf-8") as target:
            target.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
