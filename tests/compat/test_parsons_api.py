"""turnout accepts every call a Parsons 6.1.0 user can make on the classes it promises.

The reference is `parsons_6_1_api.json` beside this file: names and signatures only, written by
`tools/parsons_signatures.py` from a real `pip install parsons==6.1.0`. For each class below and
each of Parsons' public members, turnout has the member, of the same sort (method, property,
staticmethod, classmethod, attribute), and its parameters accept every Parsons call: Parsons'
positional parameters in the same order with the same names and defaults, Parsons' keyword
parameters by name with the same defaults, `*args` / `**kwargs` where Parsons has them. turnout
may add methods, and keyword-only parameters with a default after Parsons' ones. The public
attributes Parsons' __init__ sets and the environment variables it reads are there too.

A deliberate departure is listed in DEPARTURES with the exact mismatch it causes and the reason,
mirrored in docs/parsons_compatibility.md; the test fails when a listed departure no longer
happens (so the table cannot go stale) as well as on any mismatch not listed.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

SNAPSHOT = json.loads((Path(__file__).parent / "parsons_6_1_api.json").read_text())

# Snapshot key -> (turnout module, attribute): the turnout class standing for each class.
TURNOUT_CLASSES: dict[str, tuple[str, str]] = {
    "APIConnector": ("turnout.http", "APIConnector"),
    "ActionNetwork": ("turnout", "ActionNetwork"),
    "CivisClient": ("turnout.connectors.civis", "CivisClient"),
    "GoogleBigQuery": ("turnout", "GoogleBigQuery"),
    "GoogleSheets": ("turnout", "GoogleSheets"),
    "MobilizeAmerica": ("turnout", "MobilizeAmerica"),
    "Postgres": ("turnout", "Postgres"),
    "Redshift": ("turnout", "Redshift"),
    "Table": ("turnout", "Table"),
}

# The classes whose every Parsons member is compared. A class joins when its mismatches are
# fixed; the ones not yet here, and their exact gaps, are listed in
# docs/parsons_compatibility.md ("Not yet compatible").
COVERED: tuple[str, ...] = ("CivisClient", "GoogleSheets", "MobilizeAmerica")

# (class, member) -> (the exact mismatches the departure causes, why turnout departs).
DEPARTURES: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("ActionNetwork", "add_person"): (
        ("mobile_status: default 'subscribed' in Parsons, None in turnout",),
        "Parsons subscribed every phone number to texts without consent; turnout subscribes "
        "a number only when mobile_status is passed, and logs a WARNING once",
    ),
}

# (class, environment variable) -> why turnout does not read it (or its source never names it).
ENV_DEPARTURES: dict[tuple[str, str], str] = {
    ("GoogleBigQuery", "GCS_TEMP_BUCKET"): (
        "copy uploads straight to the load job and never stages in Cloud Storage, so no "
        "bucket is needed; tmp_gcs_bucket is still accepted"
    ),
}

# (class, attribute Parsons' __init__ sets) -> why turnout has no such attribute.
ATTRIBUTE_DEPARTURES: dict[tuple[str, str], str] = {
    ("GoogleBigQuery", "env_credential_path"): (
        "Parsons writes the credentials to a temporary file named in a random environment "
        "variable; turnout loads them in memory and never changes os.environ"
    ),
}

# Behaviour that differs on purpose where the signature matches: (class, member) -> why.
# The owners' docs give the details (docs/table.md, docs/action_network.md, module docstrings).
BEHAVIOUR_DEPARTURES: dict[tuple[str, str], str] = {
    ("Table", "__init__"): "every row's keys become columns; Parsons looks at the first 1,000",
    ("Table", "convert_column"): (
        "a conversion that raises is a ConversionError naming column, row and value; Parsons "
        "stored None silently"
    ),
    ("Table", "unpack_dict"): (
        "every row's keys are seen (sample_size accepted, ignored); a name that collides keeps "
        "its prefix and logs a WARNING instead of making two columns of one name"
    ),
    ("Table", "unpack_list"): (
        "replace=False returns a new Table and leaves this one as it was; Parsons wrapped this "
        "Table's values in lists as a side effect"
    ),
    ("Table", "add_column"): "an existing name is ColumnExistsError, a ValueError: one error tree",
    ("Table", "rename_column"): "an existing name is ColumnExistsError, a ValueError",
    ("Table", "concat"): "returns the Table (Parsons: None) and also takes a list of Tables",
    ("Table", "stack"): "returns the Table, and raises on extra columns instead of dropping them",
    ("Table", "remove_null_rows"): "null_value matches by equality; Parsons used identity",
    ("Table", "map_and_coalesce_columns"): "leaves the caller's column map as it was",
    ("Table", "use_petl"): "update_table=True with to_petl=True runs the petl function once",
    ("Table", "match_columns"): "bad options and missing/extra columns raise TableError",
    ("Table", "get_column_types"): "type names sorted; Parsons gave them in set order",
    ("Table", "materialize_to_file"): "writes the same pickle and keeps the data in memory",
    ("Table", "is_valid_table"): "always True: a turnout Table cannot hold an invalid table",
    ("Table", "from_csv"): (
        "a row longer than the header is refused naming its line; undecodable bytes name the "
        "file and offset; a BOM is stripped; repeated header names get a suffix"
    ),
    ("Table", "from_json"): "every key of every object becomes a column (petl samples 1,000)",
    ("Table", "to_json"): "compact UTF-8 JSON; dates as ISO text; the same values",
    ("ActionNetwork", "upsert_person"): (
        "phone-only people are sent; phone lists are sent; tags='x' is a one-item list; tag= "
        "is an alias; custom fields are merged; empty postal addresses are dropped"
    ),
    ("ActionNetwork", "add_person"): (
        "returns the person and applies tags, like upsert_person (Parsons returned None, so "
        "the training guide's ['identifiers'] failed)"
    ),
    ("ActionNetwork", "update_person"): "also accepts email_address and mobile_number",
    ("MobilizeAmerica", "get_events"): (
        "events without any location give no location columns instead of an error; a str "
        "organization_id is one id, not split into characters"
    ),
    ("GoogleSheets", "append_to_sheet"): (
        "columns are matched to the sheet's header by name (Parsons wrote them by position)"
    ),
    ("GoogleBigQuery", "copy"): (
        "one Parquet load job, no Cloud Storage staging; if_exists='drop' replaces the table in "
        "that one job, so there is never a moment without it"
    ),
    ("CivisClient", "table_import"): (
        "sends column types from turnout's type mapping (a zip code stays text) and matches "
        "columns by name on append; writes the CSV without pandas"
    ),
    ("CivisClient", "query"): "returns None when the query returns no rows",
    ("CivisClient", "__init__"): "a CIVIS_DATABASE of digits is read as a database id",
}

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_POSITIONAL_NAMES = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")
_SENTINEL = re.compile(r"<_\w+\.token: \d+>")
_BY_NAME = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def turnout_class(key: str) -> type:
    """The turnout class that stands for the snapshot's class `key`."""
    module, name = TURNOUT_CLASSES[key]
    return getattr(importlib.import_module(module), name)


