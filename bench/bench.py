#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench.py - mdtorture's benchmarks, run as `./mdt bench SUBCOMMAND`.

  detect      each seeded bug x each driver, K trials within a budget:
              detected count, median time-to-detect, reproducers that replay;
              the correct build under the same budget must report nothing
  throughput  core ops/s per op kind at 1..CPUs threads: lock-free core,
              core_lock=global, and the raw lookup protocol on a bare array
  footprint   metadata bytes per frame for the default, slab- and
              zpool-heavy stress mixes and for folios of each order,
              beside the kernel's 64 B (a plot against folio order)
  exec        explore runs/s, fuzz_sched exec/s, stress ops/s per variant
  reach       the ops and race points explore, fuzz_sched, stress and
              stress --rounds reach in a default run
  hitrate     each seeded bug's racing pair on real threads, N runs: how
              often a run catches it (timing-dependent: a figure, not a test)
  strategies  each seeded bug x each schedule strategy of explore, K seeds:
              runs to the first failure (median, mean) and time
  smoke       every one of them for a few seconds (CI: they still work)

Each writes SUB.md, SUB.json and (detect, throughput, footprint) SUB.png into --out.
Exit codes: 0 done; 1 the correct build reported something (detect) or a
benchmark's run failed; 2 usage; 3 environment (a build, gnuplot, the
output directory).  Standard library only: python3 comes with meson.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_ENV = 0, 1, 2, 3
# exit codes of mdt and the fuzz targets' replays that mean "a detector fired"
VERDICTS = {1: "oracle", 4: "stall", 66: "tsan", 67: "asan", 68: "ubsan"}
STRUCT_PAGE = 64  # bytes of the kernel's struct page per 4 KiB frame


class EnvError(Exception):
    """The environment cannot run the benchmark (exit 3)."""


class UsageError(Exception):
    """Bad arguments (exit 2)."""


class RunFailed(Exception):
    """A benchmark's own run failed (exit 1); the message starts with its command."""


def log(msg):
    print(msg, flush=True)


