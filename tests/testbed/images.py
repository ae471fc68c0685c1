"""Names of the locally built Postfix images (tag = hash of the recipe, as images/build-image.sh)."""
import hashlib
import pathlib

IMAGES_DIR = pathlib.Path(__file__).resolve().parents[2] / "images"

# Short names used by tests -> recipe names in images/.
RECIPES = {
    "sid": "pf-sid",
    "sid-systemd": "pf-sid-systemd",
    "trixie": "pf-trixie",
    "bookworm": "pf-bookworm",
}
POSTFIX_SERIES = {"sid": "3.11", "sid-systemd": "3.11", "trixie": "3.10", "bookworm": "3.7"}


def image(short_name):
    """Full image name of a recipe, e.g. localhost/nbdb-pf-sid:1a2b3c4d5e6f."""
    recipe = RECIPES[short_name]
    digest = hashlib.sha256(
        (IMAGES_DIR / "build-image.sh").read_bytes() + (IMAGES_DIR / (recipe + ".conf")).read_bytes()
    ).hexdigest()[:12]
    return "localhost/nbdb-%s:%s" % (recipe, digest)
