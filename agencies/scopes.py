"""The data scopes an MoU can grant. Defined here; the inquiries app enforces them."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    COVERAGE_FLAG = "coverage_flag", _("Insured now (yes/no)")
    COVERAGE_SUMMARY = "coverage_summary", _("Current coverage kind and start, total insured days")
    COVERAGE_HISTORY = "coverage_history", _("All coverage periods with workshops")
    PENSION_FLAG = "pension_flag", _("Pensioner (yes/no)")
    PENSION_DETAIL = "pension_detail", _("Pension detail: main/dependent, kind, since, status")


def validate_scopes(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Scopes must be a list of names."), code="invalid_scopes")
    unknown = sorted(set(value) - set(Scope.values))
    if unknown:
        raise ValidationError(
            _("Unknown scopes: %(scopes)s."), code="unknown_scope", params={"scopes": unknown}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A scope is listed twice."), code="duplicate_scope")


def scope_labels(values: list[str]) -> list[str]:
    """The scopes' labels in the canonical order, for pages and messages."""
    return [str(scope.label) for scope in Scope if scope.value in values]


class ScopeListField(models.JSONField):
    """A list of `Scope` values, stored as JSON so it works on SQLite and PostgreSQL alike."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        validate_scopes(value)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is list:
            del kwargs["default"]
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": Scope.choices,
            "widget": forms.CheckboxSelectMultiple,
            "label": self.verbose_name,
            "required": not self.blank,
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        defaults.pop("encoder", None)
        defaults.pop("decoder", None)
        return form_class(**defaults)

    def to_python(self, value: Any) -> Any:
        if value is None:
            return []
        # Keep the canonical order whatever order the form sent.
        if isinstance(value, list | tuple):
            return [scope for scope in Scope.values if scope in value] + [
                item for item in value if item not in Scope.values
            ]
        return value