class Builds:
    """Variants built on demand through ./mdt (which installs and compiles)."""

    def __init__(self, root):
        self.root = root
        self.done = set()

    def ensure(self, variant):
        """Called from the main thread only, before any cell runs."""
        if variant in self.done:
            return
        log(f"bench: build/{variant}")
        r = subprocess.run(["sh", os.path.join(self.root, "mdt"), "--build", variant, "version"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise EnvError(f"./mdt --build {variant} failed:\n{r.stdout[-2000:]}")
        self.done.add(variant)

    def path(self, variant, rel):
        return os.path.join(self.root, "build", variant, rel)


def run(cmd, env=None, timeout=None, cwd=None):
    """Run @cmd in its own process group; return (exit code, seconds, output)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, errors="replace", start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        rc = None
    return rc, time.monotonic() - t0, out


def checked_run(cmd, secs, env=None):
    """run() with a time limit of @secs + 120; a failure raises RunFailed naming the command."""
    rc, _, out = run(cmd, env=env, timeout=secs + 120)
    if rc != 0:
        raise RunFailed(f"{shell_quote(cmd)} failed (exit {rc}):\n{out[-1500:]}")
    return out


def mdt_json(builds, variant, argv, secs):
    """Run build/VARIANT's `mdt ARGV` with --json in a scratch dir (its --artifacts too, where the
    command writes any: explore, stress --rounds); its JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        js = os.path.join(tmp, "out.json")
        art = ["--artifacts", tmp] if argv[0] == "explore" or "--rounds" in argv else []
        checked_run([builds.path(variant, "cli/mdt")] + argv + art + ["--json", js], secs)
        with open(js) as f:
            return json.load(f)


def shell_quote(cmd, env_keys=(), env=None):
    pre = " ".join(f"{k}={env[k]}" for k in env_keys if env and env.get(k))
    body = " ".join(a if a and all(c.isalnum() or c in "-_./=:,+" for c in a) else repr(a)
                    for a in cmd)
    return (pre + " " + body).strip()


def gnuplot_data(name, points, fmt):
    """An inline gnuplot data block $@name of (x, y) @points, y printed with @fmt."""
    return f"${name} << EOD\n" + "".join(f"{x} {y:{fmt}}\n" for x, y in points) + "EOD"


def gnuplot_png(path, size, labels, settings, blocks, plot, what):
    """A PNG at @path from inline data @blocks: @labels (title, x, y), extra @settings lines."""
    title, xlabel, ylabel = labels
    gnuplot("\n".join(blocks) + f"""
set terminal pngcairo noenhanced size {size} font ",10"
set output "{path}"
set title "{title}"
set xlabel "{xlabel}"
set ylabel "{ylabel}"
{settings}
plot {plot}
""", what)


def gnuplot(script, what):
    if shutil.which("gnuplot") is None:
        raise EnvError("gnuplot is missing (ci/install-deps.sh installs gnuplot-nox)")
    r = subprocess.run(["gnuplot"], input=script, text=True, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise EnvError(f"gnuplot failed drawing {what}:\n{r.stdout[-1500:]}")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def parse_secs(s):
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    for u in ("ms", "s", "m", "h"):
        if s.endswith(u) and s[: -len(u)].replace(".", "", 1).isdigit():
            return float(s[: -len(u)]) * units[u]
    if s.replace(".", "", 1).isdigit():
        return float(s)
    raise argparse.ArgumentTypeError(f"bad duration '{s}' (like 500ms, 60s, 2m)")


def fmt_s(x):
    return "-" if x is None else (f"{x:.2f}s" if x < 10 else f"{x:.1f}s")


def ncpu():
    return os.cpu_count() or 1


# ---------------------------------------------------------------- detect


class Driver:
    def __init__(self, name, build, kind, args, replay_build):
        self.name, self.build, self.kind, self.args = name, build, kind, args
        self.replay_build = replay_build  # None: real threads, no exact reproducer


# One row a driver.  Non-TSan drivers run in the ASan+UBSan builds (a memory
# bug is reported where it happens).  The AFL++ build has no sanitizer: its
# crashes replay in the asan build, as a user would replay them (a
# use-after-free that only segfaults depends on heap history).
DRIVERS = [
    Driver("explore-random", "asan", "explore", ["--strategy", "random"], "asan"),
    Driver("explore-pct", "asan", "explore", ["--strategy", "pct"], "asan"),
    # deterministic TSan: bugs only TSan sees (a missing release) get exact reproducers
    Driver("explore-tsan", "tsan", "explore", [], "tsan"),
    Driver("stress", "asan", "stress", [], None),
    Driver("stress-chaos", "asan", "stress", ["--chaos", "0.01"], None),
    Driver("stress-tsan", "tsan", "stress", [], None),
    Driver("fuzz-libfuzzer", "fuzz", "libfuzzer", [], "fuzz"),
    Driver("fuzz-afl", "afl", "afl", [], "asan"),
]
# Selectable with --drivers, not in the default set: libFuzzer without the
# interleaving-pair counters (what the pairs buy), and explore with the
# uniform random walk and partial order sampling (--strategy urw, pos).
EXTRA_DRIVERS = [Driver("fuzz-libfuzzer-nopairs", "fuzz", "libfuzzer", [], "fuzz"),
                 Driver("explore-urw", "asan", "explore", ["--strategy", "urw"], "asan"),
                 Driver("explore-pos", "asan", "explore", ["--strategy", "pos"], "asan")]
DRIVER_BY_NAME = {d.name: d for d in DRIVERS + EXTRA_DRIVERS}


MUTANT_TARGETS = {}  # name -> target, from `mdt mutants --names`


# the core's designs (md_core_designs; `mdt targets` lists them as core:DESIGN)
CORE_DESIGNS = ["one-epoch", "one-typesafe", "two-epoch", "two-typesafe"]


def core_target(design):
    """The target name of the core in @design: the plain name for the default."""
    return "core" if design == CORE_DESIGNS[0] else f"core:{design}"


def mutant_target(mutant, design=CORE_DESIGNS[0]):
    """The target a mutant runs on: where it is seeded (the correct code: the core), the core
    in @design."""
    tg = MUTANT_TARGETS.get(mutant, "core")
    return core_target(design) if tg == "core" else tg


def design_mutants(all_mut, design):
    """The bugs that apply to @design: the core's own, those seeded in that design, and (default
    design only: they do not depend on it) the hosted targets'."""
    def fits(m):
        tg = MUTANT_TARGETS.get(m, "core")
        if tg in ("core", core_target(design)):
            return True
        return design == CORE_DESIGNS[0] and not tg.startswith("core:")
    return [m for m in all_mut if fits(m)]


def mutant_names(builds):
    """`mdt mutants --names`: a "name detector target" line per seeded bug."""
    builds.ensure("debug")
    r = subprocess.run([builds.path("debug", "cli/mdt"), "mutants", "--names"],
                       stdout=subprocess.PIPE, text=True, check=True)
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    MUTANT_TARGETS.update((ln.split()[0], ln.split()[2]) for ln in lines)
    return lines


def list_mutants(builds):
    return [line.split()[0] for line in mutant_names(builds)]


def sanitizer_options(root, name):
    """sanitizers/NAME.options as one OPTIONS string (as sanitizers/env.sh reads it)."""
    with open(os.path.join(root, "sanitizers", name + ".options")) as f:
        return ":".join(ln.strip() for ln in f if ln.strip() and not ln.lstrip().startswith("#"))


def cell_env(builds, driver, mutant):
    env = dict(os.environ)
    env["MDT_VARIANT"] = driver.build
    if driver.kind in ("libfuzzer", "afl"):
        env["MDT_MUTANT"] = "" if mutant == "none" else mutant
    if driver.name.endswith("-nopairs"):
        env["MDT_FUZZ_PAIRS"] = "0"
    if driver.kind == "libfuzzer":
        # as `mdt fuzz` runs it (sanitizers/fuzz-asan.options)
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":" + sanitizer_options(builds.root, "fuzz-asan")
    if driver.kind == "afl":
        # the afl build is ASan+UBSan; afl-fuzz accepts only these options
        for k in ("TSAN_OPTIONS", "LSAN_OPTIONS"):
            env.pop(k, None)
        env["ASAN_OPTIONS"] = sanitizer_options(builds.root, "afl-asan")
        env["UBSAN_OPTIONS"] = sanitizer_options(builds.root, "afl-ubsan")
        env.update(AFL_SKIP_CPUFREQ="1", AFL_NO_UI="1", AFL_NO_AFFINITY="1",
                   AFL_BENCH_UNTIL_CRASH="1", AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1",
                   AFL_CUSTOM_MUTATOR_LIBRARY=builds.path("afl", "fuzz/libmdt_afl_mutator.so"))
    return env


def compile_seeds(builds, build, dest):
    """Every target's seed programs compiled into @dest by fuzz/seeds.sh with @build's mdt."""
    subprocess.run(["sh", os.path.join(builds.root, "fuzz", "seeds.sh"), builds.root,
                    builds.path(build, "cli/mdt"), dest], check=True)
    return dest


def cell_cmd(builds, driver, mutant, trial, budget, d, design=CORE_DESIGNS[0]):
    """The command of one cell, run in the fresh directory @d; core bugs in the core's @design."""
    mut = [] if mutant == "none" else ["--mutant", mutant]
    if driver.kind == "explore":
        return [builds.path(driver.build, "cli/mdt"), "explore", "--target",
                mutant_target(mutant, design), "--time", f"{budget:g}s", "--seed", str(trial),
                "--artifacts", os.path.join(d, "art")] + driver.args + mut
    if driver.kind == "stress":
        return [builds.path(driver.build, "cli/mdt"), "stress", "--target", mutant_target(mutant, design),
                "--threads", "2", "--duration", f"{budget:g}s", "--seed", str(trial)] + driver.args + mut
    seeds = compile_seeds(builds, driver.build, os.path.join(d, "seeds"))
    dict_ = builds.path(driver.build, "fuzz/mdt.dict")
    fuzz = builds.path(driver.build, "fuzz/fuzz_sched")
    if driver.kind == "libfuzzer":
        return [fuzz, seeds, f"-max_total_time={max(1, int(budget))}", f"-seed={trial}",
                f"-artifact_prefix={d}/", f"-dict={dict_}", "-print_final_stats=1"]
    return ["afl-fuzz", "-i", seeds, "-o", os.path.join(d, "afl"), "-V", str(max(1, int(budget))),
            "-s", str(trial), "-x", dict_, "-M", "main", "--", fuzz]


def found_inputs(driver, d):
    """Reproducers (explore) or crashing inputs (fuzzers) a cell left, oldest first."""
    if driver.kind == "explore":
        where, pick = os.path.join(d, "art"), lambda n: n.endswith(".bin")
    elif driver.kind == "libfuzzer":
        where = d
        pick = lambda n: n.split("-")[0] in ("crash", "leak", "timeout", "oom", "slow")
    elif driver.kind == "afl":
        where, pick = os.path.join(d, "afl", "main", "crashes"), lambda n: n.startswith("id:")
    else:
        return []
    if not os.path.isdir(where):
        return []
    files = [os.path.join(where, n) for n in os.listdir(where) if pick(n)]
    return sorted(files, key=os.path.getmtime)


# A failure record's own words -> the detector that fired.  Order matters: an
# oracle's FAIL line wins (the fuzz targets abort after it), and a
# sanitizer's report of a signal is the signal's.
DETECTOR_PATTERNS = [
    # our own FAIL lines first: the fuzz targets abort() after printing one
    ("stall", re.compile(r"^(STALL|(\S+: )?FAIL (deadlock|livelock) )", re.M)),
    # stress's crash handler says "FAIL: sanitizer report after ..." or
    # "FAIL: SIGSEGV after ...": the report or the signal names the detector
    ("oracle", re.compile(r"^(\S+: )?FAIL(:(?! (sanitizer report|SIG[A-Z]+) after )|"
                          r" (postcondition|invariant) )", re.M)),
    ("signal", re.compile(r"(ThreadSanitizer|AddressSanitizer|UndefinedBehaviorSanitizer): "
                          r"(SEGV|BUS|FPE|ILL|ABRT)|deadly signal|FAIL crash at step \d+[^:]*: SIG|"
                          r"^FAIL: SIG[A-Z]+ after |killed by signal", re.M)),
    ("tsan", re.compile(r"WARNING: ThreadSanitizer: ")),
    ("asan", re.compile(r"ERROR: AddressSanitizer: |ERROR: LeakSanitizer: ")),
    ("ubsan", re.compile(r"runtime error: ")),
]


def detector_of(out, rc):
    """Which detector a run's output (its failure record and any report) names; exit codes last."""
    for name, pat in DETECTOR_PATTERNS:
        if pat.search(out or ""):
            return name
    return VERDICTS.get(rc, "hung" if rc is None else ("clean" if rc == 0 else f"exit {rc}"))


def replay(builds, driver, mutant, path):
    """Replay @path three times in one mdt repro: (True if each fails with the same line,
    the command, the detector its failure record names)."""
    cmd = [builds.path(driver.replay_build, "cli/mdt"), "repro", "--raw", "--mutant", mutant, path, path, path]
    env = dict(os.environ, MDT_VARIANT=driver.replay_build)
    rc, _, out = run(cmd, env=env, timeout=120)
    lines = [ln.split(": ", 1)[1] for ln in out.splitlines()
             if ln.startswith(path + ": ") and ": FAIL" in ln]
    ok = rc == 1 and len(lines) == 3 and len(set(lines)) == 1
    return ok, shell_quote(cmd[:4] + cmd[4:6]), detector_of(out, rc)


def run_cell(builds, driver, mutant, trial, budget, workdir, design=CORE_DESIGNS[0]):
    d = tempfile.mkdtemp(prefix=f"{mutant}-{driver.name}-{trial}-", dir=workdir)
    cmd = cell_cmd(builds, driver, mutant, trial, budget, d, design)
    env = cell_env(builds, driver, mutant)
    rc, secs, out = run(cmd, env=env, timeout=budget + 120, cwd=d)
    inputs = found_inputs(driver, d)
    cell = {"mutant": mutant, "driver": driver.name, "trial": trial, "exit": rc,
            "seconds": round(secs, 3), "command": shell_quote(cmd, ("MDT_MUTANT", "MDT_FUZZ_PAIRS"), env)}
    if driver.kind in ("explore", "stress"):
        cell["detected"] = rc in VERDICTS or (rc is not None and rc > 128)  # > 128: a signal
        cell["verdict"] = detector_of(out, rc) if cell["detected"] else (
            "hung" if rc is None else "clean" if rc == 0 else f"exit {rc}")
    else:
        cell["detected"] = bool(inputs)
        cell["verdict"] = detector_of(out, rc) if inputs else (
            "hung" if rc is None else "clean" if rc == 0 else f"exit {rc}")
    # a fuzzer that left nothing and exited non-zero, or a driver's usage or
    # environment error, never ran the budget: not a "not detected"
    if not cell["detected"] and rc is not None and (
            rc in (EXIT_USAGE, EXIT_ENV) or (driver.kind in ("libfuzzer", "afl") and rc != 0)):
        cell["did_not_run"] = True
        cell["tail"] = out.splitlines()[-6:]
    if cell["detected"] and inputs and mutant != "none" and driver.replay_build:
        ok, rcmd, by = replay(builds, driver, mutant, inputs[0])
        keep = os.path.join(workdir, "reproducers", f"{mutant}-{driver.name}-{trial}.bin")
        shutil.copy(inputs[0], keep)
        cell["reproducer"], cell["replayed"] = keep, ok
        cell["repro_command"] = rcmd.replace(inputs[0], keep)
        if driver.kind in ("libfuzzer", "afl") or ok:
            # the failure record the kept file replays names the detector (a
            # fuzzer's own output does not; explore's may hold a report it dropped)
            cell["verdict"] = by
    elif cell["detected"] and mutant != "none":
        cell["replayed"] = None  # real threads: no exact reproducer (stress)
    if not cell["detected"] or mutant == "none":
        cell["tail"] = out.splitlines()[-6:] if (rc not in (0, None) or inputs) else []
    shutil.rmtree(d, ignore_errors=True)
    return cell


def detect_cells(mutants, drivers, trials):
    cells = []
    for t in range(1, trials + 1):
        for m in mutants + ["none"]:
            for dv in drivers:
                cells.append((m, dv, t))
    return cells


def cell_line(c, done, total, t0):
    what = f"{c['mutant']} / {c['driver']} #{c['trial']}"
    if c["mutant"] == "none":
        res = "clean" if not c["detected"] else f"FALSE POSITIVE ({c['verdict']}): {c['command']}"
    elif c["detected"]:
        rep = {True: ", replays", False: ", DOES NOT REPLAY", None: ""}[c.get("replayed")]
        res = f"detected in {fmt_s(c['seconds'])} ({c['verdict']}{rep})"
    elif c.get("did_not_run"):
        res = f"DID NOT RUN ({c['verdict']}): {' / '.join(c.get('tail', [])[-2:])}"
    else:
        res = f"not detected ({c['verdict']})"
    return f"[{done}/{total} {time.monotonic() - t0:6.0f}s] {what}: {res}"


def summarize_detect(cells, mutants, drivers, trials):
    table, best = {}, {}
    for m in mutants:
        for dv in drivers:
            cs = [c for c in cells if c["mutant"] == m and c["driver"] == dv.name
                  and not c.get("did_not_run")]
            if not cs:
                continue
            hits = [c["seconds"] for c in cs if c["detected"]]
            table[(m, dv.name)] = {"trials": len(cs), "detected": len(hits),
                                   "median_s": statistics.median(hits) if hits else None}
    for m in mutants:
        rows = [(v["median_s"], v["detected"], k[1]) for k, v in table.items()
                if k[0] == m and v["detected"]]
        good = [r for r in rows if r[1] * 5 >= 4 * trials]
        best[m] = min(good or rows, default=None)
    fps = [c for c in cells if c["mutant"] == "none" and c["detected"] and not c.get("did_not_run")]
    reps = [c for c in cells if c.get("replayed") is not None]
    return table, best, fps, reps


def detect_markdown(args, cells, mutants, drivers, wall):
    table, best, fps, reps = summarize_detect(cells, mutants, drivers, args.trials)
    lines = [f"# Detection: {len(mutants)} seeded bugs x {len(drivers)} drivers, "
             f"{args.trials} trial(s), budget {args.budget:g}s, core design {args.design}",
             "", f"`{args.command}` on {ncpu()} CPUs: wall time {wall:.0f}s "
             f"({len(cells)} cells, up to {args.jobs} side by side).", "",
             "Cell: detected/trials, median time-to-detect (wall time of the run, start-up included).", "",
             "| mutant | " + " | ".join(d.name for d in drivers) + " | best |",
             "|---|" + "---|" * (len(drivers) + 1)]
    for m in mutants:
        row = []
        for dv in drivers:
            v = table.get((m, dv.name))
            row.append("n/a" if v is None else f"{v['detected']}/{v['trials']} {fmt_s(v['median_s'])}"
                       if v["detected"] else f"0/{v['trials']}")
        b = best[m]
        row.append(f"{b[2]} {fmt_s(b[0])}" if b else "**none**")
        lines.append(f"| {m} | " + " | ".join(row) + " |")
    clean = [c for c in cells if c["mutant"] == "none" and not c.get("did_not_run")]
    lines.append("| correct build | " + " | ".join(
        f"{sum(not c['detected'] for c in clean if c['driver'] == d.name)}/"
        f"{sum(c['driver'] == d.name for c in clean)} clean" for d in drivers) + " | |")
    ok4 = [m for m in mutants if best[m] and best[m][1] * 5 >= 4 * args.trials]
    fast = [m for m in ok4 if best[m][0] <= 2.0]
    replayed = sum(1 for c in reps if c["replayed"])
    lines += ["", "## Against the targets", "",
              f"- Detected by at least one driver in >= 4/5 of the trials: {len(ok4)}/{len(mutants)}"
              + (f" (missing: {', '.join(m for m in mutants if m not in ok4)})" if len(ok4) < len(mutants) else ""),
              f"- Best driver's median time-to-detect <= 2 s: {len(fast)}/{len(mutants)}",
              f"- Reproducers that replay exactly (explore, libFuzzer, AFL++; 3 replays, identical FAIL line): "
              f"{replayed}/{len(reps)}" + ("" if replayed == len(reps) else " -- not replaying: " + ", ".join(
                  f"{c['mutant']}/{c['driver']}#{c['trial']}" for c in reps if not c["replayed"])),
              "- Stress drivers run real threads: a detection there has no exact reproducer (`mdt stress --rounds` searches for one).",
              f"- False positives on the correct build: {len(fps)}",
              f"- Cells that did not run (the driver failed to start; not counted above): "
              f"{sum(1 for c in cells if c.get('did_not_run'))}"]
    for c in fps:
        lines.append(f"  - {c['driver']} #{c['trial']}: {c['verdict']}; rerun: `{c['command']}`")
    return "\n".join(lines) + "\n", table, best, fps


def detect_plot(out, table, mutants, drivers, budget):
    data = os.path.join(out, "detect.dat")
    with open(data, "w") as f:
        for y, m in enumerate(mutants):
            for x, dv in enumerate(drivers):
                v = table.get((m, dv.name))
                med = v["median_s"] if v and v["detected"] else None
                val = med if med is not None else budget * 4
                lab = "n/a" if v is None else (fmt_s(med) if med is not None else "-")
                f.write(f"{x} {y} {max(val, 0.01):.3f} \"{lab}\"\n")
            f.write("\n")
    xt = ", ".join(f'"{d.name}" {i}' for i, d in enumerate(drivers))
    yt = ", ".join(f'"{m}" {i}' for i, m in enumerate(mutants))
    gnuplot(f"""set terminal pngcairo noenhanced size 1100,{200 + 34 * len(mutants)} font ",10"
set output "{os.path.join(out, 'detect.png')}"
set title "median time-to-detect (s; '-' = not detected within {budget:g} s)"
set xtics ({xt}) rotate by -20
set ytics ({yt})
set yrange [{len(mutants) - 0.5}:-0.5]
set xrange [-0.5:{len(drivers) - 0.5}]
set logscale cb
set cbrange [0.05:{budget * 4:g}]
set palette defined (0 "#1a9850", 1 "#fee08b", 2 "#d73027", 3 "#777777")
unset key
plot "{data}" using 1:2:3 with image, "" using 1:2:4 with labels font ",9"
""", "the detection heat map")


def cmd_detect(args, builds):
    drivers = [DRIVER_BY_NAME[n] for n in args.drivers]
    if args.design not in CORE_DESIGNS:
        raise UsageError(f"unknown --design {args.design} (of: {', '.join(CORE_DESIGNS)})")
    if args.design != CORE_DESIGNS[0] and any(d.kind not in ("explore", "stress") for d in drivers):
        raise UsageError("--design: explore and stress drivers only (the fuzzers run every target's "
                         "default design)")
    all_mut = design_mutants(list_mutants(builds), args.design)
    mutants = args.mutants or all_mut
    bad = [m for m in mutants if m not in all_mut]
    if bad:
        raise UsageError(f"unknown mutant(s), or not of design {args.design}: {', '.join(bad)} "
                         "(see ./mdt mutants)")
    for b in dict.fromkeys([d.build for d in drivers] + [d.replay_build for d in drivers if d.replay_build]):
        builds.ensure(b)
    if any(d.kind == "afl" for d in drivers) and shutil.which("afl-fuzz") is None:
        raise EnvError("afl-fuzz is missing (ci/install-deps.sh installs afl++)")
    work = tempfile.mkdtemp(prefix="detect-", dir=args.out)
    os.makedirs(os.path.join(work, "reproducers"))
    cells = detect_cells(mutants, drivers, args.trials)
    log(f"bench detect: {len(mutants)} mutants + the correct build x {len(drivers)} drivers x "
        f"{args.trials} trial(s) = {len(cells)} cells, budget {args.budget:g}s, {args.jobs} at a time")
    t0, done, results = time.monotonic(), 0, []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(run_cell, builds, dv, m, t, args.budget, work, args.design) for (m, dv, t) in cells]
        for fut in concurrent.futures.as_completed(futs):
            c = fut.result()
            done += 1
            results.append(c)
            log(cell_line(c, done, len(cells), t0))
    wall = time.monotonic() - t0
    md, table, best, fps = detect_markdown(args, results, mutants, drivers, wall)
    keep = os.path.join(args.out, "reproducers")
    shutil.rmtree(keep, ignore_errors=True)
    shutil.move(os.path.join(work, "reproducers"), keep)
    shutil.rmtree(work, ignore_errors=True)
    for c in results:
        if c.get("reproducer"):
            c["reproducer"] = os.path.join(keep, os.path.basename(c["reproducer"]))
            c["repro_command"] = c["repro_command"].replace(os.path.join(work, "reproducers"), keep)
    write(os.path.join(args.out, "detect.md"), md)
    write(os.path.join(args.out, "detect.json"), json.dumps({
        "budget_s": args.budget, "trials": args.trials, "cpus": ncpu(), "jobs": args.jobs,
        "wall_s": round(wall, 1), "drivers": [d.name for d in drivers], "mutants": mutants,
        "table": [{"mutant": k[0], "driver": k[1], **v} for k, v in table.items()],
        "false_positives": len(fps), "cells": sorted(results, key=lambda c: (c["mutant"], c["driver"], c["trial"]))},
        indent=1) + "\n")
    detect_plot(args.out, table, mutants, drivers, args.budget)
    log("\n" + md)
    log(f"bench detect: wrote {args.out}/detect.md, detect.json, detect.png; reproducers in {keep}/")
    return EXIT_FAIL if fps else EXIT_OK


# ---------------------------------------------------------------- hitrate

# Each seeded bug's racing pair on real threads: `mdt stress` with the op mix
# and the delays at race points below (chaos is fair; the oracles are never
# weakened), REPEAT runs with seeds 1..REPEAT.  Whether one run catches the
# bug depends on timing: the rate is a figure (nightly job), not a test; the
# gate proves each bug by its exact reproducer (tests/mutants.sh).
# isolated_flag_nonatomic gets 10 s and delays between its read and its write
# (without TSan only the lost lock bit shows it).  The stack target has no
# stress driver.
HITRATE_BUDGET = ["--threads", "2", "--compactors", "0", "--duration", "4s", "--stall", "3s",
                  "--frames", "256"]
HITRATE = {
    "tryget_plain_inc": "--mix alloc=10,put=10,lookup=30,lockframe=20,gup=10 --chaos 0.01",
    "gup_no_recheck": "--mix split=10,alloc=10,put=8,lookup=30,file=10,truncate=5 --chaos 0.01",
    "lock_no_recheck": "--mix split=10,alloc=10,put=8,lockframe=30,file=10,truncate=5 --chaos 0.01",
    "unlock_relaxed": "--mix alloc=10,put=5,write=20,lockframe=20,file=10,index_write=20 --chaos 0.01",
    "index_no_recheck": "--mix split=10,file=10,index_lookup=30,truncate=5 --chaos 0.01",
    "free_no_grace": "--mix alloc=10,put=10,lookup=30,gup=10 --chaos 0.01",
    "split_publish_early": "--mix split=10,alloc=10,put=8,lockframe=20,gup=20,file=10 "
                           "--chaos 0.5 --chaos-at split.build",
    "migrate_no_freeze": "--mix migrate=20,file=10,lookup=10,lockframe=20,gup=10,index_write=10,"
                         "truncate=3 --chaos 0.01",
    "migrate_switch_before_copy": "--mix migrate=20,file=10,gup=30,index_write=10,truncate=3 "
                                  "--chaos 0.01",
    "trylock_before_ref": "--frames 128 --mix compact=20,file=10,truncate=10,alloc=5,put=5 "
                          "--chaos 0.3 --chaos-at lock.try --chaos-sleep 200",
    "isolated_flag_nonatomic": "--duration 10s --mix migrate=20,alloc=10,put=5,write=20,lockframe=20 "
                               "--chaos 0.3 --chaos-at flags.clear",
    "isolate_twice": "--frames 128 --mix migrate=40,file=10,truncate=8",
    "zs_free_vs_migrate": "--mix zs_alloc=20,zs_free=18,zs_rw=20,migrate=20 --chaos 0.01",
    "buddy_check_unlocked": "--mix compact=10,alloc=10,put=10,file=10,truncate=5,lockframe=10 --chaos 0.01",
    "contig_ignore_pin": "--mix contig=10,pin=30,unpin=5,file=20,put=10,alloc=5 --chaos 0.01",
    "gup_no_seqcheck": "--mix write=20,index_write=20,gup=30,alloc=5,file=5 --chaos 0.01",
    "slab_destroy_unlocked": "--mix slab_alloc=10,slab_free=30,slab_destroy=10,slab_create=10 "
                             "--chaos 0.5 --chaos-at slab.lock --chaos-kinds sleep",
    "zs_destroy_no_drain": "--mix zs_alloc=10,zs_free=30,migrate=20,compact=5,zpool_destroy=10,"
                           "zpool_create=10 --chaos 0.5 --chaos-at zpool.lock,migrate.copy "
                           "--chaos-kinds sleep",
    "zs_put_in_destructor": "--mix zs_alloc=10,zs_free=30,zs_rw=20,compact=5,zpool_destroy=10,"
                            "zpool_create=10 --chaos 0.01",
    "index_reinsert": "--mix alloc=10,put=5,index_insert=20,index_lookup=30,truncate=10 --chaos 0.01",
    "dcache_link_over_count": "--mix migrate=20,file=10,index_lookup=30,lookup=10,truncate=5,alloc=5,put=5 "
                              "--chaos 0.01",
    "frame_two_torn": "--mix migrate=20,file=10,lookup=30,alloc=10,put=10 --chaos 0.01",
    "pcp_drain_unlocked": "--mix pcp_drain_all=10,contig=5,alloc=20,put=20,split=5 --chaos 0.01",
    "pcp_tag_after_unlock": "--mix pcp_drain_all=20,alloc=20,put=20 --chaos 0.3 --chaos-at pcp.unlock",
}
SANITIZER_OF = {"tsan": "tsan", "asan": "asan", "debug": None}


def hitrate_wanted(det, build):
    """Verdicts that count as caught for a bug declared for @det in @build (None: not here)."""
    san = SANITIZER_OF[build]
    if det in ("tsan", "asan"):
        return {det} if san == det else None  # the proof that the annotations hide nothing
    if det == "signal":  # the fault; the asan build's UBSan reports the null access first
        return {"signal"} | ({"ubsan"} if san == "asan" else set())
    return {"oracle", "stall"} | ({san} if san else set())  # an oracle bug may hit the sanitizer first


def hitrate_cmd(builds, build, mutant, seed):
    args = HITRATE_BUDGET + HITRATE[mutant].split() + ["--target", mutant_target(mutant)]
    mut = [] if mutant == "none" else ["--mutant", mutant]
    return [builds.path(build, "cli/mdt"), "stress"] + args + ["--seed", str(seed)] + mut


def hitrate_run(builds, build, mutant, scenario, seed):
    """One stress run of @scenario's racing pair with @mutant ("none": the correct code)."""
    args = HITRATE_BUDGET + HITRATE[scenario].split() + ["--target", mutant_target(scenario), "--seed", str(seed)]
    cmd = [builds.path(build, "cli/mdt"), "stress"] + args + ([] if mutant == "none" else ["--mutant", mutant])
    rc, secs, out = run(cmd, env=dict(os.environ, MDT_VARIANT=build), timeout=120)
    verdict = VERDICTS.get(rc, "hung" if rc is None else ("clean" if rc == 0 else f"exit {rc}"))
    if scenario == "free_no_grace" and verdict == "asan" and "heap-use-after-free" not in out:
        verdict = "asan, not a use after free"
    return {"mutant": mutant, "scenario": scenario, "build": build, "seed": seed, "verdict": verdict,
            "seconds": round(secs, 3), "command": f"./mdt --build {build} " + shell_quote(cmd[1:]),
            "tail": out.splitlines()[-4:] if rc not in (0, 1, 4, 66, 67, 68) else []}


def hitrate_report(args, dets, cells, wall):
    lines = [f"# Real-thread hit rate: each seeded bug's racing pair, {args.repeat} run(s) a cell", "",
             f"`{args.command}` on {ncpu()} CPUs, one run at a time: wall time {wall:.0f}s. "
             "A cell: runs whose verdict was the bug's detector (or, for an oracle bug, the build's "
             "sanitizer or the stall watchdog, which watch every run) / runs, and the median wall "
             "time of the caught runs. Scenarios: bench/bench.py HITRATE.", "",
             "| mutant | detector | " + " | ".join(args.builds) + " |", "|---|---|" + "---|" * len(args.builds)]
    table = []
    for m in sorted({c["scenario"] for c in cells}, key=list(dets).index):
        row = []
        for b in args.builds:
            cs = [c for c in cells if c["scenario"] == m and c["build"] == b and c["mutant"] != "none"]
            if not cs:
                row.append("n/a")
                continue
            hits = [c["seconds"] for c in cs if c["caught"]]
            med = statistics.median(hits) if hits else None
            table.append({"mutant": m, "build": b, "runs": len(cs), "caught": len(hits), "median_s": med,
                          "verdicts": sorted({c["verdict"] for c in cs})})
            row.append(f"{len(hits)}/{len(cs)} {fmt_s(med)}" if hits else f"0/{len(cs)}")
        lines.append(f"| {m} | {dets[m]} | " + " | ".join(row) + " |")
    fps = [c for c in cells if c["mutant"] == "none" and c["verdict"] != "clean"]
    lines += ["", f"Each scenario once on the correct code in each build: "
              f"{sum(c['mutant'] == 'none' for c in cells) - len(fps)} clean, {len(fps)} false positive(s)."]
    lines += [f"- FALSE POSITIVE {c['scenario']} / {c['build']}: {c['verdict']}; rerun: `{c['command']}`" for c in fps]
    md = "\n".join(lines) + "\n"
    write(os.path.join(args.out, "hitrate.md"), md)
    write(os.path.join(args.out, "hitrate.json"), json.dumps({
        "repeat": args.repeat, "builds": args.builds, "cpus": ncpu(), "wall_s": round(wall, 1),
        "table": table, "false_positives": len(fps), "runs": cells}, indent=1) + "\n")
    log("\n" + md + f"bench hitrate: wrote {args.out}/hitrate.md, hitrate.json")
    return EXIT_FAIL if fps else EXIT_OK


def cmd_hitrate(args, builds):
    dets = dict(line.split()[:2] for line in mutant_names(builds) if line.split()[0] in HITRATE)
    mutants = args.mutants or list(dets)
    bad = [m for m in mutants if m not in dets]
    if bad:
        raise UsageError(f"no real-thread scenario for: {', '.join(bad)} (of: {', '.join(dets)})")
    for b in args.builds:
        builds.ensure(b)
    runs = [(b, m, m, s) for b in args.builds for m in mutants if hitrate_wanted(dets[m], b)
            for s in range(1, args.repeat + 1)]
    runs += [(b, "none", m, 1) for b in args.builds for m in mutants if hitrate_wanted(dets[m], b)]
    log(f"bench hitrate: {len(runs)} stress runs ({args.repeat} a mutant and build, and each "
        f"scenario once on the correct code) in {', '.join(args.builds)}")
    t0, cells = time.monotonic(), []
    for i, (b, m, sc, seed) in enumerate(runs):
        c = hitrate_run(builds, b, m, sc, seed)
        c["caught"] = m != "none" and c["verdict"] in hitrate_wanted(dets[m], b)
        cells.append(c)
        log(f"[{i + 1}/{len(runs)} {time.monotonic() - t0:6.0f}s] {m if m != 'none' else sc + ' (correct code)'}"
            f" / {b} seed {seed}: {c['verdict']} in {fmt_s(c['seconds'])}")
    return hitrate_report(args, dets, cells, time.monotonic() - t0)


# ---------------------------------------------------------------- reach

# Race points no driver can pass in these builds: a sentinel, and the global
# lock of the core_lock=global baseline (the lock-free build never takes it).
REACH_NA = {"none": "not a race point (the registry's 0)",
            "global.lock": "core_lock=global builds only"}


def reach_runs(builds, secs, tmp):
    """(driver, target, command, env) of each measured run: a default run of each driver,
    the core for the whole time and every other target (`mdt targets`) for a quarter of it."""
    t, quarter = f"{secs:g}s", f"{max(secs / 4, 1):g}s"
    mdt = builds.path("debug", "cli/mdt")
    seeds = compile_seeds(builds, "debug", os.path.join(tmp, "seeds"))
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":" +
               sanitizer_options(builds.root, "fuzz-asan"))
    env.pop("MDT_MUTANT", None)
    targets = subprocess.run([mdt, "targets", "--names"], stdout=subprocess.PIPE, text=True,
                             check=True).stdout.split()
    runs = [("fuzz_sched", "all", [builds.path("fuzz", "fuzz/fuzz_sched"), seeds,
                                   f"-max_total_time={max(1, int(secs))}", "-seed=1",
                                   f"-artifact_prefix={tmp}/", "-dict=" + builds.path("fuzz", "fuzz/mdt.dict")], env)]
    for tg in targets:
        d = t if tg == "core" else quarter
        runs += [
            ("explore", tg, [mdt, "explore", "--target", tg, "--time", d, "--seed", "1", "--artifacts", tmp], env),
            ("stress", tg, [mdt, "stress", "--target", tg, "--duration", d, "--threads", "2", "--seed", "1"], env),
            ("stress --rounds", tg, [mdt, "stress", "--target", tg, "--rounds", "100000000", "--duration", d,
                                     "--threads", "3", "--seed", "1", "--artifacts", tmp], env)]
    return runs


