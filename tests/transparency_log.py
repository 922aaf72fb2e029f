"""A signing key and an archive of the test's own for the transparency log, and sealing."""

from pathlib import Path

from inquiries import transparency
from inquiries.notes import SignerKey


def fresh_log(settings, directory: Path, name: str = "portal.test/disclosures") -> SignerKey:
    key = SignerKey.generate(name)
    key_file = directory / f"transparency-{key.verifier.id:08x}.key"
    key_file.write_text(str(key) + "\n", encoding="utf-8")
    settings.TRANSPARENCY_SIGNING_KEY_FILE = str(key_file)
    settings.TRANSPARENCY_ARCHIVE_DIR = str(directory / "archive")
    settings.TRANSPARENCY_OLD_VERIFIER_KEYS = []
    settings.TRANSPARENCY_WITNESS_URLS = []
    return key


def seal_and_audit() -> transparency.Audit:
    """Run the sequencer, then the audit; the audit's problems are empty for an intact log."""
    transparency.seal()
    return transparency.audit()
