"""Snapshot Parsons 6.1.0's public API (names and signatures only) for the compat test.

Run by hand: `python tools/parsons_signatures.py`. It creates a throwaway venv under
`benchmarks/.work/` (git-ignored) next to the benchmark helper's Parsons venv, pip installs
`parsons==6.1.0` and the extras the compared connectors need (an extra that fails to install is
recorded in the snapshot, not hidden), imports each class in that venv and writes
`tests/compat/parsons_6_1_api.json`: for each class, each public method or property name with
its parameters (name, kind, repr of the default), plus the environment variable names the
class's module reads. No code or docstring is copied into the snapshot.

The benchmark venv (`benchmarks/parsons_env.py`) holds only the base install; this one is kept
apart so that installing extras never changes the versions the benchmarks measure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from parsons_env import PARSONS_VERSION, WORK  # noqa: E402

VENV = WORK / f"parsons-{PARSONS_VERSION}-api"
SNAPSHOT = ROOT / "tests" / "compat" / "parsons_6_1_api.json"

# Extras needed to import the compared connectors.
EXTRAS = ("google", "postgres", "redshift", "civis")

# Snapshot key -> (Parsons module, class name).
CLASSES: dict[str, tuple[str, str]] = {
    "Table": ("parsons", "Table"),
    "MobilizeAmerica": ("parsons", "MobilizeAmerica"),
    "GoogleSheets": ("parsons", "GoogleSheets"),
    "ActionNetwork": ("parsons", "ActionNetwork"),
    "Redshift": ("parsons", "Redshift"),
    "Postgres": ("parsons", "Postgres"),
    "GoogleBigQuery": ("parsons", "GoogleBigQuery"),
    "CivisClient": ("parsons", "CivisClient"),
    "APIConnector": ("parsons.utilities.api_connector", "APIConnector"),
}

# Runs inside the Parsons venv: introspects the classes and prints the JSON snapshot.
_CHILD = r'''
import ast, importlib, inspect, json, sys, textwrap, warnings
warnings.simplefilter("ignore")
classes = json.loads(sys.argv[1])

def params(func):
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        entry = {"name": p.name, "kind": p.kind.name}
        if p.default is not inspect.Parameter.empty:
            entry["default"] = repr(p.default)
        out.append(entry)
    return out

def member(cls, name):
    raw = inspect.getattr_static(cls, name)
    if isinstance(raw, property):
        return {"type": "property"}
    if isinstance(raw, staticmethod):
        return {"type": "staticmethod", "params": params(raw.__func__)}
    if isinstance(raw, classmethod):
        return {"type": "classmethod", "params": params(raw.__func__)}
    if inspect.isfunction(raw):
        return {"type": "method", "params": params(raw)}
    if callable(raw):
        return {"type": "callable", "params": params(getattr(cls, name))}
    return {"type": "attribute"}

def _google_default_env():
    try:
        from parsons.google.utilities import setup_google_application_credentials as setup
    except Exception:
        return None
    return inspect.signature(setup).parameters["env_var_name"].default

def _literal(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None

def env_vars(cls):
    """Names read as environment variables in the source of the class and its bases."""
    names = set()
    modules = {inspect.getmodule(base) for base in cls.__mro__ if base is not object}
    for module in modules:
        try:
            tree = ast.parse(inspect.getsource(module))
        except (OSError, TypeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = ast.unparse(node.func)
                first = _literal(node.args[0]) if node.args else None
                if first and (func.endswith("check_env.check") or func.endswith("environ.get")
                              or func.endswith("getenv")):
                    names.add(first)
                if func.endswith("setup_google_application_credentials"):
                    given = [_literal(a) for a in node.args[1:2]]
                    given += [_literal(k.value) for k in node.keywords if k.arg == "env_var_name"]
                    given = [g for g in given if g]
                    names.update(given or [_google_default_env()])
            if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("environ"):
                if _literal(node.slice):
                    names.add(_literal(node.slice))
            if isinstance(node, ast.Compare) and ast.unparse(node).endswith("in os.environ"):
                if _literal(node.left):
                    names.add(_literal(node.left))
    names.discard(None)
    return sorted(names)

def instance_attributes(cls):
    """Public `self.<name> = ...` assignments in the __init__ of the class and its bases."""
    names = set()
    for base in cls.__mro__:
        init = base.__dict__.get("__init__")
        if not inspect.isfunction(init):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
        except (OSError, TypeError):
            continue
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AnnAssign) else [])
            for target in targets:
                if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == "self" and not target.attr.startswith("_")):
                    names.add(target.attr)
    return sorted(names)

result = {}
for key, (module_name, class_name) in classes.items():
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except Exception as error:  # recorded in the snapshot, never hidden
        result[key] = {"import_error": f"{type(error).__name__}: {error}"}
        continue
    members = {}
    for name in sorted(dir(cls)):
        if name.startswith("_") and name != "__init__":
            continue
        members[name] = member(cls, name)
    defining = inspect.getmodule(cls)
    result[key] = {
        "parsons_path": f"{defining.__name__}.{cls.__qualname__}",
        "members": members,
        "env_vars": env_vars(cls),
        "instance_attributes": instance_attributes(cls),
    }
print(json.dumps(result))
'''


def say(text: str = "") -> None:
    """This script's output (a command-line tool, so plain stdout)."""
    sys.stdout.write(text + "\n")