def reach_merge(into, js):
    for tg, ops in js["ops"].items():
        for op, n in ops.items():
            into["ops"].setdefault(tg, {}).setdefault(op, 0)
            into["ops"][tg][op] += n
    for rp, n in js["race_points"].items():
        into["race_points"][rp] = into["race_points"].get(rp, 0) + n


def reach_table(names, drivers, counts, what):
    lines = [f"| {what} | " + " | ".join(drivers) + " |", "|---|" + "---|" * len(drivers)]
    for n in names:
        lines.append(f"| {n} | " + " | ".join(f"{counts[d].get(n, 0):,}" for d in drivers) + " |")
    return lines


def registry_ops(builds):
    """(target, op) for every op of every target: `mdt targets`, `mdt stress --list-ops`."""
    mdt = builds.path("debug", "cli/mdt")
    out = []
    for tg in subprocess.run([mdt, "targets", "--names"], stdout=subprocess.PIPE, text=True,
                             check=True).stdout.split():
        listing = subprocess.run([mdt, "stress", "--target", tg, "--list-ops"], stdout=subprocess.PIPE,
                                 text=True, check=True).stdout.splitlines()[1:]
        out += [(tg, ln.split()[0]) for ln in listing if ln.strip()]
    return out


def cmd_reach(args, builds):
    for b in ("debug", "fuzz"):
        builds.ensure(b)
    drivers = ["explore", "fuzz_sched", "stress", "stress --rounds"]
    got = {d: {"ops": {}, "race_points": {}} for d in drivers}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for i, (drv, tg, cmd, env) in enumerate(reach_runs(builds, args.time, tmp)):
            out = os.path.join(tmp, f"reach-{i}.json")
            log(f"bench reach: {drv} ({tg}): {shell_quote(cmd)}")
            checked_run(cmd, args.time, env=dict(env, MDT_REACH=out))
            with open(out) as f:
                reach_merge(got[drv], json.load(f))
    wall = time.monotonic() - t0
    ops = registry_ops(builds)  # the denominators come from the registries, not from a driver
    rps = [rp for rp in got["explore"]["race_points"] if rp not in REACH_NA]
    op_counts = {d: {f"{tg} {op}": got[d]["ops"].get(tg, {}).get(op, 0) for tg, op in ops} for d in drivers}
    rp_counts = {d: got[d]["race_points"] for d in drivers}
    summary = []
    for d in drivers:
        o = sum(1 for k in op_counts[d] if op_counts[d][k] > 0)
        r = sum(1 for k in rps if rp_counts[d].get(k, 0) > 0)
        miss = [k for k in op_counts[d] if op_counts[d][k] == 0] + [k for k in rps if rp_counts[d].get(k, 0) == 0]
        summary.append({"driver": d, "ops": o, "ops_total": len(ops), "race_points": r,
                        "race_points_total": len(rps), "missed": miss})
    lines = [f"# Reach: ops run and race points passed, a default run of each driver ({args.time:g} s)", "",
             f"`{args.command}` on {ncpu()} CPUs: wall time {wall:.0f}s. Counted with MDT_REACH in the debug "
             "build (libFuzzer's in the fuzz build); explore, stress and stress --rounds run the core for the "
             "whole time and every other target (`mdt targets`) for a quarter of it; fuzz_sched starts from "
             "the targets' seed programs (fuzz/seeds.sh). The ops counted are every target's op table; the race points, the registry's "
             "(`md_rp_name`).", "",
             "| driver | ops reached | race points reached | missed |", "|---|---|---|---|"]
    lines += [f"| {s['driver']} | {s['ops']}/{s['ops_total']} | {s['race_points']}/{s['race_points_total']} | "
              f"{', '.join(s['missed']) or '-'} |" for s in summary]
    lines += ["", "Not counted: " + "; ".join(f"`{k}` ({v})" for k, v in REACH_NA.items()) + ".", "",
              "## Ops", ""] + reach_table([f"{tg} {op}" for tg, op in ops], drivers, op_counts, "op")
    lines += ["", "## Race points", ""] + reach_table(rps, drivers, rp_counts, "race point")
    md = "\n".join(lines) + "\n"
    write(os.path.join(args.out, "reach.md"), md)
    write(os.path.join(args.out, "reach.json"), json.dumps({"time_s": args.time, "wall_s": round(wall, 1),
                                                           "summary": summary, "counts": got}, indent=1) + "\n")
    log("\n".join(lines[:6 + len(summary)]) + f"\n\nbench reach: wrote {args.out}/reach.md, reach.json")
    return EXIT_OK


