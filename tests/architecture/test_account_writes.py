"""Accounts are written by `accounts.services` alone: the other apps (an agency's staff list, the
isinsured migration, ...) open, correct and complete accounts through its actions, so the rules of
an account (its role, an unverified mobile, an unusable password, the completion gate) live in
one place. Read with `ast`, like the import rules beside this file."""

import ast

from tests.architecture.test_imports import LAYERS, ROOT

USER_MANAGER_WRITES = {
    "create",
    "create_user",
    "create_superuser",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
    "update",
    "delete",
}


def _starts_with_user_objects(node: ast.expr) -> bool:
    """`User.objects…`, however long the chain after it (`User.objects.filter(…).update`)."""
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Call):
            node = node.func
            continue
        if node.attr == "objects" and isinstance(node.value, ast.Name) and node.value.id == "User":
            return True
        node = node.value
    return False


def writes_an_account(call: ast.Call) -> bool:
    """A User made, a write through its manager, or a save of a variable named like a user."""
    function = call.func
    if isinstance(function, ast.Name):
        return function.id == "User"
    if not isinstance(function, ast.Attribute):
        return False
    if function.attr == "save":
        return isinstance(function.value, ast.Name) and function.value.id.endswith("user")
    return function.attr in USER_MANAGER_WRITES and _starts_with_user_objects(function.value)


def account_writes(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and writes_an_account(node)
    ]


def test_only_the_accounts_app_writes_accounts():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for app in LAYERS
        if app != "accounts"
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for line in account_writes(ast.parse(path.read_text(), str(path)))
    ]
    assert found == []


def test_the_rule_sees_each_kind_of_write():
    source = """
user = User(national_code="0010000011")
User.objects.create_user("0010000011")
User.objects.filter(pk=1).update(is_active=False)
staff_user.save(update_fields=["mobile"])
User.objects.filter(pk=1).exists()
membership.save()
"""
    assert account_writes(ast.parse(source)) == [2, 3, 4, 5]