def _pip(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", *args],
        capture_output=True,
        text=True,
    )


def ensure_venv() -> tuple[Path, dict[str, str]]:
    """Create the venv, install Parsons and each extra; return the python and extras status."""
    python = VENV / "bin" / "python"
    status_file = VENV / ".extras.json"
    if python.exists() and status_file.exists():
        return python, json.loads(status_file.read_text())
    WORK.mkdir(parents=True, exist_ok=True)
    say(f"creating {VENV} with parsons=={PARSONS_VERSION} ...")
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    base = _pip(python, f"parsons=={PARSONS_VERSION}")
    if base.returncode != 0:
        raise SystemExit(f"pip install parsons=={PARSONS_VERSION} failed:\n{base.stderr[-3000:]}")
    extras: dict[str, str] = {}
    for extra in EXTRAS:
        say(f"installing parsons[{extra}] ...")
        done = _pip(python, f"parsons[{extra}]=={PARSONS_VERSION}")
        if done.returncode == 0:
            extras[extra] = "installed"
        else:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            extras[extra] = f"failed: {last[:300]}"
            say(f"  parsons[{extra}] failed: {last}")
    status_file.write_text(json.dumps(extras))
    return python, extras


def snapshot(python: Path, extras: dict[str, str]) -> dict:
    """Introspect the classes inside the venv and return the snapshot document."""
    done = subprocess.run(
        [str(python), "-c", _CHILD, json.dumps(CLASSES)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"introspection failed:\n{done.stderr[-3000:]}")
    return {
        "parsons_version": PARSONS_VERSION,
        "generated_by": "tools/parsons_signatures.py",
        "extras": extras,
        "classes": json.loads(done.stdout),
    }


def print_gaps() -> None:
    """Every mismatch between turnout and the snapshot, per class, as Markdown (listed
    departures left out): what docs/parsons_compatibility.md's "Not yet compatible" holds."""
    sys.path.insert(0, str(ROOT))
    from tests.compat import test_parsons_api as compat

    for key in sorted(compat.TURNOUT_CLASSES):
        members = compat.SNAPSHOT["classes"][key]["members"]
        found = {}
        for name in members:
            problems = compat.member_mismatches(key, name)
            if problems and tuple(problems) != compat.DEPARTURES.get((key, name), ((),))[0]:
                found[name] = problems
        env = compat.env_mismatches(key)
        attributes = compat.attribute_mismatches(key)
        if not (found or env or attributes):
            continue
        missing = sorted(
            name for name, problems in found.items() if problems == ["missing in turnout"]
        )
        say(f"\n### {key}\n")
        if missing:
            say(f"Missing methods ({len(missing)}): " + ", ".join(f"`{m}`" for m in missing))
            say()
        for name, problems in found.items():
            if name not in missing:
                say(f"- `{name}`: " + "; ".join(problems))
        for name in env:
            say(f"- environment variable `{name}` is not read")
        if attributes:
            say("- attributes not set: " + ", ".join(f"`{name}`" for name in attributes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=SNAPSHOT)
    parser.add_argument(
        "--gaps", action="store_true", help="print turnout's mismatches; write nothing"
    )
    args = parser.parse_args()
    if args.gaps:
        print_gaps()
        return
    python, extras = ensure_venv()
    document = snapshot(python, extras)
    args.output.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    for key, entry in document["classes"].items():
        if "import_error" in entry:
            say(f"{key}: import failed: {entry['import_error']}")
        else:
            say(f"{key}: {len(entry['members'])} public members")
    say(f"wrote {args.output}")


if __name__ == "__main__":
    main()
