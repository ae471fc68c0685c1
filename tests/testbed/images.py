"""Names of the locally built Postfix images (tag = hash of the build script, the recipe and, for images built
from upstream source, the tarball: as images/build-image.sh and images/build-source-image.sh)."""
import hashlib
import pathlib
import re

IMAGES_DIR = pathlib.Path(__file__).resolve().parents[2] / "images"

# Short names used by tests -> recipe names in images/.
RECIPES = {
    "sid": "pf-sid",
    "sid-systemd": "pf-sid-systemd",
    "trixie": "pf-trixie",
    "bookworm": "pf-bookworm",
    "nodb311": "pf-sid-nodb311",
    "nodb38": "pf-sid-nodb38",
}
POSTFIX_SERIES = {"sid": "3.11", "sid-systemd": "3.11", "trixie": "3.10", "bookworm": "3.7",
                  "nodb311": "3.11", "nodb38": "3.8"}
# Images whose Postfix was built without Berkeley DB (-DNO_DB, upstream source).
NO_BDB = ("nodb311", "nodb38")


def image(short_name):
    """Full image name of a recipe, e.g. localhost/nbdb-pf-sid:1a2b3c4d5e6f."""
    recipe = RECIPES[short_name]
    conf = (IMAGES_DIR / (recipe + ".conf")).read_bytes()
    source = re.search(rb"^SOURCE=(\S+)", conf, re.M)
    script = "build-source-image.sh" if source else "build-image.sh"
    data = (IMAGES_DIR / script).read_bytes() + conf
    if source:
        data += (IMAGES_DIR / "vendor" / source.group(1).decode()).read_bytes()
    return "localhost/nbdb-%s:%s" % (recipe, hashlib.sha256(data).hexdigest()[:12])