def _sort_of(raw: Any) -> str:
    if isinstance(raw, (property, functools.cached_property)):
        return "property"
    if isinstance(raw, staticmethod):
        return "staticmethod"
    if isinstance(raw, classmethod):
        return "classmethod"
    if inspect.isfunction(raw):
        return "method"
    return "attribute"


def _static_member(cls: type, name: str) -> Any:
    try:
        return inspect.getattr_static(cls, name)
    except AttributeError:
        return None


def _parameters(raw: Any, sort: str) -> list[inspect.Parameter]:
    func = raw.__func__ if sort in ("staticmethod", "classmethod") else raw
    params = list(inspect.signature(func).parameters.values())
    return params if sort == "staticmethod" else params[1:]


def _snapshot_parameters(entry: dict, sort: str) -> list[dict]:
    params = entry["params"]
    return params if sort == "staticmethod" else params[1:]


def _default_key(text: str) -> str:
    """A default's repr, with any enum "nothing passed" sentinel (`<_Empty.token: 0>`) as one
    value: no caller can pass another library's private sentinel."""
    return "<sentinel>" if _SENTINEL.fullmatch(text) else text


def parameter_mismatches(parsons: list[dict], turnout: list[inspect.Parameter]) -> list[str]:
    """Every way a call that Parsons' parameters accept would fail or change in turnout's."""
    problems: list[str] = []
    by_name = {param.name: param for param in turnout}
    t_positional = [param for param in turnout if param.kind in _POSITIONAL]
    t_kinds = {param.kind for param in turnout}
    p_positional = [p for p in parsons if p["kind"] in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")]

    def default(p: dict, t: inspect.Parameter) -> None:
        if "default" not in p:
            return
        if t.default is inspect.Parameter.empty:
            problems.append(f"{p['name']}: default {p['default']} in Parsons, none in turnout")
        elif _default_key(repr(t.default)) != _default_key(p["default"]):
            problems.append(
                f"{p['name']}: default {p['default']} in Parsons, {t.default!r} in turnout"
            )

    for index, p in enumerate(p_positional):
        if index >= len(t_positional):
            where = by_name.get(p["name"])
            if where is not None:
                problems.append(f"{p['name']}: positional in Parsons, keyword-only in turnout")
                default(p, where)
            else:
                problems.append(f"{p['name']}: missing in turnout")
            continue
        t = t_positional[index]
        if t.name != p["name"]:
            problems.append(f"position {index + 1}: {p['name']} in Parsons, {t.name} in turnout")
            continue
        if p["kind"] == "POSITIONAL_OR_KEYWORD" and t.kind is inspect.Parameter.POSITIONAL_ONLY:
            problems.append(f"{p['name']}: positional-only in turnout")
        default(p, t)

    for p in parsons:
        if p["kind"] != "KEYWORD_ONLY":
            continue
        t = by_name.get(p["name"])
        if t is None or t.kind not in _BY_NAME:
            problems.append(f"{p['name']}: keyword missing in turnout")
        else:
            default(p, t)

    p_kinds = {p["kind"] for p in parsons}
    if "VAR_POSITIONAL" in p_kinds and inspect.Parameter.VAR_POSITIONAL not in t_kinds:
        problems.append("*args: accepted by Parsons, not by turnout")
    if "VAR_KEYWORD" in p_kinds and inspect.Parameter.VAR_KEYWORD not in t_kinds:
        problems.append("**kwargs: accepted by Parsons, not by turnout")

    known = {p["name"] for p in parsons}
    for t in t_positional[len(p_positional) :]:
        if "VAR_POSITIONAL" in p_kinds:
            problems.append(f"{t.name}: added positionally in turnout, takes Parsons' *args")
        elif t.name in known:
            continue  # Parsons takes it by keyword only; turnout accepts that too
        elif t.default is inspect.Parameter.empty:
            problems.append(f"{t.name}: required in turnout, unknown to Parsons")
        else:
            problems.append(f"{t.name}: added positionally in turnout; make it keyword-only")
    for t in turnout:
        if (
            t.kind is inspect.Parameter.KEYWORD_ONLY
            and t.name not in known
            and t.default is inspect.Parameter.empty
        ):
            problems.append(f"{t.name}: required keyword in turnout, unknown to Parsons")
    return problems


def parsons_calls(parsons: list[dict]) -> list[tuple[tuple, dict]]:
    """Call shapes a Parsons user can write: only what is required; everything positional
    that can be (plus an extra value for `*args`, an extra keyword for `**kwargs`); everything
    by keyword that can be. Each value is the parameter's name, so its landing place shows."""
    required_args = tuple(
        f"<{p['name']}>" for p in parsons if p["kind"] in _POSITIONAL_NAMES and "default" not in p
    )
    required_kwargs = {
        p["name"]: f"<{p['name']}>"
        for p in parsons
        if p["kind"] == "KEYWORD_ONLY" and "default" not in p
    }
    kinds = {p["kind"] for p in parsons}
    every_args = tuple(f"<{p['name']}>" for p in parsons if p["kind"] in _POSITIONAL_NAMES)
    every_args += ("<*args>",) if "VAR_POSITIONAL" in kinds else ()
    keyword_only = {p["name"]: f"<{p['name']}>" for p in parsons if p["kind"] == "KEYWORD_ONLY"}
    extra = {"zz_extra": "<**kwargs>"} if "VAR_KEYWORD" in kinds else {}
    by_name = {
        p["name"]: f"<{p['name']}>"
        for p in parsons
        if p["kind"] in ("POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY")
    }
    positional_only = tuple(f"<{p['name']}>" for p in parsons if p["kind"] == "POSITIONAL_ONLY")
    return [
        (required_args, required_kwargs),
        (every_args, {**keyword_only, **extra}),
        (positional_only, {**by_name, **extra}),
    ]


def binding_mismatches(parsons: list[dict], turnout: inspect.Signature) -> list[str]:
    """Calls from `parsons_calls` that turnout's signature refuses, or binds a value to a
    parameter of another name."""
    problems = []
    for args, kwargs in parsons_calls(parsons):
        try:
            bound = turnout.bind(*args, **kwargs)
        except TypeError as error:
            problems.append(f"call{args + tuple(kwargs.items())} refused: {error}")
            continue
        for name, value in bound.arguments.items():
            kind = turnout.parameters[name].kind
            if kind is inspect.Parameter.VAR_KEYWORD:
                # Only the extra keyword belongs here: a Parsons parameter name landing in
                # turnout's **kwargs is one turnout does not know.
                right = set(value) <= {"zz_extra"}
            elif kind is inspect.Parameter.VAR_POSITIONAL:
                right = all(item == "<*args>" for item in value)
            else:
                right = value == f"<{name}>"
            if not right:
                problems.append(f"call{args + tuple(kwargs.items())} gives {name}={value!r}")
    return problems


def member_mismatches(key: str, name: str) -> list[str]:
    """How turnout's member `name` of class `key` fails to accept Parsons' calls."""
    entry = SNAPSHOT["classes"][key]["members"][name]
    cls = turnout_class(key)
    raw = _static_member(cls, name)
    if raw is None and entry["type"] == "attribute" and name in _assigned_to_self(cls):
        return []  # set on the instance, readable as Parsons' class attribute was
    if raw is None:
        return ["missing in turnout"]
    sort = _sort_of(raw)
    if sort != entry["type"]:
        return [f"a {entry['type']} in Parsons, a {sort} in turnout"]
    if sort in ("property", "attribute"):
        return []
    return parameter_mismatches(_snapshot_parameters(entry, sort), _parameters(raw, sort))


def _assigned_to_self(cls: type) -> set[str]:
    """Names `self.<name> = ...` assigns in the methods of turnout's class and its bases (the
    __init__ or the helpers it calls)."""
    names: set[str] = set()
    for base in cls.__mro__:
        if base.__module__.split(".")[0] != "turnout":
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(base)))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign):
                targets = [node.target]
            else:
                continue
            for target in [
                element
                for outer in targets
                for element in (outer.elts if isinstance(outer, ast.Tuple) else [outer])
            ]:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    names.add(target.attr)
    return names


