"""The whole command, measured honestly: `readiness audit --snapshot-out x.json.gz -o json` and `readiness report`.

Run by hand:  python benchmarks/whole.py [--users 100000] [--latency 0.05] [--repeat 2]
Writes benchmarks/results/whole-<users>.json.

- Pass 1 runs the command against a recording proxy in front of the simulator (its own process); pass 2 (and the
  repeats) against a replay server that answers the recorded bytes after the same latency. The replay figure is the
  one compared with the goals: the simulator's own cost cannot decide it.
- Pages are counted by the server (the proxy / replay server answers them), not by the client; a request that
  repeats one already answered with success (same method, path, query and body) is counted as "asked again".
- The pages necessary are computed from the tenant's sizes (the items the server held per read: a first request
  and the pages its nextLinks led to) and Graph's page limits per endpoint and query (page_limit); fetched /
  necessary is the over-fetch ratio.
- The chain bound is the longest sequence of requests that must follow one another (a read's pages; the report's
  302 and then its download; the groups pages and then the teams' $batch rounds), times the latency, and at least
  (all necessary HTTP requests / concurrency) x latency. Reads whose pages the client sent inside $batch (the device
  owners' 16 reads, one page of each a round) need their rounds, not their pages, as HTTP requests: round k holds the
  k-th page of every such read that has one, 20 to a $batch; their pages are still counted one by one as pages.
- The command runs as a subprocess started by a small launcher (LAUNCHER): wall, CPU (user+sys) and peak RSS
  from wait4 of the command alone, and its VmHWM polled every 10 ms as a check. The machine's load average is
  recorded with every figure: on a shared machine prefer CPU seconds and request counts to wall time.
- Objects are counted in the snapshot loaded through the public API (each section's count: rows, members,
  report rows; not the file's lines). The whole command's CPU per object divides all of the command's CPU
  (start-up, collect, save, evaluate, render) by them; the same steps are also run in process through the public
  API against the replay server (measure_phases), which gives the collect step's CPU per collected object.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import describe as describe_machine  # noqa: E402
from benchmarks.replay import Recorder, Replayer, batch_pages  # noqa: E402
from benchmarks.simserver import ServerProcess  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"

# Graph's largest page per endpoint (and query). Sources: learn.microsoft.com/graph/api/user-list (signInActivity:
# "$top ... up to 500" when selected, else 999 for directory objects, learn.microsoft.com/graph/paging);
# managedDevices, deviceCompliancePolicies and userRegistrationDetails: 1,000, as the simulator serves them
# (readiness/simulator/reads.py; the project's Graph notes give no maximum for them); JSON batches hold 20.
def page_limit(ep: str, query: str) -> int:
    from urllib.parse import unquote

    query = unquote(query)
    if ep == "/users":
        return 500 if "signInActivity" in query else 999
    if ep == "/devices" and "$expand=" in query:
        # $expand on directory objects returns at most 100 objects a page (Graph's known issues, and
        # https://learn.microsoft.com/graph/query-parameters#expand-parameter)
        return 100
    if ep in ("/deviceManagement/managedDevices", "/reports/authenticationMethods/userRegistrationDetails",
              "/deviceManagement/deviceCompliancePolicies"):
        return 1000
    return 999


# The measured command is started by this small launcher, never forked from the benchmark itself: on Linux a
# process's peak RSS (wait4's ru_maxrss) carries over the memory of the process it was forked from, until exec
# (subprocess uses vfork: the benchmark's own high-water mark, 1,251 MB when it held the recorded answers and a
# decoded snapshot, was reported as the report's). The launcher (about 10 MB) forks, execs the command, polls
# its VmHWM (the kernel's peak RSS of the command's own memory, as a check) and, every 10 ms, the sum of VmRSS over
# the command and every process it started (its collection helper, collect/helper.py: wait4's ru_maxrss is the
# largest single process's, not the sum), reaps it with wait4 and prints these with the CPU seconds (wait4's
# include the helper, which the command reaps) as JSON on its stdout. The command's stdout goes to /dev/null.
LAUNCHER = r"""
import json, os, sys, threading, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.execv(sys.argv[1], sys.argv[1:])
hwm = [0, 0]
done = threading.Event()
def field(p, name):
    with open(f"/proc/{p}/status") as fh:
        for line in fh:
            if line.startswith(name):
                return int(line.split()[1])
    return 0
