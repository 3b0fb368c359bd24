"""Small validators over the networks' published descriptions (shared/reference/specs/).

- OpenAPI (X 2.159 and 2.167, Mastodon's community spec): response bodies against the
  operation's schema ($refs resolved with `referencing`), query parameters against the
  declared parameters (name, type, range, enum), JSON request bodies against the body schema.
- YouTube's discovery document: its schemas become JSON Schema (`$ref: "X"` →
  `#/schemas/X`, objects closed with additionalProperties: false, so an invented field
  fails); method parameters checked by name, type, range and enum.
- Bluesky lexicons: converted to JSON Schema (objects, refs, unions, strings with formats).
- Meta SDK codegen specs: every field returned is a declared field of the node, with a
  compatible type; every parameter sent is declared for the edge (plus Graph's generic
  paging and field-selection parameters).
"""

from __future__ import annotations

import copy
import functools
import json
import pathlib
import re
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPECS = pathlib.Path("/work/shared/reference/specs")
if not SPECS.exists():  # the repository copy, when the shared folder is not mounted
    SPECS = pathlib.Path(__file__).resolve().parents[3] / "shared" / "reference" / "specs"


@functools.cache
def load(relative: str) -> Any:
    return json.loads((SPECS / relative).read_text(encoding="utf-8"))


def errors_of(validator, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"[:300]
            for e in validator.iter_errors(instance)]