def attribute_mismatches(key: str) -> list[str]:
    """Public attributes Parsons' __init__ sets that turnout's class neither has nor sets."""
    cls = turnout_class(key)
    assigned = _assigned_to_self(cls)
    return [
        name
        for name in SNAPSHOT["classes"][key]["instance_attributes"]
        if name not in assigned
        and _static_member(cls, name) is None
        and (key, name) not in ATTRIBUTE_DEPARTURES
    ]


def _package_source(cls: type) -> str:
    """The source of the package that defines turnout's class (the module alone if it is one
    of `turnout.connectors`' single-module connectors)."""
    path = Path(importlib.import_module(cls.__module__).__file__)
    files = [path] if path.parent.name == "connectors" else sorted(path.parent.rglob("*.py"))
    return "\n".join(file.read_text() for file in files)


def env_mismatches(key: str) -> list[str]:
    """Environment variables Parsons reads that turnout's source for the class never names."""
    source = _package_source(turnout_class(key))
    missing = []
    for name in SNAPSHOT["classes"][key]["env_vars"]:
        if (key, name) in ENV_DEPARTURES:
            continue
        if not re.search(rf"[\"']{re.escape(name)}[\"']", source):
            missing.append(name)
    return missing


def all_mismatches(keys: list[str] | None = None) -> dict[str, list[str]]:
    """`class.member` -> mismatches, over every snapshot class that turnout can import."""
    found: dict[str, list[str]] = {}
    for key in keys or sorted(TURNOUT_CLASSES):
        for name in SNAPSHOT["classes"][key]["members"]:
            problems = member_mismatches(key, name)
            if problems:
                found[f"{key}.{name}"] = problems
        missing = env_mismatches(key)
        if missing:
            found[f"{key} env"] = [f"{name}: not read by turnout" for name in missing]
        absent = attribute_mismatches(key)
        if absent:
            found[f"{key} attributes"] = [f"{name}: not set by turnout" for name in absent]
    return found


