"""How the public verify page and the QR token show a holder: enough to match a face, no more."""


def mask_name(name: str) -> str:
    """'Sara Ahmadi' -> 'S… A…': the first letter of each part."""
    return " ".join(f"{part[0]}…" for part in name.split() if part)


def mask_national_code(code: str) -> str:
    """'0010000011' -> '•••••••011'."""
    return "•" * max(len(code) - 3, 0) + code[-3:] if code else ""
