#!/usr/bin/env python3
"""Extract the FollowTheMoney model metadata Resolute's yente-compatible API needs
into data/ftm/schemata.json (schemata with labels, parents, matchability and
properties; property types with their index groups; topic labels).

Input: the followthemoney wheel from PyPI (MIT licence), read as a zip, no install:

    pip download followthemoney==4.9.2 --no-deps -d /tmp/ftm
    scripts/ftm-schemata.py /tmp/ftm/followthemoney-4.9.2-py3-none-any.whl > data/ftm/schemata.json

Needs PyYAML. The output is deterministic (sorted keys); rerun it to move to a
newer FtM and review the diff.
"""

import ast
import json
import re
import sys
import zipfile

import yaml


def types_of(zf: zipfile.ZipFile) -> dict:
    """Property types: name -> group, label, plural, matchable (from types/*.py)."""
    out = {}
    for path in sorted(zf.namelist()):
        if not re.match(r"followthemoney/types/\w+\.py$", path):
            continue
        tree = ast.parse(zf.read(path).decode("utf-8"))
        by_class = {}
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            # A type class inherits what it does not set from a base in the same module
            # (`TextType(StringType)` keeps `matchable = False`).
            attrs = {}
            for base in node.bases:
                if isinstance(base, ast.Name) and base.id in by_class:
                    attrs.update(by_class[base.id])
            by_class[node.name] = attrs
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                    target = stmt.targets[0]
                    if not isinstance(target, ast.Name):
                        continue
                    value = stmt.value
                    # `label = _("Country")`
                    if isinstance(value, ast.Call) and value.args:
                        value = value.args[0]
                    if isinstance(value, ast.Constant):
                        attrs[target.id] = value.value
            if "name" in attrs and "label" in attrs:
                out[attrs["name"]] = {
                    "group": attrs.get("group"),
                    "label": attrs["label"],
                    "plural": attrs.get("plural", attrs["label"]),
                    "matchable": bool(attrs.get("matchable", True)),
                }
    return out


def topics_of(zf: zipfile.ZipFile) -> tuple:
    """Topic labels and the risk topics (types/topic.py)."""
    tree = ast.parse(zf.read("followthemoney/types/topic.py").decode("utf-8"))
    labels, risks = {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name == "_TOPICS" or (isinstance(node.value, ast.Dict) and not labels):
                if isinstance(node.value, ast.Dict):
                    for k, v in zip(node.value.keys, node.value.values):
                        if isinstance(v, ast.Call):
                            v = v.args[0]
                        labels[k.value] = v.value
            if name == "RISKS" and isinstance(node.value, ast.Set):
                risks = sorted(e.value for e in node.value.elts)
    return labels, risks


def schemata_of(zf: zipfile.ZipFile) -> dict:
    out = {}
    for path in sorted(zf.namelist()):
        if not re.match(r"followthemoney/schema/\w+\.yaml$", path):
            continue
        for name, spec in yaml.safe_load(zf.read(path)).items():
            props = {}
            for pname, p in (spec.get("properties") or {}).items():
                prop = {"label": p.get("label", pname), "type": p.get("type", "string")}
                for key in ("description", "range"):
                    if p.get(key):
                        prop[key] = p[key]
                for key in ("hidden", "deprecated"):
                    if p.get(key):
                        prop[key] = True
                if p.get("matchable") is False:
                    prop["matchable"] = False
                if p.get("reverse"):
                    prop["reverse"] = {
                        "name": p["reverse"]["name"],
                        "label": p["reverse"].get("label", p["reverse"]["name"]),
                    }
                props[pname] = prop
            out[name] = {
                "label": spec.get("label", name),
                "plural": spec.get("plural", spec.get("label", name)),
                "description": spec.get("description"),
                "extends": spec.get("extends", []),
                "abstract": bool(spec.get("abstract", False)),
                "matchable": bool(spec.get("matchable", False)),
                "edge": bool(spec.get("edge")),
                "featured": spec.get("featured", []),
                "caption": spec.get("caption", []),
                "properties": props,
            }
    return out


def main() -> None:
    wheel = sys.argv[1]
    version = re.search(r"followthemoney-([\d.]+)-", wheel)
    with zipfile.ZipFile(wheel) as zf:
        topics, risks = topics_of(zf)
        doc = {
            "source": f"followthemoney {version.group(1) if version else '?'} (PyPI wheel), MIT licence",
            "types": types_of(zf),
            "topics": topics,
            "risk_topics": risks,
            "schemata": schemata_of(zf),
        }
    json.dump(doc, sys.stdout, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