# ---------------------------------------------------------------- throughput

KINDS = ["lookup", "lockframe", "index_lookup", "alloc_put"]


def md_bench(builds, variant, argv, secs):
    """One md_bench measurement: the JSON line it prints."""
    cmd = [builds.path(variant, "bench/md_bench")] + argv
    rows = [json.loads(ln) for ln in checked_run(cmd, secs).splitlines() if ln.startswith("{")]
    if not rows:
        raise RunFailed(f"{shell_quote(cmd)} printed no measurement")
    return rows[0]


def cmd_throughput(args, builds):
    builds.ensure("release")
    builds.ensure("global")
    threads = list(range(1, ncpu() + 1))
    t = f"{args.time:g}s"
    rows, t0 = [], time.monotonic()
    for n in threads:
        for d in CORE_DESIGNS:
            for k in KINDS:
                for v in ("release", "global"):
                    rows.append(throughput_one(builds, v, k, n, d, args.time))
        rows.append(throughput_one(builds, "release", "floor", n, CORE_DESIGNS[0], args.time))
    wall = time.monotonic() - t0
    get = {(r["design"], r["kind"], r["core_lock"], r["threads"]): r["ops_per_s"] for r in rows}
    floor = {r["threads"]: r["ops_per_s"] for r in rows if r["kind"] == "floor"}
    lines = [f"# Core throughput (release build, no race points; {args.time:g} s a measurement)", "",
             f"`{args.command}` on {ncpu()} CPUs: wall time {wall:.0f}s. 65,536 frames, three quarters owned "
             "by folios of order 0..3; random frames. Each design of the core (`mdt targets`: one or two "
             "words per frame, epoch-freed or type-safe descriptors) in the lock-free and the global-lock "
             "build.", "",
             "| design | op | threads | lock-free ops/s | global-lock ops/s | lock-free / global |",
             "|---|---|---|---|---|---|"]
    for d in CORE_DESIGNS:
        for k in KINDS:
            for n in threads:
                a, g = get[(d, k, "lockfree", n)], get[(d, k, "global", n)]
                lines.append(f"| {d} | {k} | {n} | {a:,.0f} | {g:,.0f} | {a / g:.2f} |")
    lines += ["", "Raw lookup protocol floor (load word, add-unless-zero, reload, put; bare array, no epoch):", "",
              "| design | threads | floor ops/s | core lookup ops/s | floor / lookup |", "|---|---|---|---|---|"]
    for d in CORE_DESIGNS:
        for n in threads:
            lk = get[(d, "lookup", "lockfree", n)]
            lines.append(f"| {d} | {n} | {floor[n]:,.0f} | {lk:,.0f} | {floor[n] / lk:.2f} |")
    lines += ["", "## Against the targets", ""]
    for d in CORE_DESIGNS:
        one = floor[1] / get[(d, "lookup", "lockfree", 1)]
        two = (get[(d, "lookup", "lockfree", 2)] / get[(d, "lookup", "global", 2)]) if 2 in threads else None
        ap = (get[(d, "alloc_put", "lockfree", 2)] / get[(d, "alloc_put", "lockfree", 1)]) if 2 in threads else None
        ag = (get[(d, "alloc_put", "lockfree", 2)] / get[(d, "alloc_put", "global", 2)]) if 2 in threads else None
        lines.append(f"- **{d}**: lookup single-threaded within 2x of the floor: floor/lookup = {one:.2f} "
                     f"({'met' if one <= 2 else 'not met'}); lookup >= 1.5x the global-lock build at 2 threads: "
                     + (f"{two:.2f}x ({'met' if two >= 1.5 else 'not met'}); alloc_put at 2 threads >= 1 thread: "
                        f"{ap:.2f}x ({'met' if ap >= 1 else 'not met'}); alloc_put >= 1.5x the global-lock build "
                        f"at 2 threads: {ag:.2f}x ({'met' if ag >= 1.5 else 'not met'})"
                        if two else "n/a (one CPU)"))
    md = "\n".join(lines) + "\n"
    write(os.path.join(args.out, "throughput.md"), md)
    write(os.path.join(args.out, "throughput.json"), json.dumps(
        {"time_s": args.time, "cpus": ncpu(), "wall_s": round(wall, 1), "rows": rows}, indent=1) + "\n")
    throughput_plot(args.out, get, floor, threads)
    log("\n" + md + f"bench throughput: wrote {args.out}/throughput.md, .json, .png")
    return EXIT_OK


