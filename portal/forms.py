"""How every Django form in the portal is drawn: Bootstrap classes and accessible errors.

`FORM_RENDERER` points at `BootstrapFormRenderer`, so `{{ form }}` (and allauth's forms, through
the overridden `allauth/elements/fields.html`) use `templates/portal/forms/`. Forms and views
stay free of presentation: no widget `class` attributes are needed anywhere.
"""

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

_CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


def widget_css_class(widget: forms.Widget) -> str:
    """The Bootstrap class for a widget's input(s)."""
    if widget.is_hidden:
        return ""
    if isinstance(widget, _CHECK_WIDGETS):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


def _input_type(widget: forms.Widget) -> str:
    # allauth draws its e-mail fields as TextInput with attrs={"type": "email"}.
    return str(widget.attrs.get("type") or getattr(widget, "input_type", ""))


class BootstrapBoundField(BoundField):
    """Adds the Bootstrap class, and `is-invalid` when the field has errors, to its widget.

    Django already sets `aria-invalid` and `aria-describedby` (help text and errors) here.
    """

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        # `attrs` win over widget.attrs when the widget merges them, so keep the widget's classes.
        classes = [widget.attrs.get("class", ""), attrs.get("class", ""), widget_css_class(widget)]
        if self.errors and not widget.is_hidden:
            classes.append("is-invalid")
        css = " ".join(dict.fromkeys(c for c in " ".join(classes).split() if c))
        if css:
            attrs["class"] = css
        # Addresses read left to right, also on a Persian page.
        if _input_type(widget) in {"email", "url"} and "dir" not in widget.attrs:
            attrs["dir"] = "ltr"
        # One-time codes (SMS, authenticator, recovery) are digits in this portal: the phone
        # shows its digit keyboard and offers the code it just received.
        if widget.attrs.get("autocomplete") == "one-time-code":
            attrs.setdefault("inputmode", "numeric")
            attrs.setdefault("dir", "ltr")
        # A placeholder that repeats the visible label is noise for screen readers (allauth's
        # password fields do this); False drops the attribute.
        if widget.attrs.get("placeholder") and widget.attrs["placeholder"] == str(self.label):
            attrs["placeholder"] = False
        return attrs


class BootstrapFormRenderer(TemplatesSetting):
    """Renders forms with the project's templates (so they can be overridden like any other)."""

    form_template_name = "portal/forms/form.html"
    field_template_name = "portal/forms/field.html"
    bound_field_class = BootstrapBoundField

    # Django's radio and checkbox lists put the widget's class on the wrapping <div>; these
    # draw each choice as a Bootstrap form-check instead.
    widget_templates = {
        "django/forms/widgets/radio.html": "portal/forms/widgets/check_list.html",
        "django/forms/widgets/checkbox_select.html": "portal/forms/widgets/check_list.html",
    }

    def get_template(self, template_name: str):
        return super().get_template(self.widget_templates.get(template_name, template_name))