def tree(p):
    out = [p]
    try:
        for t in os.listdir(f"/proc/{p}/task"):
            with open(f"/proc/{p}/task/{t}/children") as fh:
                for c in fh.read().split():
                    out += tree(int(c))
    except OSError:
        pass
    return out
def poll():
    while not done.is_set():
        try:
            hwm[0] = max(hwm[0], field(pid, "VmHWM:"))
            total = 0
            for p in tree(pid):
                try:
                    total += field(p, "VmRSS:")
                except OSError:
                    pass
            hwm[1] = max(hwm[1], total)
        except (OSError, ValueError):
            pass
        time.sleep(0.01)
threading.Thread(target=poll, daemon=True).start()
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
done.set()
print(json.dumps({"exit_code": os.waitstatus_to_exitcode(status), "wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime,
                  "maxrss_kb": ru.ru_maxrss, "hwm_polled_kb": hwm[0], "tree_rss_polled_kb": hwm[1]}))
"""


def run_measured(cmd: list[str], env: dict) -> dict:
    """Run a command through the launcher; wall, CPU and peak RSS of that process and the processes it starts (not of
    this one). ``peak_rss_mb``: the larger of the largest process's peak and the polled peak of their sum."""
    load0 = os.getloadavg()
    with tempfile.TemporaryFile() as err:
        done = subprocess.run([sys.executable, "-c", LAUNCHER, *cmd], env=env, stdout=subprocess.PIPE, stderr=err,
                              check=True)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")  # a file, not a pipe: a chatty command cannot fill it and stall
    m = json.loads(done.stdout)
    code = m["exit_code"]
    return {"exit_code": code, "wall_seconds": round(m["wall"], 2), "cpu_seconds": round(m["user"] + m["sys"], 2),
            "user_seconds": round(m["user"], 2), "sys_seconds": round(m["sys"], 2),
            "peak_rss_mb": round(max(m["maxrss_kb"], m["tree_rss_polled_kb"]) / 1024, 1),
            "peak_rss_largest_process_mb": round(m["maxrss_kb"] / 1024, 1),
            "peak_rss_polled_mb": round(m["hwm_polled_kb"] / 1024, 1),
            "peak_rss_tree_polled_mb": round(m["tree_rss_polled_kb"] / 1024, 1),
            "load_avg_before": [round(x, 2) for x in load0], "load_avg_after": [round(x, 2) for x in os.getloadavg()],
            "stderr_tail": text[-400:] if code not in (0, 3) else ""}