def throughput_one(builds, build, kind, n, design, secs):
    r = md_bench(builds, build, ["throughput", "--kind", kind, "--threads", str(n), "--time", f"{secs:g}s",
                                 "--design", design], secs)
    r["build"] = build
    log(f"  {design:13s} {kind:13s} {r['core_lock']:8s} {n} thread(s): {r['ops_per_s']:>12,.0f} ops/s")
    return r


def throughput_plot(out, get, floor, threads):
    """Lock-free lookup and alloc_put per design, the default design's global-lock lookup, the floor."""
    series = [(f"{k} ({d})", [get[(d, k, "lockfree", n)] for n in threads], i + 1, 1)
              for i, d in enumerate(CORE_DESIGNS) for k in ("lookup", "alloc_put")]
    series += [(f"lookup ({CORE_DESIGNS[0]}, global lock)", [get[(CORE_DESIGNS[0], "lookup", "global", n)]
                                                             for n in threads], 1, 2),
               ("floor", [floor[n] for n in threads], 8, 1)]
    blocks = [gnuplot_data(f"s{i}", zip(threads, ys), ".0f") for i, (_, ys, _, _) in enumerate(series)]
    plots = ", ".join(f'$s{i} using 1:2 with linespoints lc {c} dt {dt} title "{name}"'
                      for i, (name, _, c, dt) in enumerate(series))
    gnuplot_png(os.path.join(out, "throughput.png"), "900,600",
                ("core ops/s per design (release build)", "threads", "ops/s"),
                "set logscale y\nset xtics 1\nset key outside right", blocks, plots, "the throughput plot")


