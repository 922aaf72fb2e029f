"""Every task the portal sends leaves only after its transaction commits (a grep, by syntax)."""

import ast
from pathlib import Path

from django.conf import settings

SENDING = {"delay", "apply_async", "send_task"}
# Sent outside any transaction, about rows committed long before.
ALLOWED = {
    # Housekeeping re-sends renders of certificates that waited longer than the stale limit
    # (the task hands its sender to documents.housekeeping).
    ("documents/tasks.py", "expire_documents"),
    ("documents/management/commands/expire_documents.py", "handle"),
    # Housekeeping re-sends notices, invitations and operators' emails no task ever claimed.
    ("agencies/outbox.py", "resend_unsent_messages"),
}
APP_DIRECTORIES = ["portal", "accounts", "agencies", "inquiries", "documents", "isinsured"]


def _sending_calls(tree: ast.AST):
    """(send, names of the functions around it, innermost last, lambdas as "<lambda>")."""

    def walk(node: ast.AST, scope: list[ast.AST]):
        for child in ast.iter_child_nodes(node):
            inner = [*scope, child] if isinstance(child, ast.FunctionDef | ast.Lambda) else scope
            # `task.delay(...)`, and `task.delay` handed to a function that will call it.
            if isinstance(child, ast.Attribute) and child.attr in SENDING:
                yield child, scope
            yield from walk(child, inner)

    yield from walk(tree, [])


def _on_commit_arguments(tree: ast.AST) -> tuple[set[int], set[str]]:
    """The lambdas passed to on_commit (by id) and the names of functions passed to it."""
    lambdas, names = set(), set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "on_commit"
            and node.args
        ):
            callback = node.args[0]
            if isinstance(callback, ast.Lambda):
                lambdas.add(id(callback))
            elif isinstance(callback, ast.Name):
                names.add(callback.id)
    return lambdas, names


def _offenders() -> tuple[list[str], int]:
    offenders, checked = [], 0
    for directory in APP_DIRECTORIES:
        for path in sorted((Path(settings.BASE_DIR) / directory).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = str(path.relative_to(settings.BASE_DIR))
            tree = ast.parse(path.read_text(encoding="utf-8"))
            lambdas, names = _on_commit_arguments(tree)
            for call, scope in _sending_calls(tree):
                checked += 1
                innermost = scope[-1] if scope else None
                if isinstance(innermost, ast.Lambda) and id(innermost) in lambdas:
                    continue
                if isinstance(innermost, ast.FunctionDef) and innermost.name in names:
                    continue
                outer = next(
                    (node.name for node in reversed(scope) if isinstance(node, ast.FunctionDef)),
                    "<module>",
                )
                if (relative, outer) not in ALLOWED:
                    offenders.append(f"{relative}:{call.lineno} in {outer}()")
    return offenders, checked


def test_every_task_is_sent_on_commit():
    offenders, checked = _offenders()
    assert checked >= 7  # the scan does find the portal's sends
    assert offenders == []


def test_the_scan_catches_a_send_inside_a_transaction():
    tree = ast.parse(
        "from django.db import transaction\n"
        "def issue(pk):\n"
        "    with transaction.atomic():\n"
        "        tasks.render.delay(pk)\n"
        "    transaction.on_commit(lambda: tasks.render.delay(pk))\n"
    )
    lambdas, _names = _on_commit_arguments(tree)
    scopes = [scope[-1] for _call, scope in _sending_calls(tree)]
    assert [isinstance(scope, ast.Lambda) and id(scope) in lambdas for scope in scopes] == [
        False,
        True,
    ]