def necessary_pages(server: Recorder, concurrency: int) -> dict:
    """Pages a perfect client needs, from the sizes the server held and the page limits."""
    need: dict[str, int] = {}
    for ep in server.pages:
        if ep not in ("/$batch", "/_download"):
            need[ep] = 1  # a single object, or a report's 302; collections are counted per read below
    per_read: dict[str, int] = {}
    for (ep, query), n in server.reads.items():
        per_read[ep] = per_read.get(ep, 0) + max(1, math.ceil(n / page_limit(ep, query)))
    need.update(per_read)
    if "/_download" in server.pages:
        need["/_download"] = server.pages["/_download"]  # one download per report: part of the report's chain
    if "/$batch" in server.pages:
        need["/$batch"] = server.batch_items_needed
    # a read's pages follow one another; reads run side by side. Keyed by the whole query: two reads alike in
    # their first 90 characters (the 16 owner reads differ only in their filter) must not hide one another.
    chains = {f"{ep}?{query}": max(1, math.ceil(n / page_limit(ep, query))) for (ep, query), n in server.reads.items()
              if ep not in ("/groups/{id}/members", "/$batch")}
    for ep in need:
        if ep.startswith("/reports/get"):
            chains[f"{ep} -> 302 -> download"] = 2
    if "/$batch" in need:
        groups = max((v for k, v in chains.items() if k.startswith("/groups?")), default=0)
        chains["/groups -> $batch rounds (teams)"] = groups + math.ceil(need["/$batch"] / concurrency)
    longest = max(chains.items(), key=lambda kv: kv[1])
    total = sum(need.values())
    # HTTP requests necessary for the request shape the client used: the pages of the reads it sent inside $batch go
    # one page of each read a round, 20 reads to a $batch
    batched = sorted((max(1, math.ceil(server.reads[r] / page_limit(*r))) for r in getattr(server, "batched_reads", ())),
                     reverse=True)
    rounds = sum(math.ceil(sum(1 for p in batched if p >= k) / 20) for k in range(1, (batched[0] if batched else 0) + 1))
    http_total = total - sum(batched) + rounds
    # Pages beyond a read's necessary ones, and how many the server's short pages explain (Graph may serve fewer
    # than $top on any page, https://learn.microsoft.com/graph/paging): with pages as full as the client asked
    # for (its $top, at most the limit) it would have needed ceil(items / that) pages; what the server served
    # beyond that, up to its short pages, is the server's. The rest (a smaller $top than allowed, a page asked
    # again, an extra read) is the client's over-fetch.
    short_explained, short_served = 0, 0
    for read, pages in server.read_pages.items():
        items, limit = server.reads[read], page_limit(*read)
        asked = re.search(r"(?:^|&)\$top=(\d+)", read[1])
        size = min(int(asked.group(1)), limit) if asked else None  # without $top the server's default: unknown
        short = sum(1 for n in server.page_sizes.get(read, ()) if size and n < size)
        short_served += short
        if size:
            extra = pages - max(1, math.ceil(items / limit))
            short_explained += max(0, min(extra, pages - max(1, math.ceil(items / size)), short))
    client_excess = sum(server.pages.values()) - total - short_explained
    return {"by_endpoint": need, "total": total, "longest_chain": {"name": longest[0], "requests": longest[1]},
            "chain_requests": max(longest[1], math.ceil(http_total / concurrency)),
            "http_necessary": http_total, "batched_reads": len(batched), "batched_rounds": rounds,
            "chain_requests_if_every_page_were_a_request": max(longest[1], math.ceil(total / concurrency)),
            "chains": {k: v for k, v in sorted(chains.items(), key=lambda kv: -kv[1])},
            "short_pages_served": short_served, "excess_pages_short_pages_explain": short_explained,
            "client_excess_pages": client_excess}


def batch_items(tape: dict) -> int:
    """$batch requests necessary: the per-team items the client asked for, 20 to a batch. A $batch of collection
    pages (the device owners' rounds) is not one: its pages are counted in their reads (replay.batch_pages)."""
    n = 0
    for (method, path, body), (status, _, out) in tape.items():
        if method == "POST" and path.endswith("/$batch") and not batch_pages(path, body, status, out):
            n += len(json.loads(body).get("requests") or [])
    return math.ceil(n / 20)


def objects_of(snap) -> dict:  # noqa: ANN001 - a readiness.Snapshot
    """The objects collected: each section's count (the items the collector read: a list's or a Table's rows, a
    group's members, a report's rows; 1 for a single object), checked against the rows the section holds."""
    by_section = {name: sec.count for name, sec in sorted(snap.sections.items())}
    rows = {name: len(sec.data) for name, sec in snap.sections.items()
            if sec.data is not None and not isinstance(sec.data, dict)}
    return {"objects": sum(by_section.values()), "by_section": by_section,
            "count_differs_from_rows": {n: [by_section[n], r] for n, r in rows.items() if r != by_section[n]}}


def objects_in(path: Path) -> dict:
    """``objects_of`` a saved snapshot, loaded through the public API (its big sections are stored as chunks of
    1,000 rows of columns: the file's lines or chunks are not objects)."""
    import readiness

    snap = readiness.load_snapshot(path)
    return dict(objects_of(snap), collection_seconds=(snap.requests or {}).get("seconds"))


def _memory() -> dict:
    """This process's resident and peak resident memory (MB), from /proc/self/status."""
    out = {}
    for line in open("/proc/self/status"):
        if line.startswith(("VmRSS:", "VmHWM:")):
            out["rss_mb" if line.startswith("VmRSS") else "peak_rss_mb"] = round(int(line.split()[1]) / 1024, 1)
    return out