# ---------------------------------------------------------------- footprint


# stress mixes whose footprint the table shows beside the default's
FOOTPRINT_MIXES = {
    "slab-heavy": "slab_alloc=30,slab_free=10,slab_create=2,alloc=5,put=5",
    "zpool-heavy": "zs_alloc=30,zs_free=10,zs_rw=10,alloc=5,put=5",
}


def footprint_orders(builds, design):
    """md_bench footprint for every folio order, 0 up to the core's max (where it says no)."""
    rows = []
    for order in range(0, 32):
        cmd = [builds.path("release", "bench/md_bench"), "footprint", "--mix", f"order{order}",
               "--design", design]
        rc, _, out = run(cmd, timeout=120)
        if rc == EXIT_USAGE and order > 0:
            break  # past the max order
        if rc != 0:
            raise RunFailed(f"{shell_quote(cmd)} failed (exit {rc}):\n{out[-1500:]}")
        rows.append(json.loads(out.strip().splitlines()[-1]))
    return rows


def footprint_stress(builds, secs, name, mix, design):
    argv = ["stress", "--target", core_target(design), "--duration", f"{secs:g}s", "--seed", "1", "--threads", "2"]
    fp = mdt_json(builds, "release", argv + (["--mix", mix] if mix else []), secs)["footprint"]
    fp.update(mix=f"stress {name}", order="0..3 + slab, zpool" if not mix else mix, design=design)
    return fp


def footprint_plot(out, orders):
    """One curve per design: bytes per frame against folio order (inline data blocks)."""
    blocks, plots = [], []
    for i, (v, rows) in enumerate(orders.items()):
        blocks.append(gnuplot_data(f"v{i}", ((r["order"], r["bytes_per_frame"]) for r in rows), ".2f"))
        plots.append(f'$v{i} using 1:2 with linespoints lw 2 title "{v}"')
    plots.append(f'{STRUCT_PAGE} with lines dt 2 lw 2 title "struct page ({STRUCT_PAGE} B)"')
    gnuplot_png(os.path.join(out, "footprint.png"), "800,500",
                ("core metadata per 4 KiB frame, every frame in folios of one order (release build)",
                 "folio order", "bytes per frame"),
                "set logscale y 2\nset xtics 1\nset key top right", blocks, ", ".join(plots),
                "the footprint plot")


def footprint_targets(v, orders, default):
    """The issue's targets for design @v, each met or not."""
    o = {r["order"]: r["bytes_per_frame"] for r in orders}
    hi = max(x for k, x in o.items() if k >= 3)
    cross = min((k for k, x in o.items() if x < STRUCT_PAGE), default=None)
    met = lambda ok: "met" if ok else "not met"
    return [f"- **{v}**: a folio descriptor is {orders[0]['folio_struct_bytes']} B "
            f"(<= 64: {met(orders[0]['folio_struct_bytes'] <= 64)}); all order 0: {o[0]:.2f} B/frame "
            f"(<= 72: {met(o[0] <= 72)}); order 1: {o.get(1, 0):.2f} (<= 40: {met(o.get(1, 99) <= 40)}); "
            f"order 3 and up: {hi:.2f} at most (<= 16: {met(hi <= 16)}); below struct page from order "
            f"{cross} on; the default stress mix: {default:.2f} B/frame"]