def test_snapshot_is_parsons_6_1_0_with_every_extra():
    assert SNAPSHOT["parsons_version"] == "6.1.0"
    assert SNAPSHOT["extras"] == {
        "civis": "installed",
        "google": "installed",
        "postgres": "installed",
        "redshift": "installed",
    }
    assert not [key for key, entry in SNAPSHOT["classes"].items() if "import_error" in entry]


@pytest.mark.parametrize("key", COVERED)
def test_every_parsons_member_accepts_parsons_calls(key):
    unexpected = {}
    for name in SNAPSHOT["classes"][key]["members"]:
        problems = member_mismatches(key, name)
        expected = DEPARTURES.get((key, name), ((), ""))[0]
        if tuple(problems) != expected:
            unexpected[name] = {"found": problems, "listed as departure": list(expected)}
    assert unexpected == {}


@pytest.mark.parametrize("key", COVERED)
def test_parsons_environment_variables_are_read(key):
    assert env_mismatches(key) == []


@pytest.mark.parametrize("key", COVERED)
def test_parsons_instance_attributes_exist(key):
    """`sheets.gspread_client`, `ma.api_key`...: what Parsons' __init__ sets, turnout has."""
    assert attribute_mismatches(key) == []


@pytest.mark.parametrize("key", COVERED)
def test_parsons_call_shapes_bind_to_the_same_parameters(key):
    """A second, independent proof: Python itself binds Parsons-shaped calls to turnout."""
    refused = {}
    for name, entry in SNAPSHOT["classes"][key]["members"].items():
        if entry["type"] not in ("method", "staticmethod", "classmethod"):
            continue
        raw = _static_member(turnout_class(key), name)
        func = raw.__func__ if entry["type"] != "method" else raw
        signature = inspect.signature(func)
        params = _snapshot_parameters(entry, entry["type"])
        if entry["type"] != "staticmethod":
            signature = signature.replace(parameters=list(signature.parameters.values())[1:])
        problems = binding_mismatches(params, signature)
        if problems and (key, name) not in DEPARTURES:
            refused[name] = problems
    assert refused == {}


