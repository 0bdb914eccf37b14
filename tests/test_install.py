"""The package installs like any other: a wheel built from the repository, installed without ``-e``
into a fresh virtual environment, has every module and every command; and what the notebooks and
the package import is declared in ``pyproject.toml``.

The fresh environment gets the wheel only (``--no-deps --no-index``: nothing is downloaded); its
dependencies come from this environment's site-packages through a ``.pth`` line, which puts that
folder on ``sys.path`` without running its own ``.pth`` files - so the editable install of the
working tree stays out, and what is imported is the wheel's copy.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string ('pydicom>=3,<4' -> 'pydicom')."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0]).lower()


def _top_level_imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _notebook_imports() -> dict[str, set[str]]:
    found = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join(
            line for cell in cells if cell["cell_type"] == "code"
            for line in "".join(cell["source"]).splitlines()
            if not line.lstrip().startswith(("!", "%")))
        found[path.name] = _top_level_imports(code)
    return found


def _undeclared(modules: set[str], declared: set[str]) -> set[str]:
    """Top-level modules that come from a distribution not in ``declared``."""
    distributions = packages_distributions()
    missing = set()
    for module in modules:
        if module in sys.stdlib_module_names or module in ("workshop_helpers", "__future__"):
            continue
        names = {_name(d) for d in distributions.get(module, [])}
        if not names:
            missing.add(f"{module} (not installed here)")
        elif not names & declared:
            missing.add(f"{module} (from {', '.join(sorted(names))})")
    return missing


def test_every_module_a_notebook_imports_is_a_declared_runtime_dependency():
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    problems = {name: sorted(_undeclared(modules, declared))
                for name, modules in _notebook_imports().items()}
    assert {name: p for name, p in problems.items() if p} == {}


def test_every_module_the_package_imports_is_declared():
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    problems = {}
    for path in sorted((ROOT / "workshop_helpers").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if missing := _undeclared(_top_level_imports(path.read_text()), declared):
            problems[module] = sorted(missing)
    assert problems == {}


def test_the_course_tooling_imports_only_what_the_package_and_its_publish_extra_declare():
    extras = PYPROJECT["project"]["optional-dependencies"]
    allowed = {_name(r) for r in PYPROJECT["project"]["dependencies"] + extras["publish"]}
    problems = {}
    for path in sorted((ROOT / "tooling").rglob("*.py")):
        modules = _top_level_imports(path.read_text()) - {"tooling"}
        if missing := _undeclared(modules, allowed):
            problems[path.name] = sorted(missing)
    assert problems == {}


def test_the_undeclared_check_finds_a_module_that_is_not_declared():
    assert _undeclared({"numpy", "json"}, {"pydicom"}) == {"numpy (from numpy)"}
    assert _undeclared({"numpy", "json"}, {"numpy"}) == set()


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment with the wheel built from a copy of the repository."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, source / name)
    for folder in ("workshop_helpers", "tooling"):  # tooling/ sits beside it, left out of the wheel
        shutil.copytree(ROOT / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheels = work / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    built = subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "-w", str(wheels), str(source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("workshop_helpers-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run([*pip, "--python", str(python), "install", "--no-deps", "--no-index",
                           str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "zz_course_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return type("Installed", (), {"python": python, "bin": venv / "bin", "site": Path(site),
                                  "cwd": work, "env": env, "wheel": wheel})


def _run(installed, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=installed.cwd, env=installed.env,
                          capture_output=True, text=True, timeout=120)


def test_the_wheel_holds_every_package_of_the_source_tree(installed):
    packages = {p.parent.relative_to(ROOT).as_posix()
                for p in (ROOT / "workshop_helpers").rglob("__init__.py")}
    present = {p.parent.relative_to(installed.site).as_posix()
               for p in (installed.site / "workshop_helpers").rglob("__init__.py")}
    assert packages and packages == present


def test_the_wheel_holds_no_course_tooling(installed):
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert any(n.startswith("workshop_helpers/net/") for n in names)
    assert [n for n in names if n.startswith("tooling/") or re.search(
        r"(^|/)(authoring|publish|site_pages|ohif_build)\.py$", n)] == []
    viewer = (installed.site / "workshop_helpers" / "ohif.py").read_text()
    assert "def link(" in viewer
    assert not re.search(r"^def (build|asset|app_config|spa_routes|patch_\w+|main)\(", viewer,
                         re.MULTILINE), "the OHIF Viewer's build is tooling, not the package"


def test_every_module_imports_from_the_installed_wheel(installed):
    script = """
import importlib, pkgutil, sys, workshop_helpers
assert workshop_helpers.__file__.startswith(sys.prefix), workshop_helpers.__file__
names = [m.name for m in pkgutil.walk_packages(workshop_helpers.__path__, 'workshop_helpers.')]
for name in names:
    importlib.import_module(name)
print(len(names))
"""
    done = _run(installed, installed.python, "-c", script)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 25


def test_every_command_of_the_installed_package_has_its_help(installed):
    done = _run(installed, installed.python, "-m", "workshop_helpers", "--help")
    assert done.returncode == 0, done.stderr
    listed = done.stdout.split("positional arguments:", 1)[1].split("options:", 1)[0]
    commands = re.findall(r"^    (\w+)\b", listed, flags=re.MULTILINE)
    assert {"dump", "storescp", "storescu", "echoscu"} <= set(commands)
    for command in commands:
        answer = _run(installed, installed.python, "-m", "workshop_helpers", command, "--help")
        assert answer.returncode == 0 and "usage:" in answer.stdout, (command, answer.stderr)
    script = _run(installed, installed.bin / "workshop-helpers", "--help")
    assert script.returncode == 0 and "usage:" in script.stdout, script.stderr
