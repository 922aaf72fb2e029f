from django.core.management.base import BaseCommand, CommandError

from inquiries.disclosures import verify_chain


class Command(BaseCommand):
    help = "Walk the disclosure log's hash chain and name the first record that does not match."

    def handle(self, *args, **options) -> None:
        checked, chain_break = verify_chain()
        if chain_break is not None:
            where = (
                f"record {chain_break.record_id}" if chain_break.record_id else "the chain's end"
            )
            raise CommandError(
                f"The disclosure log has been tampered with at {where}: {chain_break.problem}. "
                f"{checked} records before it are intact."
            )
        self.stdout.write(f"The disclosure log is intact: {checked} records checked.")
