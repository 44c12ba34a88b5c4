"""pyproject.toml and environment.yml must list the same dependencies with the same ranges."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _normalise(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", req)
    assert m, f"cannot parse requirement {req!r}"
    name = re.sub(r"[-_.]+", "-", m.group(1).split("[")[0]).lower()
    spec = ",".join(sorted(s.strip() for s in m.group(2).replace(" ", "").split(",") if s.strip()))
    return name, spec


def pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = data["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs.extend(extra)
    reqs.append("python" + project["requires-python"])
    return dict(_normalise(r) for r in reqs)


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and dep != "pip":
            name, spec = _normalise(dep)
            out[name] = spec
        elif isinstance(dep, dict):  # the `pip:` list: PyPI-only packages (the project itself is `-e .`)
            for req in dep.get("pip", []):
                if not req.startswith("-"):
                    name, spec = _normalise(req)
                    out[name] = spec
    return out


def test_environment_and_pyproject_agree():
    py = pyproject_requirements()
    env = environment_requirements()
    only_py = sorted(set(py) - set(env))
    only_env = sorted(set(env) - set(py))
    assert not only_py, f"in pyproject.toml but not environment.yml: {only_py}"
    assert not only_env, f"in environment.yml but not pyproject.toml: {only_env}"
    differ = {n: (py[n], env[n]) for n in py if py[n] != env[n]}
    assert not differ, f"version ranges differ (pyproject, environment.yml): {differ}"


def test_drift_is_detected():
    """The comparison itself must notice a changed range (guards against a vacuous test)."""
    assert _normalise("pandas>=2.2,<4") != _normalise("pandas>=2.2,<3")
    assert _normalise("Pandas >= 2.2, <4") == _normalise("pandas>=2.2,<4")


def test_ranges_are_compatible_not_pinned():
    for name, spec in pyproject_requirements().items():
        assert "==" not in spec, f"{name} is pinned ({spec}); use a compatible range"
        assert spec, f"{name} has no version range"


def test_layout_and_entry_points():
    for path in ["courses", "datasets", "helpers", "grading", "tests", "environment.yml", "README.md",
                 "pyproject.toml", "Makefile", ".ci/run"]:
        assert (ROOT / path).exists(), f"missing {path}"
    makefile = (ROOT / "Makefile").read_text()
    for target in ["lab", "test", "data", "release", "autograde", "feedback", "grades", "bench", "lint"]:
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile has no '{target}' target"
    assert "make test" in (ROOT / ".ci/run").read_text()
    readme = (ROOT / "README.md").read_text()
    for phrase in ["make lab", "make test", "make autograde", "make grades", "make release"]:
        assert phrase in readme, f"README.md does not mention {phrase}"
