"""Robustness trials of a built `tessera` against the fixture slides: what a demanding lab and bad luck do to a run.

1. Random SIGKILLs: `tessera run` is killed at a random moment of its run (from start-up to the last heatmap),
   then run again with the same command. Each resumed run must exit 0 and end with rows and heatmap files equal,
   byte for byte, to those of a run that was never killed. Leftover scratch files are counted too.
2. A bad-file batch: every file in fixtures/slides/invalid/ plus damaged files made here (empty, truncated, random
   bytes, text, a MIRAX file without its data folder, a dangling link), mixed with good slides. Every bad file must
   get a `failed` row whose error names it, every good slide must be done with its heatmaps, and the run must exit 1.
3. Write attempts through `tessera query`: statements that try to change a results file. The file's bytes must
   not change and no file may appear beside it.
4. A full disk: the output on a small tmpfs (mounted here; needs root) filled up to leave a little space. The run
   must fail cleanly (exit 1, 2 or 3, no crash signal) and, once space is freed, the same command must finish with
   results equal to an uninterrupted run's.

Usage: tools/trials/run-trials [--tessera PATH] [--kills 20] [--seed N] [--work DIR] [--json FILE]
Prints one line per trial and a summary; exits 1 when any trial failed.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SLIDES = ROOT / "fixtures" / "slides"
# Slides that state their resolution; small tiles (89 on CMU-1-Small-Region) so that a run commits often.
GOOD_SLIDES = [SLIDES / "CMU-1-Small-Region.svs", SLIDES / "small.svs"]
TILING = ["--mpp", "2", "--tile", "64", "--overlap", "16", "--batch", "2"]


def run(tessera, arguments, timeout=900):
    return subprocess.run([str(tessera)] + arguments, capture_output=True, text=True, timeout=timeout)


def connect(database):
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True)


def dump(database):
    """Every row that depends on the data, not on times, ids or the run's UUID, in a fixed order."""
    queries = [
        "SELECT fingerprint, path, size_bytes, vendor, width, height, mpp_x, mpp_y, objective_power FROM slides"
        " ORDER BY fingerprint",
        "SELECT slide_path, status, error, mpp_x, mpp_y, mpp_source, tiles_planned, tiles_written FROM slide_runs"
        " ORDER BY slide_path",
        "SELECT sr.slide_path, t.tile_index, t.x, t.y, t.width, t.height, t.tissue_fraction"
        " FROM tiles t JOIN slide_runs sr ON sr.id = t.slide_run_id ORDER BY sr.slide_path, t.tile_index",
        "SELECT sr.slide_path, p.tile_index, p.class_index, p.area_fraction, p.mean_probability"
        " FROM tile_predictions p JOIN slide_runs sr ON sr.id = p.slide_run_id"
        " ORDER BY sr.slide_path, p.tile_index, p.class_index",
        "SELECT class_index, name, colour FROM classes ORDER BY class_index",
        "SELECT status, model_sha256, parameters_hash FROM runs ORDER BY id",
    ]
    with connect(database) as db:
        return [[tuple(repr(v) for v in row) for row in db.execute(q)] for q in queries]


def scalar(database, sql):
    try:
        with connect(database) as db:
            return db.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return None


