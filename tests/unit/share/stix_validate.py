#!/usr/bin/python3
"""stix_validate.py SCHEMA_DIR FILE...

Validates STIX 2.1 objects against the OASIS cti-stix2-json-schemas with Debian's
python3-jsonschema (Draft 2020-12), independently of chainwatch's C code. Each FILE holds one
JSON object per line, a bundle, or a TAXII envelope. Objects of a type the schemas define use
that type's schema; objects of types declared through an extension-definition (new-sdo /
new-sco) use common/core.json or common/cyber-observable-core.json, and must carry the
extension that declares them. Prints one line per failure and a summary; exits 1 on any
failure, 77 when jsonschema is missing.
"""
import json
import os
import sys

try:
    from jsonschema import Draft202012Validator, RefResolver
except ImportError:
    print("SKIP: python3-jsonschema is not installed (apt-get install python3-jsonschema)")
    sys.exit(77)


def load_schemas(root):
    store, by_path = {}, {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".json"):
                p = os.path.join(dirpath, f)
                with open(p, encoding="utf-8") as fh:
                    s = json.load(fh)
                store[s["$id"]] = s
                by_path[os.path.relpath(p, root)] = s
    return store, by_path


def schema_for(obj, by_path):
    t = obj.get("type", "")
    for sub in ("sdos", "sros", "observables"):
        key = os.path.join(sub, t + ".json")
        if key in by_path:
            return key
    if t in ("marking-definition", "extension-definition", "language-content"):
        return os.path.join("common", t + ".json")
    exts = obj.get("extensions", {})
    kinds = {e.get("extension_type") for e in exts.values() if isinstance(e, dict)}
    if "new-sco" in kinds:
        return os.path.join("common", "cyber-observable-core.json")
    if "new-sdo" in kinds:
        return os.path.join("common", "core.json")
    return None


def objects_of(path):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and isinstance(doc.get("objects"), list):
            return doc["objects"]
        return [doc]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    store, by_path = load_schemas(sys.argv[1])
    checked, failed, types = 0, 0, {}
    for path in sys.argv[2:]:
        for obj in objects_of(path):
            checked += 1
            key = schema_for(obj, by_path)
            oid = obj.get("id", "?")
            if key is None:
                print("FAIL %s: no schema and no new-sdo/new-sco extension for type %r" % (oid, obj.get("type")))
                failed += 1
                continue
            types[obj["type"]] = key
            schema = by_path[key]
            v = Draft202012Validator(schema, resolver=RefResolver(schema["$id"], schema, store=store))
            errs = sorted(v.iter_errors(obj), key=lambda e: list(e.path))
            for e in errs[:5]:
                print("FAIL %s (%s): %s at %s" % (oid, key, e.message[:300], "/".join(map(str, e.path))))
            if errs:
                failed += 1
    for t in sorted(types):
        print("type %-22s schema %s" % (t, types[t]))
    print("%d objects checked, %d invalid" % (checked, failed))
    print("%d passed, %d failed" % (checked - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
