from django.core.management.base import BaseCommand

from inquiries import transparency


class Command(BaseCommand):
    help = (
        "Run the transparency log's sequencer once, as beat does every "
        "TRANSPARENCY_SEAL_SECONDS: seal committed disclosures and sign a checkpoint."
    )

    def handle(self, *args, **options) -> None:
        result = transparency.seal()
        size = result.checkpoint.tree_size if result.checkpoint else None
        self.stdout.write(
            f"{result.sealed} disclosures sealed; "
            + (f"checkpoint of size {size} signed." if size else "no new checkpoint.")
        )
