"""Time the import of a large synthetic weekly report (the review's 800/3,000-project reports).

    python scripts/bench_import.py [--projects 3000] [--apply]

Writes a report of N project lines (every tenth with a numbered milestone list) under O1-O3, then
parses it and runs the import as a dry run (or applied) against the configured database, printing
seconds per phase. Run it against a throwaway database: ``--apply`` writes the projects.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def synthetic_report(projects: int) -> str:
    lines = ["# 第53周", "", "Created: 2023年12月29日 17:30", ""]
    per_objective = max(1, projects // 3)
    number = 0
    for code, title in (("O1", "服务业务"), ("O2", "系统升级"), ("O3", "安全稳定、降本提效")):
        lines += [f"## 【{code} {title}】", ""]
        for _ in range(per_objective if code != "O3" else projects - 2 * per_objective):
            number += 1
            lines.append(f"- 合成项目{number:05d}，开发中，进度{number % 90 + 5}%，预计1/{number % 27 + 2}上线")
            if number % 10 == 0:
                lines += ["    1. 方案评审，上线完成", f"    2. 联调，测试进度{number % 80}%"]
        lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=3000)
    parser.add_argument("--apply", action="store_true", help="write the import (default: a dry run)")
    parser.add_argument("--max-seconds", type=float, help="fail (exit 1) when the import takes longer")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okrtracker.settings")
    import django

    django.setup()
    from reports.importing.apply import report_apply
    from reports.importing.parser import parse_report

    text = synthetic_report(args.projects)
    started = time.perf_counter()
    report = parse_report(text)
    parsed = time.perf_counter()
    result = report_apply(report, dry_run=not args.apply)
    done = time.perf_counter()
    print(
        f"{args.projects} projects, {len(text.splitlines())} lines: parse {parsed - started:.1f} s, "
        f"import {done - parsed:.1f} s ({'applied' if args.apply else 'dry run'}), {len(result.changes)} changes, "
        f"{(done - parsed) * 1000 / args.projects:.1f} ms per project line"
    )
    if args.max_seconds is not None and done - parsed > args.max_seconds:
        sys.exit(f"too slow: {done - parsed:.1f} s > {args.max_seconds} s")


if __name__ == "__main__":
    main()
