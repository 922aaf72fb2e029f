"""Compile the project's .po catalogues to .mo with polib, so setup needs no GNU gettext."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files (pure Python, no msgfmt needed)."

    def handle(self, *args, **options) -> None:
        catalogues = sorted(
            po
            for locale_path in settings.LOCALE_PATHS
            for po in Path(locale_path).glob("*/LC_MESSAGES/*.po")
        )
        if not catalogues:
            raise CommandError("No .po files found under LOCALE_PATHS.")
        for po_path in catalogues:
            catalogue = polib.pofile(str(po_path))
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(
                f"{po_path.relative_to(settings.BASE_DIR)}: "
                f"{len(catalogue.translated_entries())} translated, "
                f"{len(catalogue.untranslated_entries())} untranslated, "
                f"{len(catalogue.fuzzy_entries())} fuzzy"
            )