def measure_phases(graph_url: str, concurrency: int, workdir: Path) -> dict:
    """The whole command's steps, in process through the public API as `readiness audit --snapshot-out -o json`
    runs them (collect, save, evaluate with one_shot, JSON streamed to a file): CPU (this process and its collection helper: the server is
    another), wall, and RSS after each step and the peak so far. Token from READINESS_ACCESS_TOKEN."""
    import readiness

    import resource

    def cpu() -> float:  # this process's, and the collection helper's once reaped (collect/helper.py)
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + ru.ru_utime + ru.ru_stime

    phases: dict[str, dict] = {"start": {"cpu_seconds": round(cpu(), 3), **_memory()}}
    mark = [time.perf_counter(), cpu()]

    def done(name: str) -> None:
        now = [time.perf_counter(), cpu()]
        phases[name] = {"wall_seconds": round(now[0] - mark[0], 3), "cpu_seconds": round(now[1] - mark[1], 3), **_memory()}
        mark[:] = now

    snap = readiness.collect(readiness.connect(graph_url=graph_url, concurrency=concurrency), processes=None)  # as the CLI
    done("collect")
    snap.save(workdir / "phases.json.gz")
    done("save")
    audit = readiness.evaluate(snap, one_shot=True)
    done("evaluate")
    with open(workdir / "phases-out.json", "wb") as fh:
        readiness.render(audit, "json", command="audit", stream=fh)
    done("render")
    objects = objects_of(snap)
    return {"phases": phases, "objects": objects["objects"], "completeness": snap.completeness(),
            "processes": (snap.requests or {}).get("processes"),
            "collect_cpu_us_per_object": round(phases["collect"]["cpu_seconds"] / objects["objects"] * 1e6, 2)}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--phases":  # the child process of measure_phases (see main below)
        _, _, graph_url, concurrency, workdir, out = sys.argv
        Path(out).write_text(json.dumps(measure_phases(graph_url, int(concurrency), Path(workdir))))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--repeat", type=int, default=2, help="replay runs (the machine may be shared)")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--label", default="", help="a note stored with the figures (for example: before/after)")
    ap.add_argument("--keep-snapshot", type=Path, default=None, help="copy the snapshot here (for profiling)")
    args = ap.parse_args()
    out: dict = {"machine": describe_machine(),
                 "params": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                 "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    print(f"Starting the simulator: {args.users} users, {args.latency * 1000:.0f} ms latency ...", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp, \
            ServerProcess("--profile", "enterprise", "--size", str(args.users), "--latency", str(args.latency)) as srv:
        snap_path = Path(tmp) / "x.json.gz"
        env = dict(os.environ, READINESS_ACCESS_TOKEN=srv.token, READINESS_HOME=str(Path(tmp) / "home"))
        rec = Recorder(srv.url.rsplit("/v1.0", 1)[0])
        url = rec.start()
        cmd = [sys.executable, "-m", "readiness", "audit", "--graph-url", f"{url}/v1.0",
               "--concurrency", str(args.concurrency), "--snapshot-out", str(snap_path), "-o", "json"]
        sim_cpu0 = srv.cpu_seconds()
        live = run_measured(cmd, env)
        live["simulator_cpu_seconds"] = round(srv.cpu_seconds() - sim_cpu0, 2)
        live["asked_again"] = rec.asked_again()
        print("live simulator:", json.dumps(live), file=sys.stderr)
        rec.stop()
        rec.batch_items_needed = batch_items(rec.tape)
        need = necessary_pages(rec, args.concurrency)
        fetched = dict(rec.pages)
        replays, infos = [], None
        for i in range(args.repeat):
            rep = Replayer(rec.tape, args.latency, infos)
            infos = rep.infos
            rep.start(rec.port)
            snap_path.unlink(missing_ok=True)
            r = run_measured(cmd, env)
            r["pages_fetched"], r["not_recorded"], r["asked_again"] = sum(rep.pages.values()), rep.misses, rep.asked_again()
            r["http_requests"] = sum(rep.http.values())
            rep.stop()
            print(f"replay {i + 1}:", json.dumps(r), file=sys.stderr)
            replays.append(r)
        # the same steps in process (public API), against the replay server: the split of the whole command
        rep = Replayer(rec.tape, args.latency, infos)
        rep.start(rec.port)
        phase_file = Path(tmp) / "phases.json"
        in_process = run_measured([sys.executable, str(Path(__file__).resolve()), "--phases", f"{url}/v1.0",
                                   str(args.concurrency), tmp, str(phase_file)], env)
        rep.stop()
        if in_process["exit_code"] == 0:
            in_process.update(json.loads(phase_file.read_text()), not_recorded=rep.misses)
        print("in process:", json.dumps(in_process), file=sys.stderr)
        counted = objects_in(snap_path)
        snap_bytes = snap_path.stat().st_size
        if args.keep_snapshot:
            args.keep_snapshot.write_bytes(snap_path.read_bytes())
        report = [run_measured([sys.executable, "-m", "readiness", "report", str(snap_path), "-o", "json",
                                "--out", str(Path(tmp) / "r.json")], env) for _ in range(args.repeat)]
        print("report:", json.dumps(report), file=sys.stderr)
    best = min(replays, key=lambda r: r["wall_seconds"])
    bound = need["chain_requests"] * args.latency
    total_fetched = sum(fetched.values())
    objects, collect_seconds = counted["objects"], counted["collection_seconds"]
    out["tenant"] = {"users": args.users, "objects_collected": objects, "objects_by_section": counted["by_section"],
                     "count_differs_from_rows": counted["count_differs_from_rows"], "snapshot_gz_bytes": snap_bytes}
    out["pages"] = {"what_is_counted": "pages and other Graph requests as the server answered them; a $batch of collection "
                                       "pages counts as its pages (Graph throttles each request in a batch on its own), "
                                       "any other $batch once; http_requests counts every $batch once",
                    "http_requests": sum(rec.http.values()), "http_requests_by_endpoint": dict(rec.http),
                    "asked_again": live["asked_again"], "fetched_by_endpoint_server_counted": fetched,
                    "fetched": total_fetched, "necessary_by_endpoint": need["by_endpoint"], "necessary": need["total"],
                    "over_fetch": round(total_fetched / need["total"], 3),
                    "short_pages_served": need["short_pages_served"], "excess_pages_short_pages_explain": need["excess_pages_short_pages_explain"],
                    "client_excess_pages": need["client_excess_pages"], "chains": need["chains"],
                    "longest_chain": need["longest_chain"], "chain_requests": need["chain_requests"],
                    "http_necessary": need["http_necessary"], "batched_reads": need["batched_reads"],
                    "batched_rounds": need["batched_rounds"],
                    "chain_requests_if_every_page_were_a_request": need["chain_requests_if_every_page_were_a_request"],
                    "chain_bound_seconds": round(bound, 2)}
    out["live_simulator"] = live
    out["replay"] = replays
    out["in_process"] = in_process
    out["report"] = report
    phases = in_process.get("phases") or {}
    out["figures"] = {
        "what_divides_what": "per object: CPU seconds / objects collected (tenant.objects_collected, the sum of the "
                             "sections' counts); whole = the audit command's user+sys; collect = the collect step "
                             "in process (in_process.phases.collect)",
        "collection_seconds_last_replay": collect_seconds,
        "collection_over_bound_last_replay": round(collect_seconds / bound, 2) if collect_seconds else None,
        "whole_over_bound_best_replay": round(best["wall_seconds"] / bound, 2),
        "whole_cpu_seconds_best_replay": best["cpu_seconds"],
        "whole_cpu_us_per_object_best_replay": round(best["cpu_seconds"] / objects * 1e6, 1),
        "collect_cpu_us_per_object_in_process": in_process.get("collect_cpu_us_per_object"),
        "in_process_cpu_seconds": {k: v["cpu_seconds"] for k, v in phases.items()},
        "peak_rss_mb_max_replay": max(r["peak_rss_mb"] for r in replays),
        "report_seconds_best": min(r["wall_seconds"] for r in report),
        "report_cpu_seconds_best": min(r["cpu_seconds"] for r in report),
        "report_peak_rss_mb": max(r["peak_rss_mb"] for r in report),
        "pages_fetched_over_necessary": round(total_fetched / need["total"], 3),
        "http_requests": sum(rec.http.values()),
        "pages_over_necessary_without_short_pages": round((need["total"] + need["client_excess_pages"]) / need["total"], 3),
    }
    print(json.dumps(out["figures"], indent=1), file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    name = RESULTS / f"whole-{args.users}{'-' + args.label if args.label else ''}.json"
    name.write_text(json.dumps(out, indent=2) + "\n")
    print(f"Wrote {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