# --- OpenAPI -------------------------------------------------------------------------------
class OpenAPI:
    def __init__(self, relative: str):
        self.doc = load(relative)
        self.uri = f"urn:spec:{relative}"
        resource = Resource(contents=self.doc, specification=DRAFT202012)
        self.registry = Registry().with_resource(self.uri, resource)

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node and len(node) == 1:
            pointer = node["$ref"].lstrip("#/").split("/")
            node = self.doc
            for part in pointer:
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def validator(self, schema: dict) -> Draft202012Validator:
        schema = self._absolute(copy.deepcopy(schema))
        return Draft202012Validator(schema, registry=self.registry)

    def _absolute(self, node):
        if isinstance(node, dict):
            return {k: (f"{self.uri}{v}" if k == "$ref" and isinstance(v, str) and
                        v.startswith("#") else self._absolute(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [self._absolute(v) for v in node]
        return node

    def operation(self, template: str, method: str) -> dict:
        return self.doc["paths"][template][method]

    def response_errors(self, template: str, method: str, status: int, body: Any) -> list[str]:
        responses = self.operation(template, method)["responses"]
        response = self.resolve(responses.get(str(status)) or responses["default"])
        schema = response["content"]["application/json"]["schema"]
        return errors_of(self.validator(schema), body)

    def request_errors(self, template: str, method: str, query: dict[str, list[str]],
                       body: Any = None) -> list[str]:
        operation = self.operation(template, method)
        params = {}
        for raw in operation.get("parameters", []):
            param = self.resolve(raw)
            if param.get("in") == "query":
                params[param["name"]] = param
        problems = []
        for name, values in query.items():
            key = name[:-2] if name.endswith("[]") else name
            param = params.get(key)
            if param is None:
                problems.append(f"undeclared query parameter {name!r}")
                continue
            schema = self.resolve(param.get("schema", {}))
            if schema.get("type") == "array":
                items = values if name.endswith("[]") or param.get("explode", True) and \
                    len(values) > 1 else [v for value in values for v in value.split(",")]
                instance: Any = [coerce(self.resolve(schema.get("items", {})), v)
                                 for v in items]
            else:
                instance = coerce(schema, values[-1])
            for error in errors_of(self.validator(schema), instance):
                problems.append(f"{name}: {error}")
        for name, param in params.items():
            if param.get("required") and name not in query and f"{name}[]" not in query:
                problems.append(f"missing required parameter {name!r}")
        if body is not None:
            content = self.resolve(operation["requestBody"])["content"]
            schema = content.get("application/json", next(iter(content.values())))["schema"]
            problems += [f"body: {e}" for e in errors_of(self.validator(schema), body)]
        return problems


def coerce(schema: dict, value: str) -> Any:
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


# --- YouTube discovery ---------------------------------------------------------------------
@functools.cache
def youtube_schema_root() -> dict:
    doc = load("youtube/youtube-v3.json")

    def convert(node):
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref":
                    out["$ref"] = f"#/schemas/{value}"
                elif key in ("id", "description") and isinstance(value, str):
                    continue  # the schema's own id and prose, not properties named so
                elif key in ("annotations", "readOnly", "deprecated", "enumDescriptions",
                             "enumDeprecated") and not isinstance(value, dict):
                    continue
                elif key == "format" and value in ("int64", "uint64"):
                    out["pattern"] = r"^-?\d+$"  # 64-bit integers travel as strings
                elif key == "format":
                    continue
                else:
                    out[key] = convert(value)
            if out.get("type") == "object" and "properties" in out and \
                    "additionalProperties" not in out:
                out["additionalProperties"] = False
            return out
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node

    return {"schemas": {name: convert(schema) for name, schema in doc["schemas"].items()}}


def youtube_response_errors(schema_name: str, body: Any) -> list[str]:
    root = youtube_schema_root()
    validator = Draft202012Validator({"$ref": f"#/schemas/{schema_name}", **root})
    return errors_of(validator, body)


def youtube_request_errors(resource: str, method: str, query: dict[str, list[str]]) -> list[str]:
    doc = load("youtube/youtube-v3.json")
    params = {**doc["parameters"], **doc["resources"][resource]["methods"][method]["parameters"]}
    problems = []
    for name, values in query.items():
        param = params.get(name)
        if param is None:
            problems.append(f"undeclared parameter {name!r}")
            continue
        for value in values:
            if param.get("type") == "integer":
                if not re.fullmatch(r"-?\d+", value):
                    problems.append(f"{name}: {value!r} is not an integer")
                    continue
                number = int(value)
                if "minimum" in param and number < int(param["minimum"]):
                    problems.append(f"{name}: {number} < {param['minimum']}")
                if "maximum" in param and number > int(param["maximum"]):
                    problems.append(f"{name}: {number} > {param['maximum']}")
            if param.get("type") == "boolean" and value not in ("true", "false"):
                problems.append(f"{name}: {value!r} is not a boolean")
            if "enum" in param and value not in param["enum"]:
                problems.append(f"{name}: {value!r} not in {param['enum']}")
    for name, param in params.items():
        if param.get("required") and name not in query:
            problems.append(f"missing required parameter {name!r}")
    return problems


# --- Bluesky lexicons ----------------------------------------------------------------------
STRING_FORMATS = {
    "at-uri": r"^at://", "did": r"^did:[a-z]+:", "cid": r"^[a-z0-9]{8,}$",
    "datetime": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$",
    "handle": r"^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\.)+[a-zA-Z]+$", "uri": r"^[a-z]+:",
    "language": r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$", "at-identifier": r"^(did:|[a-zA-Z0-9.-]+$)",
    "nsid": r"^[a-z]", "record-key": r"^[A-Za-z0-9._:~-]+$", "tid": r"^[2-7a-z]{13}$",
}


def _lexicon_files() -> dict[str, dict]:
    lexicons = {}
    for path in (SPECS / "bluesky" / "lexicons").rglob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        lexicons[doc["id"]] = doc
    return lexicons


def _def_key(nsid: str, name: str) -> str:
    return f"{nsid}__{name}".replace(".", "_")


@functools.cache
def bluesky_defs() -> dict:
    lexicons = _lexicon_files()
    defs: dict[str, Any] = {}

    def ref(target: str, nsid: str) -> dict:
        if target.startswith("#"):
            target_nsid, name = nsid, target[1:]
        elif "#" in target:
            target_nsid, name = target.split("#", 1)
        else:
            target_nsid, name = target, "main"
        if target_nsid not in lexicons:
            return {}  # a lexicon outside the copied subset: accept anything
        return {"$ref": f"#/$defs/{_def_key(target_nsid, name)}"}

    def convert(node: dict, nsid: str) -> dict:
        kind = node.get("type")
        if kind == "object":
            properties = {k: convert(v, nsid) for k, v in node.get("properties", {}).items()}
            for name in node.get("nullable", []):
                if name in properties:
                    properties[name] = {"anyOf": [properties[name], {"type": "null"}]}
            return {"type": "object", "properties": {"$type": {"type": "string"}, **properties},
                    "required": node.get("required", []), "additionalProperties": False}
        if kind == "ref":
            return ref(node["ref"], nsid)
        if kind == "union":
            options = [ref(r, nsid) for r in node.get("refs", [])]
            if not node.get("closed"):
                options.append({"type": "object", "required": ["$type"]})
            return {"anyOf": options or [{}]}
        if kind == "string":
            schema: dict[str, Any] = {"type": "string"}
            if "maxLength" in node:
                schema["maxLength"] = node["maxLength"]
            if "enum" in node:
                schema["enum"] = node["enum"]
            if node.get("format") in STRING_FORMATS:
                schema["pattern"] = STRING_FORMATS[node["format"]]
            return schema
        if kind == "integer":
            schema = {"type": "integer"}
            for key in ("minimum", "maximum"):
                if key in node:
                    schema[key] = node[key]
            return schema
        if kind == "boolean":
            return {"type": "boolean"}
        if kind == "array":
            schema = {"type": "array", "items": convert(node.get("items", {}), nsid)}
            if "maxLength" in node:
                schema["maxItems"] = node["maxLength"]
            return schema
        if kind == "record":
            return convert(node["record"], nsid)
        return {}  # unknown, blob, bytes, cid-link, token, params

    for nsid, doc in lexicons.items():
        for name, node in doc.get("defs", {}).items():
            if node.get("type") in ("query", "procedure", "subscription"):
                output = node.get("output", {}).get("schema")
                if output:
                    defs[_def_key(nsid, name + "_output")] = convert(output, nsid)
                body = node.get("input", {}).get("schema")
                if body:
                    defs[_def_key(nsid, name + "_input")] = convert(body, nsid)
                params = node.get("parameters")
                if params:
                    defs[_def_key(nsid, name + "_params")] = convert(
                        {**params, "type": "object"}, nsid)
            else:
                defs[_def_key(nsid, name)] = convert(node, nsid)
    return defs


def bluesky_errors(nsid: str, part: str, instance: Any) -> list[str]:
    """part: 'output', 'input', 'params' (of the main query/procedure) or a def name."""
    key = _def_key(nsid, f"main_{part}" if part in ("output", "input", "params") else part)
    validator = Draft202012Validator({"$ref": f"#/$defs/{key}", "$defs": bluesky_defs()})
    return errors_of(validator, instance)


def bluesky_params(nsid: str, query: dict[str, list[str]]) -> dict:
    """Query strings typed by the lexicon (integers, booleans, repeated arrays)."""
    doc = _lexicon_files()[nsid]["defs"]["main"].get("parameters", {})
    typed = {}
    for name, values in query.items():
        spec = doc.get("properties", {}).get(name, {})
        if spec.get("type") == "array":
            typed[name] = values
        elif spec.get("type") == "integer" and re.fullmatch(r"-?\d+", values[-1]):
            typed[name] = int(values[-1])
        elif spec.get("type") == "boolean":
            typed[name] = values[-1] == "true"
        else:
            typed[name] = values[-1]
    return typed


# --- Meta SDK specs ------------------------------------------------------------------------
GRAPH_GENERIC_PARAMS = {"fields", "limit", "after", "before", "since", "until", "access_token",
                        "appsecret_proof", "summary", "pretty"}


def meta_field_errors(node: str, instance: dict) -> list[str]:
    spec = load(f"meta/{node}.json")
    fields = {f["name"]: f["type"] for f in spec["fields"]}
    # Edges (picture, replies...) may be expanded through `fields=` as well.
    edges = {a.get("endpoint") for a in spec["apis"] if a.get("method") == "GET"}
    problems = []
    for key, value in instance.items():
        if key not in fields:
            if key in edges and isinstance(value, dict):
                continue
            problems.append(f"{node}.{key} is not a field of {node}")
            continue
        kind = fields[key]
        ok = {
            "string": isinstance(value, str), "int": isinstance(value, int),
            "unsigned int": isinstance(value, int) and value >= 0,
            "bool": isinstance(value, bool),
            "datetime": isinstance(value, str) and bool(re.fullmatch(
                r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000", value)),
        }.get(kind, isinstance(value, dict | list | str))
        if not ok:
            problems.append(f"{node}.{key}={value!r} does not match type {kind}")
    return problems


def meta_param_errors(node: str, method: str, edge: str, params: dict) -> list[str]:
    apis = load(f"meta/{node}.json")["apis"]
    declared = set()
    for api in apis:
        if api.get("method") == method and (api.get("endpoint") == edge or
                                            api.get("name") == edge):
            declared |= {p["name"] for p in api["params"]}
    if not declared and not any(api.get("endpoint") == edge or api.get("name") == edge
                                for api in apis):
        return [f"{node} has no {method} {edge}"]
    allowed = declared | (GRAPH_GENERIC_PARAMS if method == "GET" else {"access_token"})
    return [f"{name} is not a parameter of {method} {node}/{edge}" for name in params
            if name not in allowed]
