"""Great Expectations' Data Docs that work without the internet.

GE's pages load jQuery, Bootstrap, bootstrap-table, Font Awesome and Vega from CDNs, and without
them they render blank (the lists of validations are drawn by script). The same files come from the
npm registry: `make setup` fetches the packages below into the virtualenv (`fetch`), and every time
the Data Docs are written their CDN addresses are pointed at copies inside the site (`localise`),
so the site is whole on a machine, a share or a USB stick with no network. Without the fetched
packages (no npm at setup) the pages keep their CDN addresses and work online as before.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

# npm package -> the folders of it a page needs (copied whole: a stylesheet's fonts come along)
PACKAGES = {
    "jquery@3.7.1": ("dist",),
    "bootstrap@4.3.1": ("dist",),
    "popper.js@1.12.9": ("dist",),
    "bootstrap-table@1.19.1": ("dist",),
    "bootstrap-datepicker@1.9.0": ("dist",),
    "@fortawesome/fontawesome-free@6.6.0": ("css", "webfonts"),
    "@forevolve/bootstrap-dark@1.1.0": ("dist",),
    "vega@5.33.1": ("build",),
    "vega-lite@5.23.0": ("build",),
    "vega-embed@6.29.0": ("build",),
}
# CDN address (a prefix) -> (package, the file or folder in it the address names)
ADDRESSES = (
    ("https://code.jquery.com/jquery-3.7.1.min.js", "jquery@3.7.1", "dist/jquery.min.js"),
    ("https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/", "bootstrap@4.3.1", "dist/"),
    ("https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/", "bootstrap@4.3.1", "dist/"),
    ("https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/", "popper.js@1.12.9", "dist/"),
    ("https://unpkg.com/bootstrap-table@1.19.0/", "bootstrap-table@1.19.1", ""),
    ("https://unpkg.com/bootstrap-table@1.19.1/", "bootstrap-table@1.19.1", ""),
    ("https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/", "bootstrap-datepicker@1.9.0", "dist/"),
    ("https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/", "@fortawesome/fontawesome-free@6.6.0", ""),
    ("https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/", "@forevolve/bootstrap-dark@1.1.0", ""),
    ("https://cdn.jsdelivr.net/npm/vega@5", "vega@5.33.1", "build/vega.min.js"),
    ("https://cdn.jsdelivr.net/npm/vega-lite@5", "vega-lite@5.23.0", "build/vega-lite.min.js"),
    ("https://cdn.jsdelivr.net/npm/vega-embed@6", "vega-embed@6.29.0", "build/vega-embed.min.js"),
)
# addresses (without their query) of files GE also writes into the site itself: its logos, which
# the pages and stylesheets fetch from S3
IN_SITE = {
    "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png": "static/images/logo-long.png",
    "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png": "static/images/logo-long.png",
}
VENDOR = Path(sys.prefix) / "share" / "fiscal-web"  # where `make setup` unpacks the packages
SITE_FOLDER = "vendor"  # where, inside a Data Docs site, the pages find their copies
_ADDRESS = re.compile(r"https://[^\"' )]+")


def folder_of(package: str) -> str:
    """A package's folder name: `@scope/name@1.2.3` -> `scope-name-1.2.3`."""
    return package.lstrip("@").replace("/", "-").replace("@", "-")


def fetch(vendor: Path = VENDOR) -> None:
    """Fetch every package from the npm registry (`npm pack`) and unpack the folders pages need."""
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: the Data Docs will load their scripts and styles from CDNs", file=sys.stderr)
        return
    vendor.mkdir(parents=True, exist_ok=True)
    for package, folders in PACKAGES.items():
        target = vendor / folder_of(package)
        if target.is_dir():
            continue
        archive = vendor / _pack(npm, package, vendor)
        staging = vendor / (target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.name.split("/")[1:2] and m.name.split("/")[1] in folders
                       and (m.isfile() or m.isdir())]
            tar.extractall(staging, members=members, filter="data")
        (staging / "package").rename(target)
        shutil.rmtree(staging, ignore_errors=True)
        archive.unlink()


# what a stylesheet of a package loads beside it (Font Awesome's fonts), copied with it
ALONGSIDE = {"@fortawesome/fontawesome-free@6.6.0": ("webfonts",)}


def _pack(npm: str, package: str, vendor: Path, attempts: int = 3) -> str:
    """`npm pack` a package into `vendor` (tried again on a failure: a registry can drop a
    connection); the archive's name."""
    for _ in range(attempts):
        done = subprocess.run([npm, "pack", "--silent", "--pack-destination", str(vendor), package],
                              capture_output=True, text=True, timeout=300)
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip().splitlines()[-1]
    raise SystemExit(f"npm pack {package} failed: {(done.stderr or done.stdout).strip()[-500:]}")


def localise(site: Path, vendor: Path = VENDOR) -> bool:
    """Point every CDN address in the Data Docs pages and stylesheets under `site` at a copy inside
    the site of the file it names (and what that file loads beside it); False (pages left as they are) when the
    packages were not fetched."""
    if not all((vendor / folder_of(p)).is_dir() for p in PACKAGES):
        return False
    local = Path(site) / SITE_FOLDER

    def offline(address: str, folder: Path) -> str:
        import os

        ours = IN_SITE.get(address.split("?")[0])
        if ours and (Path(site) / ours).is_file():
            return os.path.relpath(Path(site) / ours, folder)
        for prefix, package, path in ADDRESSES:
            if address.startswith(prefix):
                name = Path(folder_of(package)) / (path + address[len(prefix):] if path.endswith("/") or not path else path)
                source, copy = vendor / name, local / name
                if not source.is_file():
                    return address  # a file the package does not hold: left to the CDN
                if not copy.is_file():
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, copy)
                    for beside in ALONGSIDE.get(package, ()):
                        if not (local / folder_of(package) / beside).is_dir():
                            shutil.copytree(vendor / folder_of(package) / beside, local / folder_of(package) / beside)
                return os.path.relpath(copy, folder)
        return address

    for page in [*Path(site).rglob("*.html"), *Path(site).rglob("*.css")]:
        text = page.read_text(encoding="utf-8")
        changed = _ADDRESS.sub(lambda m: offline(m.group(0), page.parent), text)
        if changed != text:
            page.write_text(changed, encoding="utf-8")
    return True


if __name__ == "__main__":
    fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else VENDOR)