def test_every_snapshot_class_has_a_turnout_class():
    assert sorted(TURNOUT_CLASSES) == sorted(SNAPSHOT["classes"])
    assert set(COVERED) <= set(TURNOUT_CLASSES)


@pytest.mark.parametrize("key, name", sorted(DEPARTURES))
def test_each_listed_departure_still_happens_exactly(key, name):
    """Also for a class not yet COVERED: a departure entry is never stale."""
    mismatches, reason = DEPARTURES[(key, name)]
    assert name in SNAPSHOT["classes"][key]["members"]
    assert len(reason) > 20
    assert tuple(member_mismatches(key, name)) == mismatches


@pytest.mark.parametrize("key, name", sorted(ENV_DEPARTURES))
def test_each_environment_departure_still_happens(key, name):
    assert name in SNAPSHOT["classes"][key]["env_vars"]
    assert not re.search(rf"[\"']{name}[\"']", _package_source(turnout_class(key)))


@pytest.mark.parametrize("key, name", sorted(ATTRIBUTE_DEPARTURES))
def test_each_attribute_departure_still_happens(key, name):
    cls = turnout_class(key)
    assert name in SNAPSHOT["classes"][key]["instance_attributes"]
    assert name not in _assigned_to_self(cls) and _static_member(cls, name) is None
    assert len(ATTRIBUTE_DEPARTURES[(key, name)]) > 20


def test_behaviour_departures_name_real_members_with_reasons():
    for (key, name), reason in BEHAVIOUR_DEPARTURES.items():
        assert name in SNAPSHOT["classes"][key]["members"], (key, name)
        assert len(reason) > 20
    for (key, name), reason in ENV_DEPARTURES.items():
        assert name in SNAPSHOT["classes"][key]["env_vars"]
        assert len(reason) > 20


def test_departures_are_documented():
    doc = (Path(__file__).parents[2] / "docs" / "parsons_compatibility.md").read_text()
    for key, name in [*DEPARTURES, *BEHAVIOUR_DEPARTURES, *ATTRIBUTE_DEPARTURES]:
        assert f"`{key}.{name}`" in doc, (key, name)
    for _key, name in ENV_DEPARTURES:
        assert f"`{name}`" in doc


