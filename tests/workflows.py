#!/usr/bin/env python3
"""workflows.py ROOT - the GitHub workflows, checked as GitHub and
ClusterFuzzLite read them (TAP): each parses, has triggers and jobs, every
step runs something; each ClusterFuzzLite action step passes only inputs
its action.yml documents, its required ones, and values those inputs take
(mode, sanitizer, language as .clusterfuzzlite/project.yaml says); the
nightly job runs on the Debian release CI uses."""
import glob
import os
import sys

import yaml

# google/clusterfuzzlite actions/*/action.yml at v1: the inputs each documents
CFLITE = {
    "build_fuzzers": {
        "inputs": {"language", "dry-run", "allowed-broken-targets-percentage", "sanitizer",
                   "project-src-path", "bad-build-check", "storage-repo", "storage-repo-branch",
                   "storage-repo-branch-coverage", "upload-build", "github-token"},
        "required": set(),
    },
    "run_fuzzers": {
        "inputs": {"language", "fuzz-seconds", "dry-run", "sanitizer", "mode", "github-token",
                   "storage-repo", "storage-repo-branch", "storage-repo-branch-coverage",
                   "report-unreproducible-crashes"},
        "required": {"fuzz-seconds", "github-token"},
    },
}
MODES = {"code-change", "batch", "coverage", "prune"}
SANITIZERS = {"address", "undefined", "memory", "coverage"}
n = 0
failed = False


def check(ok, what):
    global n, failed
    n += 1
    print(("ok" if ok else "not ok") + f" {n} - {what}")
    failed |= not ok


def matrix_values(job, value):
    """A value, or the values a ${{ matrix.KEY }} expression takes."""
    if isinstance(value, str) and value.startswith("${{ matrix."):
        key = value[len("${{ matrix."):].split("}")[0].strip()
        return job.get("strategy", {}).get("matrix", {}).get(key, [])
    return [value]


def cflite_step(name, job, step, language):
    action = step["uses"].split("/actions/")[1].split("@")[0]
    spec = CFLITE.get(action)
    check(spec is not None, f"{name}: {step['uses']} is a ClusterFuzzLite action")
    if spec is None:
        return
    given = set(step.get("with", {}))
    check(given <= spec["inputs"], f"{name}: {action} gets only documented inputs "
          f"(unknown: {sorted(given - spec['inputs'])})")
    check(spec["required"] <= given, f"{name}: {action} gets its required inputs "
          f"(missing: {sorted(spec['required'] - given)})")
    w = step.get("with", {})
    check(w.get("language") == language, f"{name}: {action} language {w.get('language')!r} "
          f"is project.yaml's {language!r}")
    sans = [s for v in [w.get("sanitizer", "address")] for s in matrix_values(job, v)]
    check(sans and set(sans) <= SANITIZERS, f"{name}: {action} sanitizers {sans} are known")
    if action == "run_fuzzers":
        mode = w.get("mode", "code-change")
        check(mode in MODES, f"{name}: mode {mode!r} is one of {sorted(MODES)}")
        check((mode == "coverage") == (sans == ["coverage"]),
              f"{name}: the coverage mode, and only it, runs the coverage build")
        check(int(w["fuzz-seconds"]) > 0, f"{name}: fuzz-seconds is a positive number")


def main(root):
    with open(os.path.join(root, ".clusterfuzzlite", "project.yaml")) as f:
        language = yaml.safe_load(f)["language"]
    check(language == "c", f"project.yaml says language {language!r}")
    files = sorted(glob.glob(os.path.join(root, ".github", "workflows", "*.yml")))
    check(len(files) >= 5, f"{len(files)} workflows (nightly and four ClusterFuzzLite ones)")
    seen = set()
    for path in files:
        name = os.path.basename(path)
        try:
            with open(path) as f:
                wf = yaml.safe_load(f)
        except yaml.YAMLError as e:
            check(False, f"{name}: parses ({str(e).splitlines()[0]})")
            continue
        on = wf.get(True, wf.get("on"))  # YAML 1.1 reads the key `on` as true
        check(bool(on) and bool(wf.get("jobs")), f"{name}: has triggers and jobs")
        for jname, job in wf["jobs"].items():
            check(bool(job.get("runs-on")) and bool(job.get("steps")),
                  f"{name}: job {jname} says where it runs and has steps")
            for step in job["steps"]:
                if not ("uses" in step or "run" in step):
                    check(False, f"{name}: a step of {jname} runs nothing")
                elif "clusterfuzzlite/actions/" in step.get("uses", ""):
                    cflite_step(name, job, step, language)
                    if step["uses"].endswith("run_fuzzers@v1"):
                        seen.add(step["with"].get("mode", "code-change"))
        if name == "nightly.yml":
            check(wf["jobs"]["stress"].get("container", "").startswith("debian:bookworm"),
                  "nightly.yml runs on Debian bookworm, as CI and the README do")
    check(seen == MODES, f"the workflows run every ClusterFuzzLite mode (seen {sorted(seen)})")
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
