"""Makes the docs/screenshots gallery from the pictures the journey tests took.

    python scripts/screenshot_gallery.py PICTURES_DIR docs/screenshots

PICTURES_DIR is what the journeys wrote with PORTAL_SCREENSHOTS_DIR set: <journey>/<device>/ with
numbered PNGs and a steps.json naming them. The PNGs are copied (made smaller with pngquant, or
optipng, where installed) and README.md is written: the steps grouped by role, each with its
caption in English and the step's name in Persian, Persian phone and English desktop side by side.
Standard library only, so it runs with any Python 3.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROLES = {
    "citizen": "Citizens",
    "agency": "An agency's applicant and admin",
    "committee": "The data-protection committee (admin)",
    "operator": "IT operators (admin)",
    "staff": "Agency staff (government agencies panel)",
}
DEVICES = {
    "fa-phone": ("Persian, phone (390 px)", 240),
    "en-desktop": ("English, desktop (1366 px)", 480),
}
JOURNEYS = {
    "citizen": "the citizen's journey",
    "agency": "the agency's journey",
    "agency_system": "the journey of an agency's own system (API)",
}


def shrink(png: Path) -> None:
    """Fewer colours (pngquant) or a better compression (optipng); the picture as it was if
    neither tool is installed."""
    if pngquant := shutil.which("pngquant"):
        command = [pngquant, "--force", "--skip-if-larger", "--strip", "--quality=60-90"]
        command += ["--speed=1", "--output", str(png), str(png)]
    elif optipng := shutil.which("optipng"):
        command = [optipng, "-quiet", "-o2", "-strip", "all", str(png)]
    else:
        print(f"neither pngquant nor optipng is installed: {png.name} is kept as taken")
        return
    # Our own file names; pngquant exits 98 or 99 when it keeps the original (already small).
    subprocess.run(command, check=False)  # noqa: S603


def collect(pictures: Path, gallery: Path) -> list[dict]:
    """Copy every journey's pictures into the gallery; the steps, each with its file per device."""
    steps: dict[tuple[str, str, str], dict] = {}
    for manifest in sorted(pictures.glob("*/*/steps.json")):
        journey, device = manifest.parent.parent.name, manifest.parent.name
        target = gallery / journey / device
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for order, step in enumerate(json.loads(manifest.read_text(encoding="utf-8"))["steps"]):
            shutil.copyfile(manifest.parent / step["file"], target / step["file"])
            shrink(target / step["file"])
            name = step["file"].split("-", 1)[1]
            entry = steps.setdefault(
                (journey, step["role"], name),
                {**step, "journey": journey, "order": order, "files": {}},
            )
            entry["files"][device] = f"{journey}/{device}/{step['file']}"
    return sorted(
        steps.values(),
        key=lambda step: (step["journey"] != "citizen", step["journey"], step["order"]),
    )


def write_readme(steps: list[dict], gallery: Path) -> None:
    devices = [device for device in DEVICES if any(device in step["files"] for step in steps)]
    lines = [
        "# See the portal before running it",
        "",
        "Every picture here was taken by the journey tests in `tests/e2e/journeys/`: real",
        "Chromium, each role from nothing to its main task by clicking what a person would click.",
        "`scripts/screenshots.sh` takes them again; do not edit this page by hand.",
        "",
    ]
    for role, title in ROLES.items():
        mine = [step for step in steps if step["role"] == role]
        if not mine:
            continue
        lines += [
            f"## {title}",
            "",
            "| Step | " + " | ".join(DEVICES[d][0] for d in devices) + " |",
        ]
        lines.append("|---" * (len(devices) + 1) + "|")
        for step in mine:
            journey = JOURNEYS.get(step["journey"], step["journey"])
            cells = [f"{step['caption']}<br>*{step['persian']}*<br><sub>{journey}</sub>"]
            for device in devices:
                file = step["files"].get(device)
                width = DEVICES[device][1]
                image = f'<img src="{file}" width="{width}" alt="{step["caption"]}">'
                cells.append(f'<a href="{file}">{image}</a>' if file else "—")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    (gallery / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    pictures, gallery = Path(sys.argv[1]), Path(sys.argv[2])
    gallery.mkdir(parents=True, exist_ok=True)
    steps = collect(pictures, gallery)
    if not steps:
        sys.exit(f"no steps.json under {pictures}: did the journeys run?")
    write_readme(steps, gallery)
    total = sum(png.stat().st_size for png in gallery.rglob("*.png"))
    print(f"{len(steps)} steps, {total / 1_000_000:.1f} MB of pictures in {gallery}")


if __name__ == "__main__":
    main()