def test_checker_catches_the_mismatches_it_is_for():
    """The comparison itself: each kind of incompatible signature is reported."""

    def sig(func):
        return list(inspect.signature(func).parameters.values())

    parsons = [
        {"name": "a", "kind": "POSITIONAL_OR_KEYWORD"},
        {"name": "b", "kind": "POSITIONAL_OR_KEYWORD", "default": "None"},
        {"name": "c", "kind": "KEYWORD_ONLY", "default": "'x'"},
        {"name": "kw", "kind": "VAR_KEYWORD"},
    ]

    def same(a, b=None, *, c="x", d=1, **kw): ...
    def renamed(a, bee=None, *, c="x", **kw): ...
    def redefault(a, b=0, *, c="y", **kw): ...
    def narrowed(a, *, b=None, c="x"): ...
    def widened(a, b=None, extra=2, *, c="x", need, **kw): ...

    assert parameter_mismatches(parsons, sig(same)) == []
    assert parameter_mismatches(parsons, sig(renamed)) == [
        "position 2: b in Parsons, bee in turnout"
    ]
    assert parameter_mismatches(parsons, sig(redefault)) == [
        "b: default None in Parsons, 0 in turnout",
        "c: default 'x' in Parsons, 'y' in turnout",
    ]
    assert parameter_mismatches(parsons, sig(narrowed)) == [
        "b: positional in Parsons, keyword-only in turnout",
        "**kwargs: accepted by Parsons, not by turnout",
    ]
    signature = inspect.signature
    assert binding_mismatches(parsons, signature(same)) == []
    assert binding_mismatches(parsons, signature(widened))[0].startswith("call(")
    assert binding_mismatches(parsons, signature(renamed)) == [
        "call('<a>', '<b>', ('c', '<c>'), ('zz_extra', '<**kwargs>')) gives bee='<b>'",
        "call(('a', '<a>'), ('b', '<b>'), ('c', '<c>'), ('zz_extra', '<**kwargs>')) gives "
        "kw={'b': '<b>', 'zz_extra': '<**kwargs>'}",
    ]
    assert parameter_mismatches(parsons, sig(widened)) == [
        "extra: added positionally in turnout; make it keyword-only",
        "need: required keyword in turnout, unknown to Parsons",
    ]


def test_action_network_keeps_parsons_headers_attribute():
    from turnout import ActionNetwork

    an = ActionNetwork(api_token="compat-token", api_url="http://127.0.0.1:9/api/v2")
    assert an.headers == {"Content-Type": "application/json", "OSDI-API-Token": "compat-token"}
    assert "compat-token" not in repr(an)


def test_table_keeps_parsons_source_and_name_labels():
    from turnout import Table

    labelled = Table([{"a": 1}], "mobilize", "people")
    assert (labelled.source, labelled.name) == ("mobilize", "people")
    assert (Table().source, Table().name) == (None, None)


def test_api_connector_takes_parsons_raise_on_error_and_requests_kwargs():
    from tests.http.conftest import HTTPTestApp
    from turnout.emulators.base import EmulatorServer
    from turnout.errors import NotFoundError
    from turnout.http import APIConnector, RetryPolicy

    with EmulatorServer(HTTPTestApp()) as server:
        client = APIConnector(server.url, retry=RetryPolicy(attempts=1), timeout=(1.0, 2.0))
        assert client.post_request("status/404", raise_on_error=False) is None
        with pytest.raises(NotFoundError):
            client.post_request("status/404")
        with pytest.raises(NotFoundError):  # as in Parsons: a GET error raises either way
            client.get_request("status/404", raise_on_error=False)
        echoed = client.get_request("echo", auth=("user", "pw"))
        assert echoed["authorization"] == "Basic dXNlcjpwdw=="
        assert client.put_request("echo", json={"b": 2}, allow_redirects=False)["json"] == {"b": 2}
        response = client.request("echo", "GET", auth=("user", "pw"))
        assert response.json()["authorization"] == "Basic dXNlcjpwdw=="
        client.close()


def test_bigquery_client_options_none_means_parsons_scopes():
    import google.auth.credentials

    from turnout import GoogleBigQuery

    creds = google.auth.credentials.AnonymousCredentials()
    bq = GoogleBigQuery(app_creds=creds, project="compat-project", client_options=None)
    assert bq.app_creds is creds
    assert bq.client_options == {
        "scopes": [
            "https://www.googleapis.com/auth/drive",
            "https://www.googleapis.com/auth/bigquery",
            "https://www.googleapis.com/auth/cloud-platform",
        ]
    }
    custom = GoogleBigQuery(app_creds=creds, project="p", client_options={"api_endpoint": "x"})
    assert custom.client_options == {"api_endpoint": "x"}