def cmd_footprint(args, builds):
    builds.ensure("release")
    t0 = time.monotonic()
    rows, orders, defaults = [], {}, {}
    for v in CORE_DESIGNS:
        orders[v] = footprint_orders(builds, v)
        stress = [footprint_stress(builds, args.time, "default", None, v)]
        stress += [footprint_stress(builds, args.time, n, m, v) for n, m in FOOTPRINT_MIXES.items()]
        defaults[v] = stress[0]["bytes_per_frame"]
        rows += stress + [dict(r, mix=f"order {r['order']}") for r in orders[v]]
    wall = time.monotonic() - t0
    lines = ["# Metadata footprint", "", f"`{args.command}`: wall time {wall:.0f}s. "
             "Bytes of core metadata per frame: the frame table (8 bytes a frame in the one-word designs, "
             "16 in the two-word ones), descriptors amortized over all frames, and the buddy bitmaps; the "
             "kernel spends a 64-byte struct page on every frame. Descriptors cost their struct size plus, "
             "when each is freed after a grace period (epoch), the 32-byte header that carries its epoch "
             "entry; with type-safe caches (typesafe), the 4 KiB pages of the caches, free objects "
             "included. The stress rows are the state at the end of a run of that mix on 256 frames (where "
             "three caches' first pages alone are 48 B a frame); the order rows fill 65,536 frames with "
             "folios of one order. Plot: footprint.png.", "",
             "| design | mix | frames | owned | descriptors | B/frame | of struct page |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        descs = r.get("folios", 0) + r.get("slabs", 0) + r.get("zpdescs", 0)
        lines.append(f"| {r['design']} | {r['mix']} | {r['frames']} | {r['owned_frames']} | {descs} | "
                     f"{r['bytes_per_frame']:.2f} | {r['bytes_per_frame'] / STRUCT_PAGE:.0%} |")
    lines += ["", "## Against the targets (the byte targets are the one-word layout's)", ""]
    for v in CORE_DESIGNS:
        lines += footprint_targets(v, orders[v], defaults[v])
    md = "\n".join(lines) + "\n"
    write(os.path.join(args.out, "footprint.md"), md)
    write(os.path.join(args.out, "footprint.json"), json.dumps({"wall_s": round(wall, 1), "rows": rows}, indent=1) + "\n")
    footprint_plot(args.out, orders)
    log("\n" + md + f"bench footprint: wrote {args.out}/footprint.md, .json, .png")
    return EXIT_OK


# ---------------------------------------------------------------- exec


def exec_explore(builds, v, secs):
    return mdt_json(builds, v, ["explore", "--time", f"{secs:g}s", "--seed", "1"], secs)["runs_per_s"]


def exec_stress(builds, v, secs):
    j = mdt_json(builds, v, ["stress", "--duration", f"{secs:g}s", "--seed", "1", "--threads", "2"], secs)
    return j["ops_total"] / j["duration_s"]


def exec_fuzzer(builds, name, secs, scratch, binary=None):
    """@secs of the correct build under the detect driver @name's own command, in a new dir
    under @scratch (with @binary in place of the build's fuzz_sched: a baseline).  The dirs
    stay until the benchmark ends: deleting a campaign's thousands of corpus files makes
    the file system slower to create the next one's (ext4 passes over recently freed
    inodes), so each measurement would pay for the one before."""
    drv = DRIVER_BY_NAME[name]
    tmp = tempfile.mkdtemp(dir=scratch)
    cmd = cell_cmd(builds, drv, "none", 1, secs, tmp)
    if binary:
        cmd[0] = binary
    env = cell_env(builds, drv, "none")
    env.pop("AFL_BENCH_UNTIL_CRASH", None)
    out = checked_run(cmd, secs, env=env)
    if drv.kind == "libfuzzer":
        ex = [ln for ln in out.splitlines() if "stat::average_exec_per_sec" in ln]
        if not ex:
            raise RunFailed(f"{shell_quote(cmd)} printed no exec/s")
        return float(ex[-1].split(":")[-1]), ""
    with open(os.path.join(tmp, "afl", "main", "fuzzer_stats")) as f:
        kv = {k.strip(): v.strip() for k, v in (ln.split(":", 1) for ln in f if ":" in ln)}
    return float(kv["execs_per_sec"]), f"stability {kv['stability']}"


EXEC_FUZZ_ROW = "fuzz_sched exec/s, libFuzzer (ASan+UBSan)"


def exec_fuzzer_vs(builds, baseline, rounds, secs, scratch):
    """fuzz_sched's exec/s and @baseline's (another build's fuzz_sched), in turn for @rounds
    rounds: the medians and the median of the rounds' ratios (before/after in one run)."""
    now, base = [], []
    for r in range(rounds):
        now.append(exec_fuzzer(builds, "fuzz-libfuzzer", secs, scratch)[0])
        base.append(exec_fuzzer(builds, "fuzz-libfuzzer", secs, scratch, baseline)[0])
        log(f"  fuzz_sched exec/s, round {r + 1}/{rounds}: {now[-1]:,.0f}, baseline {base[-1]:,.0f}")
    ratio = statistics.median(a / b for a, b in zip(now, base))
    what = EXEC_FUZZ_ROW
    return [(what, "fuzz", statistics.median(now), f"median of {rounds}; {ratio:.2f}x the baseline, median of the rounds' ratios"),
            (what + ", baseline", baseline, statistics.median(base), f"median of {rounds}, in turn with the row above")]


def cmd_exec(args, builds):
    secs, rows, t0 = args.time, [], time.monotonic()
    if args.baseline is not None:
        args.baseline = os.path.abspath(args.baseline) if args.baseline else ""
        if not os.path.isfile(args.baseline) or not os.access(args.baseline, os.X_OK):
            raise UsageError(f"--baseline {args.baseline}: not an executable (another build's fuzz/fuzz_sched)")
    for v in ("engine", "debug", "tsan", "asan"):
        builds.ensure(v)
        rows.append(("explore runs/s (3 threads x 6 ops)", v, exec_explore(builds, v, secs), ""))
        log(f"  {rows[-1][0]} {v}: {rows[-1][2]:,.0f}")
    for v in ("release", "debug", "tsan", "asan"):
        builds.ensure(v)
        rows.append(("stress ops/s (2 workers + compactor + migrator, 256 frames)", v, exec_stress(builds, v, secs), ""))
        log(f"  {rows[-1][0]} {v}: {rows[-1][2]:,.0f}")
    builds.ensure("fuzz")
    with tempfile.TemporaryDirectory() as scratch:
        if args.baseline is not None:
            rows += exec_fuzzer_vs(builds, args.baseline, args.rounds, secs, scratch)
        else:
            rows.append((EXEC_FUZZ_ROW, "fuzz") +
                        exec_fuzzer(builds, "fuzz-libfuzzer", secs, scratch))
            log(f"  {rows[-1][0]}: {rows[-1][2]:,.0f}")
        if shutil.which("afl-fuzz"):
            builds.ensure("afl")
            rows.append(("fuzz_sched exec/s, AFL++ (persistent)", "afl") +
                        exec_fuzzer(builds, "fuzz-afl", max(secs, 10), scratch))
            log(f"  {rows[-1][0]}: {rows[-1][2]:,.0f} ({rows[-1][3]})")
    wall = time.monotonic() - t0
    lines = [f"# Execution speed ({secs:g} s a measurement, seed 1)", "", f"`{args.command}` on {ncpu()} CPUs: wall time {wall:.0f}s.", "",
             "| what | build | per second | note |", "|---|---|---|---|"]
    lines += [f"| {w} | {v} | {x:,.0f} | {n} |" for (w, v, x, n) in rows]
    md = "\n".join(lines) + "\n"
    write(os.path.join(args.out, "exec.md"), md)
    write(os.path.join(args.out, "exec.json"), json.dumps({"time_s": secs, "wall_s": round(wall, 1), "rows": [
        {"what": w, "build": v, "per_s": round(x, 1), "note": n} for (w, v, x, n) in rows]}, indent=1) + "\n")
    log("\n" + md + f"bench exec: wrote {args.out}/exec.md, .json")
    return EXIT_OK


# ---------------------------------------------------------------- strategies

STRATEGIES = ["random", "pct", "mix", "urw", "pos"]
FAIL_RUN = re.compile(r"^FAIL \S+ at step \d+ \(run (\d+)\)", re.M)


def strategy_run(builds, build, mutant, strategy, seed, budget, tmp):
    """One explore of @mutant under @strategy: (runs to the first failure or None, seconds)."""
    cmd = [builds.path(build, "cli/mdt"), "explore", "--target", mutant_target(mutant),
           "--mutant", mutant, "--strategy", strategy, "--seed", str(seed),
           "--time", f"{budget:g}s", "--artifacts", tmp]
    env = dict(os.environ, MDT_VARIANT=build)
    env.pop("MDT_MUTANT", None)
    rc, secs, out = run(cmd, env=env, timeout=budget + 120)
    found = FAIL_RUN.findall(out)
    cell = {"mutant": mutant, "strategy": strategy, "seed": seed, "build": build, "exit": rc,
            "seconds": round(secs, 3), "command": shell_quote(cmd[1:-2])}
    cell["runs"] = int(found[-1]) + 1 if rc == EXIT_FAIL and found else None
    return cell


def strategies_table(cells, mutants, strategies):
    table = {}
    for m in mutants:
        for st in strategies:
            cs = [c for c in cells if c["mutant"] == m and c["strategy"] == st]
            hits = [c for c in cs if c["runs"] is not None]
            runs = [c["runs"] for c in hits]
            table[(m, st)] = {"trials": len(cs), "found": len(hits),
                              "median_runs": statistics.median(runs) if runs else None,
                              "mean_runs": statistics.mean(runs) if runs else None,
                              "median_s": statistics.median([c["seconds"] for c in hits]) if hits else None}
    return table


def strategies_markdown(args, table, mutants, strategies, wall):
    lines = [f"# Schedule strategies: {len(mutants)} seeded bugs x {len(strategies)} strategies, "
             f"{args.trials} trial(s), budget {args.budget:g}s", "",
             f"`{args.command}` on {ncpu()} CPUs, {args.jobs} at a time: wall time {wall:.0f}s. "
             "explore in the asan build (the tsan build for the bugs only TSan sees), seeds 1..K. "
             "A cell: found/trials, then the runs to the first failure (median / mean) and the "
             "median wall time of the finds (start-up included).", "",
             "| mutant | " + " | ".join(strategies) + " |", "|---|" + "---|" * len(strategies)]
    for m in mutants:
        row = []
        for st in strategies:
            v = table[(m, st)]
            row.append(f"{v['found']}/{v['trials']} {v['median_runs']:g} / {v['mean_runs']:.0f} "
                       f"{fmt_s(v['median_s'])}" if v["found"] else f"0/{v['trials']}")
        lines.append(f"| {m} | " + " | ".join(row) + " |")
    lines += ["", "Per strategy: bugs found in every trial; bugs where its median runs are the "
              "fewest (ties count for each); the sum over bugs of the median wall time, a bug "
              "not found in every trial counted at the budget.", "",
              "| strategy | found in every trial | fewest median runs | sum of median times |",
              "|---|---|---|---|"]
    for st in strategies:
        allf = sum(table[(m, st)]["found"] == table[(m, st)]["trials"] for m in mutants)
        best = 0
        for m in mutants:
            meds = [table[(m, x)]["median_runs"] for x in strategies
                    if table[(m, x)]["found"] == table[(m, x)]["trials"]]
            v = table[(m, st)]
            best += bool(meds) and v["found"] == v["trials"] and v["median_runs"] == min(meds)
        tot = sum(table[(m, st)]["median_s"] if table[(m, st)]["found"] == table[(m, st)]["trials"]
                  else args.budget for m in mutants)
        lines.append(f"| {st} | {allf}/{len(mutants)} | {best} | {tot:.1f}s |")
    return "\n".join(lines) + "\n"


def cmd_strategies(args, builds):
    lines = mutant_names(builds)
    dets = {ln.split()[0]: ln.split()[1] for ln in lines}
    mutants = args.mutants or list(dets)
    bad = [m for m in mutants if m not in dets]
    if bad:
        raise UsageError(f"unknown mutant(s): {', '.join(bad)} (see ./mdt mutants)")
    build_of = {m: "tsan" if dets[m] == "tsan" else "asan" for m in mutants}
    for b in dict.fromkeys(build_of.values()):
        builds.ensure(b)
    cells_to_run = [(m, st, k) for k in range(1, args.trials + 1) for m in mutants for st in args.strategies]
    log(f"bench strategies: {len(cells_to_run)} explore runs ({len(mutants)} bugs x "
        f"{len(args.strategies)} strategies x {args.trials}), budget {args.budget:g}s, {args.jobs} at a time")
    work = tempfile.mkdtemp(prefix="strategies-", dir=args.out)
    t0, cells = time.monotonic(), []

    def one(m, st, k):
        d = tempfile.mkdtemp(dir=work)
        try:
            return strategy_run(builds, build_of[m], m, st, k, args.budget, d)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for fut in concurrent.futures.as_completed([ex.submit(one, *t) for t in cells_to_run]):
            c = fut.result()
            cells.append(c)
            res = f"run {c['runs']} in {fmt_s(c['seconds'])}" if c["runs"] else f"not found (exit {c['exit']})"
            log(f"[{len(cells)}/{len(cells_to_run)} {time.monotonic() - t0:6.0f}s] {c['mutant']} / "
                f"{c['strategy']} #{c['seed']}: {res}")
    shutil.rmtree(work, ignore_errors=True)
    wall = time.monotonic() - t0
    table = strategies_table(cells, mutants, args.strategies)
    md = strategies_markdown(args, table, mutants, args.strategies, wall)
    write(os.path.join(args.out, "strategies.md"), md)
    write(os.path.join(args.out, "strategies.json"), json.dumps({
        "budget_s": args.budget, "trials": args.trials, "cpus": ncpu(), "jobs": args.jobs,
        "wall_s": round(wall, 1), "strategies": args.strategies, "mutants": mutants,
        "table": [{"mutant": k[0], "strategy": k[1], **v} for k, v in table.items()],
        "runs": sorted(cells, key=lambda c: (c["mutant"], c["strategy"], c["seed"]))}, indent=1) + "\n")
    log("\n" + md + f"bench strategies: wrote {args.out}/strategies.md, strategies.json")
    return EXIT_OK


# ---------------------------------------------------------------- main


def cmd_smoke(args, builds):
    """Seconds-long runs of every benchmark: they still work (CI); no figures judged."""
    rc = 0
    base = args.out
    builds.ensure("fuzz")  # exec's --baseline: this build's own fuzz_sched, the code path
    for name, sub, extra in (
            ("throughput", "throughput", ["--time", "0.2s"]), ("footprint", "footprint", ["--time", "1s"]),
            ("exec", "exec", ["--time", "1s", "--baseline", builds.path("fuzz", "fuzz/fuzz_sched"),
                              "--rounds", "1"]),
            ("reach", "reach", ["--time", "1s"]),
            ("hitrate", "hitrate", ["--repeat", "1", "--builds", "debug", "--mutants", "isolate_twice"]),
            ("detect", "detect", ["--budget", "3s", "--trials", "1", "--mutants",
                                  "gup_no_recheck,pcp_drain_unlocked"]),
            ("detect-design", "detect", ["--budget", "3s", "--trials", "1", "--design", "two-typesafe",
                                         "--drivers", "explore-random", "--mutants", "gup_no_recheck"]),
            ("strategies", "strategies", ["--budget", "3s", "--trials", "1", "--mutants", "gup_no_recheck"])):
        a = parse_args([sub, "--out", os.path.join(base, name)] + extra, args.root)
        prepare_out(a.out)
        r = a.func(a, builds)
        for f in os.listdir(a.out):
            if f.endswith((".md", ".json", ".png")) and os.path.getsize(os.path.join(a.out, f)) == 0:
                r = EXIT_FAIL
        log(f"bench smoke: {name}: {'ok' if r == 0 else 'FAILED'}")
        rc = rc or r
    return rc


def prepare_out(out):
    """Create @out and prove it writable before any work is done."""
    try:
        os.makedirs(out, exist_ok=True)
        tempfile.NamedTemporaryFile(dir=out).close()
    except OSError as e:
        raise EnvError(f"cannot write the output directory '{out}': {e.strerror}") from e


class Parser(argparse.ArgumentParser):
    """argparse whose errors are one line and exit 2 (usage stays on --help)."""

    def error(self, message):
        raise UsageError(f"{message} (see ./mdt bench --help)")


def parse_args(argv, root):
    p = Parser(prog="mdt bench", description=__doc__.split("\n\n")[0])
    sp = p.add_subparsers(dest="sub", required=True)

    def common(q, default_time):
        q.add_argument("--out", default=None, help="output directory (default bench-out/SUB)")
        q.add_argument("--time", type=parse_secs, default=default_time, help="seconds a measurement")

    q = sp.add_parser("detect", help="detection power per seeded bug and driver")
    q.add_argument("--budget", type=parse_secs, default=60.0, help="time a cell has (default 60s)")
    q.add_argument("--trials", type=int, default=5, help="trials per cell (seeds 1..K; default 5)")
    q.add_argument("--mutants", type=lambda s: [x for x in s.split(",") if x], default=None)
    q.add_argument("--drivers", type=lambda s: [x for x in s.split(",") if x],
                   default=[d.name for d in DRIVERS], help="of: " + ", ".join(DRIVER_BY_NAME))
    q.add_argument("--jobs", type=int, default=ncpu(), help="cells side by side (default: CPUs)")
    q.add_argument("--quick", action="store_true", help="budget 5s, 1 trial: under 10 minutes")
    q.add_argument("--design", default=CORE_DESIGNS[0],
                   help="the core's design the core bugs run in: " + ", ".join(CORE_DESIGNS) +
                        " (default one-epoch; others: explore and stress drivers)")
    q.add_argument("--out", default=None)
    q.set_defaults(func=cmd_detect)
    q = sp.add_parser("throughput", help="core ops/s: lock-free, global lock, raw floor")
    common(q, 2.0)
    q.set_defaults(func=cmd_throughput)
    q = sp.add_parser("footprint", help="metadata bytes per frame")
    common(q, 5.0)
    q.set_defaults(func=cmd_footprint)
    q = sp.add_parser("exec", help="runs/s, exec/s, ops/s per build variant")
    common(q, 10.0)
    q.add_argument("--baseline", default=None,
                   help="another build's fuzz/fuzz_sched (say, a worktree of an older commit): "
                   "measured in turn with this one, the same seeds and command")
    q.add_argument("--rounds", type=int, default=3, choices=range(1, 11), metavar="1..10",
                   help="with --baseline: measurements of each (default 3)")
    q.set_defaults(func=cmd_exec)
    q = sp.add_parser("reach", help="ops and race points each driver reaches in a default run")
    common(q, 10.0)
    q.set_defaults(func=cmd_reach)
    q = sp.add_parser("hitrate", help="real-thread hit rate of each seeded bug's racing pair")
    q.add_argument("--repeat", type=int, default=5, help="runs per mutant and build (seeds 1..N; default 5)")
    q.add_argument("--builds", type=lambda s: [x for x in s.split(",") if x], default=["tsan", "asan"],
                   help="of: " + ", ".join(SANITIZER_OF) + " (default tsan,asan)")
    q.add_argument("--mutants", type=lambda s: [x for x in s.split(",") if x], default=None)
    q.add_argument("--out", default=None)
    q.set_defaults(func=cmd_hitrate)
    q = sp.add_parser("strategies", help="runs to the first failure per seeded bug and schedule strategy")
    q.add_argument("--budget", type=parse_secs, default=20.0, help="time a run has (default 20s)")
    q.add_argument("--trials", type=int, default=5, help="runs per cell (seeds 1..K; default 5)")
    q.add_argument("--mutants", type=lambda s: [x for x in s.split(",") if x], default=None)
    q.add_argument("--strategies", type=lambda s: [x for x in s.split(",") if x], default=STRATEGIES,
                   help="of: " + ", ".join(STRATEGIES))
    q.add_argument("--jobs", type=int, default=ncpu(), help="runs side by side (default: CPUs)")
    q.add_argument("--out", default=None)
    q.set_defaults(func=cmd_strategies)
    q = sp.add_parser("smoke", help="every benchmark for seconds (CI)")
    q.add_argument("--out", default=None)
    q.set_defaults(func=cmd_smoke)
    a = p.parse_args(argv)
    a.root = root
    a.command = "./mdt bench " + " ".join(argv)
    if a.sub == "detect":
        if a.quick:
            a.budget, a.trials = 5.0, 1
        if a.trials < 1 or a.jobs < 1 or a.budget <= 0:
            raise UsageError("--trials, --jobs and --budget must be positive")
        bad = [d for d in a.drivers if d not in DRIVER_BY_NAME]
        if bad:
            raise UsageError(f"unknown driver(s): {', '.join(bad)} (of: {', '.join(DRIVER_BY_NAME)})")
    if a.sub == "strategies" and (a.trials < 1 or a.jobs < 1 or a.budget <= 0 or not a.strategies):
        raise UsageError("--trials, --jobs and --budget must be positive, --strategies not empty")
    if a.sub == "strategies" and any(x not in STRATEGIES for x in a.strategies):
        raise UsageError(f"--strategies: of {', '.join(STRATEGIES)} (got {','.join(a.strategies)})")
    if a.sub == "hitrate":
        if a.repeat < 1:
            raise UsageError("--repeat must be positive")
        bad = [b for b in a.builds if b not in SANITIZER_OF]
        if bad or not a.builds:
            raise UsageError(f"--builds: of {', '.join(SANITIZER_OF)} (got {','.join(a.builds) or 'none'})")
    a.out = os.path.abspath(a.out or os.path.join("bench-out", a.sub))
    return a


def main():
    if len(sys.argv) < 2:
        print("usage: bench.py ROOT SUBCOMMAND [options]", file=sys.stderr)
        return EXIT_USAGE
    root = os.path.abspath(sys.argv[1])
    try:
        args = parse_args(sys.argv[2:], root)
    except UsageError as e:
        print(f"mdt bench: {e}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as e:
        return EXIT_OK if e.code == 0 else EXIT_USAGE
    try:
        prepare_out(args.out)
        return args.func(args, Builds(root))
    except UsageError as e:
        print(f"mdt bench: {e}", file=sys.stderr)
        return EXIT_USAGE
    except EnvError as e:
        print(f"mdt bench: {e}", file=sys.stderr)
        return EXIT_ENV
    except RunFailed as e:
        print(f"mdt bench: {e}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("mdt bench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