def heatmaps(directory):
    """Name -> SHA-256 of every heatmap file (hidden scratch files are not heatmaps). Each file names the run that
    wrote it (its run_uid, in the TIFF description): that uid is read as a placeholder, so a resumed run's files equal
    an uninterrupted run's byte for byte but for the uid."""
    folder = Path(directory) / "heatmaps"
    if not folder.is_dir():
        return {}
    database = Path(directory) / "results.sqlite"
    uids = []
    if database.is_file():
        with connect(database) as db:
            uids = [row[0] for row in db.execute("SELECT run_uid FROM runs")]

    def digest(data):
        for uid in uids:
            data = data.replace(uid.encode(), b"RUN-UID")
        return hashlib.sha256(data).hexdigest()

    return {p.name: digest(p.read_bytes())
            for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


def debris(directory):
    """Scratch left behind: hidden files in heatmaps/ (partial heatmaps, pyramid levels) and heatmaps/.partial."""
    folder = Path(directory) / "heatmaps"
    if not folder.is_dir():
        return []
    return sorted(str(p.relative_to(directory)) for p in folder.rglob(".*"))


def tree_bytes(directory):
    return sum(p.stat().st_size for p in Path(directory).rglob("*") if p.is_file())


class Trials:
    def __init__(self, tessera, work, seed):
        self.tessera = tessera
        self.work = work
        self.random = random.Random(seed)
        self.results = {}

    def record(self, kind, passed, detail):
        self.results.setdefault(kind, []).append({"passed": passed, **detail})
        print(f"{'PASS' if passed else 'FAIL'} {kind}: {json.dumps(detail, sort_keys=True)}", flush=True)

    def reference(self, inputs, name):
        out = self.work / name
        shutil.rmtree(out, ignore_errors=True)
        start = time.monotonic()
        result = run(self.tessera, ["run"] + [str(p) for p in inputs] + ["--out", str(out)] + TILING)
        seconds = time.monotonic() - start
        if result.returncode != 0:
            sys.exit(f"the uninterrupted reference run failed ({result.returncode}):\n{result.stderr}")
        return out, seconds

    def compare(self, out, reference):
        rows_equal = dump(out / "results.sqlite") == dump(reference / "results.sqlite")
        maps_equal = heatmaps(out) == heatmaps(reference) and len(heatmaps(reference)) > 0
        return rows_equal, maps_equal

    # 1. Random SIGKILLs, each followed by a resume.
    def kills(self, count):
        reference, seconds = self.reference(GOOD_SLIDES, "kill-reference")
        print(f"reference run: {seconds:.1f} s, {scalar(reference / 'results.sqlite', 'SELECT COUNT(*) FROM tiles')}"
              f" tiles, {len(heatmaps(reference))} heatmaps", flush=True)
        for trial in range(count):
            out = self.work / f"kill-{trial:02d}"
            shutil.rmtree(out, ignore_errors=True)
            command = ["run"] + [str(p) for p in GOOD_SLIDES] + ["--out", str(out)] + TILING
            delay = self.random.uniform(0.02, seconds)
            for _ in range(5):
                child = subprocess.Popen([str(self.tessera)] + command, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
                time.sleep(delay)
                landed = child.poll() is None
                child.send_signal(signal.SIGKILL)
                child.wait()
                if landed:
                    break
                shutil.rmtree(out, ignore_errors=True)  # finished before the kill: try again, earlier
                delay *= 0.5
            committed = scalar(out / "results.sqlite", "SELECT COUNT(*) FROM tiles")
            resumed = run(self.tessera, command)
            rows_equal, maps_equal = self.compare(out, reference) if resumed.returncode == 0 else (False, False)
            left = debris(out)
            self.record("sigkill", landed and resumed.returncode == 0 and rows_equal and maps_equal, {
                "trial": trial, "killed_after_s": round(delay, 3), "kill_landed": landed,
                "tiles_committed_at_kill": committed, "resume_exit": resumed.returncode,
                "rows_equal": rows_equal, "heatmaps_equal": maps_equal, "debris": left,
                "runs": scalar(out / "results.sqlite", "SELECT COUNT(*) FROM runs"),
                "stderr_tail": "" if resumed.returncode == 0 else resumed.stderr[-400:],
            })

    # 2. A batch of good slides and bad files.
    def bad_files(self):
        folder = self.work / "bad-inputs"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        cmu = (SLIDES / "CMU-1-Small-Region.svs").read_bytes()
        ndpi = (SLIDES / "test3-DAPI-2-387.ndpi").read_bytes()  # a real slide, damaged below
        made = {
            "empty.svs": b"",
            "truncated.svs": cmu[:64 * 1024],
            "truncated-half.svs": cmu[:len(cmu) // 2],
            "truncated.ndpi": ndpi[:200 * 1024],
            "random.tiff": self.random.randbytes(100 * 1024),
            "text.svs": b"this is not a slide\n",
            "orphan.mrxs": b"[GENERAL]\nSLIDE_VERSION=1.0\n",
        }
        for name, data in made.items():
            (folder / name).write_bytes(data)
        (folder / "dangling.svs").symlink_to(folder / "does-not-exist.svs")
        bad = sorted((SLIDES / "invalid").iterdir()) + [folder / n for n in sorted(made)] + [folder / "dangling.svs"]
        good = [SLIDES / "CMU-1-Small-Region.svs", SLIDES / "small.svs"]
        inputs = [good[0]] + bad[:4] + [good[1]] + bad[4:]
        out = self.work / "bad-batch"
        shutil.rmtree(out, ignore_errors=True)
        result = run(self.tessera, ["run"] + [str(p) for p in inputs] + ["--out", str(out)] + TILING)
        crashed = result.returncode < 0 or "Fatal error" in result.stderr
        rows = {}
        if (out / "results.sqlite").exists():
            with connect(out / "results.sqlite") as db:
                rows = {path: (status, error or "")
                        for path, status, error in db.execute("SELECT slide_path, status, error FROM slide_runs")}
        for path in bad:
            status, error = rows.get(str(path), (None, ""))
            self.record("bad-file", status == "failed" and path.name in error and not crashed,
                        {"file": path.name, "status": status, "error": error[:300]})
        for path in good:
            status, _ = rows.get(str(path), (None, ""))
            files = [name for name in heatmaps(out) if name.startswith(path.name + ".")]
            self.record("good-slide-in-bad-batch", status == "done" and len(files) >= 3 and not crashed,
                        {"file": path.name, "status": status, "heatmaps": len(files)})
        self.record("bad-batch-exit", result.returncode == 1,
                    {"exit": result.returncode, "stderr_tail": "" if result.returncode == 1 else result.stderr[-400:]})

    # 3. Write attempts through `tessera query`.
    def query_writes(self, reference):
        folder = self.work / "query"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        database = folder / "results.sqlite"
        shutil.copyfile(reference / "results.sqlite", database)
        escape = folder / "escaped.sqlite"
        statements = [
            "INSERT INTO classes VALUES (1, 9, 'x', '#000000')",
            "UPDATE tiles SET tissue_fraction = 0",
            "DELETE FROM tile_predictions",
            "DELETE FROM runs",
            "REPLACE INTO classes VALUES (1, 0, 'x', '#000000')",
            "INSERT INTO classes SELECT run_id, class_index + 10, name, colour FROM classes",
            "INSERT INTO classes VALUES (1, 20, 'x', '#000000') ON CONFLICT DO NOTHING",
            "UPDATE runs SET status = 'failed' RETURNING id",
            "DROP TABLE tiles",
            "DROP VIEW slide_areas",
            "DROP INDEX slide_runs_by_slide",
            "CREATE TABLE notes (text TEXT)",
            "CREATE TEMP TABLE notes (text TEXT)",
            "CREATE VIEW v AS SELECT 1",
            "CREATE INDEX i ON tiles(x)",
            "CREATE TRIGGER t AFTER INSERT ON classes BEGIN DELETE FROM tiles; END",
            "ALTER TABLE tiles ADD COLUMN junk TEXT",
            "ALTER TABLE tiles RENAME TO tiles2",
            "VACUUM",
            f"VACUUM INTO '{escape}'",
            "REINDEX",
            "ANALYZE",
            f"ATTACH '{escape}' AS x",
            f"ATTACH '{escape}' AS x; CREATE TABLE x.t (a)",
            "BEGIN; DELETE FROM tiles; COMMIT",
            "SAVEPOINT s; DELETE FROM tiles; RELEASE s",
            "SELECT 1; DELETE FROM tiles",
            "SELECT 1;DELETE FROM tiles;",
            "WITH doomed AS (SELECT 1) DELETE FROM tiles",
            "/* comment */ DELETE FROM tiles",
            "-- comment\nDELETE FROM tiles",
            "  \n\tdelete from tiles",
            "PRAGMA writable_schema = 1",
            "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = '' WHERE name = 'tiles'",
            "PRAGMA journal_mode = DELETE",
            "PRAGMA user_version = 7",
            "PRAGMA application_id = 7",
            "PRAGMA page_size = 1024; VACUUM",
            "PRAGMA auto_vacuum = FULL",
            "PRAGMA query_only = 0; DELETE FROM tiles",
            "PRAGMA foreign_keys = OFF; DELETE FROM runs",
            "PRAGMA wal_checkpoint(TRUNCATE)",
            "PRAGMA incremental_vacuum",
            "PRAGMA main.optimize",
            "SELECT load_extension('/nonexistent/evil')",
            "UPDATE sqlite_master SET sql = '' WHERE name = 'tiles'",
            "INSERT INTO sqlite_sequence VALUES ('x', 1)",
        ]
        with_parameters = [
            ["--named", "slide-summary", "--param", "run=x'); DELETE FROM tiles; --"],
            ["SELECT :v", "--param", "v=1); DELETE FROM tiles; --"],
        ]
        attempts = [[s] for s in statements] + with_parameters
        before = hashlib.sha256(database.read_bytes()).hexdigest()
        # SQLite's WAL index (-shm) and an empty WAL (-wal) may appear beside a WAL-mode file that is only read.
        transient = {database.name + "-shm", database.name + "-wal"}
        for arguments in attempts:
            result = run(self.tessera, ["query", str(database)] + arguments, timeout=60)
            after = hashlib.sha256(database.read_bytes()).hexdigest()
            wal = folder / (database.name + "-wal")
            wal_bytes = wal.stat().st_size if wal.exists() else 0
            new_files = sorted(p.name for p in folder.iterdir() if p.name != database.name and p.name not in transient)
            unchanged = after == before and wal_bytes == 0 and not new_files
            self.record("query-write", unchanged and result.returncode >= 0, {
                "arguments": arguments, "exit": result.returncode, "refused": result.returncode != 0,
                "file_unchanged": after == before, "wal_bytes": wal_bytes, "new_files": new_files,
                "message": (result.stderr or result.stdout).strip().splitlines()[:1],
            })
            if not unchanged:  # start the next attempt from the reference again
                for p in folder.iterdir():
                    p.unlink()
                shutil.copyfile(reference / "results.sqlite", database)

    # 4. A full disk.
    def full_disk(self, reference):
        mount = self.work / "disk"
        mount.mkdir(parents=True, exist_ok=True)
        needed = tree_bytes(reference)
        size_mib = max(8, 4 * needed // (1 << 20) + 8)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mib}m", "tmpfs", str(mount)], check=True)
        try:
            # From nothing free (the results file cannot be created) to most of what the run writes.
            fractions = [0.0, 0.02, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9]
            for fraction in fractions:
                for p in mount.iterdir():
                    shutil.rmtree(p) if p.is_dir() else p.unlink()
                free = os.statvfs(mount)
                available = free.f_bavail * free.f_frsize
                leave = int(needed * fraction) // 4096 * 4096
                filler = mount / "filler"
                with open(filler, "wb") as handle:
                    os.posix_fallocate(handle.fileno(), 0, max(available - leave, 4096))
                out = mount / "out"
                command = ["run"] + [str(p) for p in GOOD_SLIDES] + ["--out", str(out)] + TILING
                first = run(self.tessera, command)
                committed = scalar(out / "results.sqlite", "SELECT COUNT(*) FROM tiles")
                # 3: the run stopped as interrupted, its work kept (a disk that fills mid-run); 1 or 2: a slide or the
                # run could not start.
                clean = first.returncode in (1, 2, 3) and "Fatal error" not in first.stderr
                filler.unlink()
                second = run(self.tessera, command + ["--json"])
                rows_equal, maps_equal = self.compare(out, reference) if second.returncode == 0 else (False, False)
                processed = None
                if second.returncode == 0:
                    processed = sum(s.get("tilesProcessed", 0) for s in json.loads(second.stdout).get("slides", []))
                message = [line for line in first.stderr.splitlines() if "space" in line.lower() or "full" in line.lower()]
                message = message or first.stderr.strip().splitlines()[-1:]
                self.record("full-disk", clean and second.returncode == 0 and rows_equal and maps_equal, {
                    "free_bytes": leave, "first_exit": first.returncode, "tiles_committed_when_full": committed,
                    "message": message[:1], "rerun_exit": second.returncode, "rows_equal": rows_equal,
                    "heatmaps_equal": maps_equal, "tiles_inferred_by_rerun": processed,
                    "runs": scalar(out / "results.sqlite", "SELECT COUNT(*) FROM runs"),
                    "debris": debris(out),
                    "stderr_tail": "" if clean else first.stderr[-400:],
                })
        finally:
            subprocess.run(["umount", str(mount)], check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tessera", default=os.environ.get("TESSERA", str(ROOT / ".build/release/tessera")))
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--work", default="/tmp/tessera-trials")
    parser.add_argument("--json", help="write every trial's record here")
    parser.add_argument("--skip", action="append", default=[], choices=["kills", "bad-files", "query", "full-disk"])
    options = parser.parse_args()
    work = Path(options.work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"tessera: {options.tessera}; seed {options.seed} (replay with --seed {options.seed}); work: {work}", flush=True)
    trials = Trials(Path(options.tessera), work, options.seed)
    if "kills" not in options.skip:
        trials.kills(options.kills)
    if "bad-files" not in options.skip:
        trials.bad_files()
    reference, _ = trials.reference(GOOD_SLIDES, "reference")
    if "query" not in options.skip:
        trials.query_writes(reference)
    if "full-disk" not in options.skip:
        trials.full_disk(reference)
    print("\nsummary (passed / trials):")
    failed = 0
    for kind, records in trials.results.items():
        passed = sum(r["passed"] for r in records)
        failed += len(records) - passed
        print(f"  {kind}: {passed} / {len(records)}")
    queries = trials.results.get("query-write", [])
    accepted = [r["arguments"] for r in queries if not r["refused"]]
    if queries:
        print(f"  (query: {len(queries) - len(accepted)} refused with an error; accepted, changing nothing: {accepted})")
    left = [r for r in trials.results.get("sigkill", []) + trials.results.get("full-disk", []) if r.get("debris")]
    if left:
        print(f"  (scratch files left after a successful rerun in {len(left)} trials, e.g. {left[0]['debris'][:3]})")
    if options.json:
        Path(options.json).write_text(json.dumps({"seed": options.seed, "results": trials.results}, indent=1))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
