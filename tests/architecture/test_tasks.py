"""The project's Celery tasks, read with `ast`: each carries its name explicitly, and a `tasks`
module is imported only to send a task.

A queued message and a beat entry name a task by a string; an explicit `name=` keeps that string
when the code moves (docs/architecture.md). A module that imports a `tasks` module for anything
but sending would be the services <-> tasks circle again, one call away.
"""

import ast
from pathlib import Path

import pytest

from tests.architecture.test_imports import project_modules

# What sending a task looks like: `task.delay(...)`, `task.apply_async(...)`, a signature.
SENDS = {"delay", "apply_async", "s", "si", "signature"}


def _is_task_decorator(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name == "shared_task" or (isinstance(target, ast.Attribute) and name == "task")


def unnamed_tasks(name: str, source: str) -> list[str]:
    """The tasks of module `name` without the explicit `name="<app>.tasks.<function>"` they
    need."""
    app = name.split(".")[0]
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            if not _is_task_decorator(decorator):
                continue
            keywords = decorator.keywords if isinstance(decorator, ast.Call) else []
            names = [k.value for k in keywords if k.arg == "name"]
            expected = f"{app}.tasks.{node.name}"
            if not (len(names) == 1 and isinstance(names[0], ast.Constant)):
                problems.append(f"{name}.{node.name} has no explicit name")
            elif names[0].value != expected:
                problems.append(f"{name}.{node.name} is named {names[0].value!r}")
    return problems


def package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _resolve(package: str, node: ast.ImportFrom) -> str:
    base = node.module or ""
    if node.level:
        anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        base = f"{anchor}.{base}" if base else anchor
    return base


def non_sending_uses_of_tasks(name: str, source: str, package: str) -> list[str]:
    """Where module `name` (in `package`) uses a `tasks` module, or a task imported from one,
    other than to send a task."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    modules: set[str] = set()  # local names bound to a tasks module
    tasks: set[str] = set()  # local names bound to something imported from a tasks module
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = _resolve(package, node)
            for alias in node.names:
                local = alias.asname or alias.name
                if base.endswith(".tasks") or base == "tasks":
                    tasks.add(local)
                elif alias.name == "tasks":
                    modules.add(local)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.endswith(".tasks"):
                    if alias.asname:
                        modules.add(alias.asname)
                    else:
                        problems.append(f"{name}:{node.lineno} imports {alias.name} by its path")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
            continue
        used = parents.get(node)
        if node.id in modules and isinstance(used, ast.Attribute):
            used = parents.get(used)
        elif node.id not in tasks:
            continue
        if not (isinstance(used, ast.Attribute) and used.attr in SENDS):
            problems.append(f"{name}:{node.lineno} uses {node.id} other than to send a task")
    return problems


def test_every_task_is_named_explicitly_by_the_name_queued_messages_use():
    problems = [
        problem
        for name, path in project_modules().items()
        for problem in unnamed_tasks(name, path.read_text())
    ]
    assert problems == []


def test_a_tasks_module_is_imported_only_to_send_a_task():
    problems = [
        problem
        for name, path in project_modules().items()
        if not name.endswith(".tasks")  # the app's tasks module gathers its own tasks
        for problem in non_sending_uses_of_tasks(name, path.read_text(), package_of(name, path))
    ]
    assert problems == []


UNNAMED = "portal.tasks.ping has no explicit name"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("@shared_task\ndef ping():\n    pass\n", [UNNAMED]),
        ("@shared_task(expires=5)\ndef ping():\n    pass\n", [UNNAMED]),
        (
            "@shared_task(name='portal.ping')\ndef ping():\n    pass\n",
            ["portal.tasks.ping is named 'portal.ping'"],
        ),
        ("@shared_task(name='portal.tasks.ping')\ndef ping():\n    pass\n", []),
        ("@app.task(name='portal.tasks.ping')\ndef ping():\n    pass\n", []),
    ],
)
def test_the_name_check_catches_a_task_without_its_explicit_name(source, expected):
    assert unnamed_tasks("portal.tasks", source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from documents import tasks\ntasks.render_certificate.delay(1)\n", 0),
        ("from documents.tasks import render_certificate\nf(render_certificate.delay)\n", 0),
        ("from documents import tasks\ntasks.render_certificate(1)\n", 1),
        ("from documents.tasks import render_certificate\nrender_certificate(1)\n", 1),
        ("from . import tasks\nx = tasks.TRANSIENT_ERRORS\n", 1),
        ("import documents.tasks\n", 1),
    ],
)
def test_the_sending_check_catches_any_other_use_of_a_tasks_module(source, expected):
    assert len(non_sending_uses_of_tasks("documents.services", source, "documents")) == expected
