"""The project's imports, read with `ast`: apps depend one way, and no modules import each other.

The documented order (docs/architecture.md) is portal <- accounts <- agencies <- inquiries <-
documents, with isinsured and then the agencies' API (api) on top: a module may import its own
app and the apps before it. The root URLconf and the settings mount every app and are the
exceptions.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["portal", "accounts", "agencies", "inquiries", "documents", "isinsured", "api"]
MOUNTS_EVERY_APP = {"portal.urls", "portal.settings"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for app in LAYERS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports, at any depth of the file (function-level too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from package import module` imports the module; `from module import name`,
            # the module.
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(name, path, set(modules)) for name, path in modules.items()}


def layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def layering_violations(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module not in MOUNTS_EVERY_APP
        for target in targets
        if layer(target) > layer(module)
    )


def selectors_importing_services(graph: dict[str, set[str]]) -> list[str]:
    """Reads never reach for the actions: a selector that imported a service would tie every
    view that reads to everything that writes."""
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if "selectors" in module.split(".")
        for target in targets
        if "services" in target.split(".")
    )


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = lowlink[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph.get(module, ()):
            if target not in index:
                visit(target)
                lowlink[module] = min(lowlink[module], lowlink[target])
            elif target in on_stack:
                lowlink[module] = min(lowlink[module], index[target])
        if lowlink[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_apps_import_only_themselves_and_the_apps_before_them():
    assert layering_violations(import_graph()) == []


def test_every_app_of_the_project_has_its_place_in_the_order(settings):
    ours = {app.split(".")[0] for app in settings.INSTALLED_APPS}
    assert {app for app in ours if (ROOT / app).is_dir()} == set(LAYERS)


def test_selectors_never_import_services():
    assert selectors_importing_services(import_graph()) == []


def test_no_modules_import_each_other():
    assert import_cycles(import_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"accounts.models": {"agencies.models"}, "agencies.models": set()}, 1),
        ({"agencies.models": {"accounts.models"}, "accounts.models": set()}, 0),
        ({"portal.urls": {"documents.views"}, "documents.views": set()}, 0),
    ],
)
def test_the_layering_check_catches_an_import_from_a_later_app(graph, expected):
    assert len(layering_violations(graph)) == expected


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"agencies.selectors": {"agencies.services.staff"}}, 1),
        ({"agencies.selectors": {"accounts.services"}}, 1),
        ({"agencies.selectors": {"agencies.models"}}, 0),
        ({"agencies.services.staff": {"agencies.selectors"}}, 0),
    ],
)
def test_the_selectors_check_catches_a_selector_importing_a_service(graph, expected):
    assert len(selectors_importing_services(graph)) == expected


def test_the_cycle_check_catches_a_circle_through_function_level_imports(tmp_path):
    source = "def send():\n    from agencies import tasks\n"
    path = tmp_path / "services.py"
    path.write_text(source)
    known = {"agencies.services", "agencies.tasks", "agencies"}
    graph = {
        "agencies.services": imports_of("agencies.services", path, known),
        "agencies.tasks": {"agencies.services"},
    }
    assert import_cycles(graph) == [["agencies.services", "agencies.tasks"]]
