"""Print the hostile-input battery's table (docs/SECURITY.md) from var/security/battery.json,
which `pytest tests/security` writes:

    .venv/bin/python -m tests.security.report [--samples]
"""

import json
import os
import sys
from pathlib import Path

REPORT = Path(
    os.environ.get("SECURITY_BATTERY_REPORT")
    or Path(__file__).resolve().parents[2] / "var" / "security" / "battery.json"
)
CLASSES = ["xss", "big", "nul", "crlf", "unicode", "sql", "template", "encoding", "formula"]


def _statuses(counts):
    return ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))


def table(results):
    header = ["form / parameters", "requests", *CLASSES, "other", "statuses", "5xx"]
    header += ["unescaped reflections", "stored, sent, read back", "failures"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    totals = {"requests": 0, "5xx": 0, "reflections": 0, "failures": 0}
    for form, result in results.items():
        classes = result["classes"]
        statuses = {}
        for counts in classes.values():
            for status, n in counts["statuses"].items():
                statuses[status] = statuses.get(status, 0) + n
        other = sum(c["requests"] for kind, c in classes.items() if kind not in CLASSES)
        errors = statuses.get("5xx", 0)
        rows = "; ".join(f"{label}: {n}" for label, n in result["rows"].items()) or "—"
        cells = [form, str(result["requests"])]
        cells += [str(classes.get(kind, {}).get("requests", 0)) for kind in CLASSES]
        cells += [str(other), _statuses(statuses), str(errors), str(result["reflections"])]
        cells += [rows, str(result["failures"])]
        lines.append("| " + " | ".join(cells) + " |")
        totals["requests"] += result["requests"]
        totals["5xx"] += errors
        totals["reflections"] += result["reflections"]
        totals["failures"] += result["failures"]
    lines.append("")
    lines.append(
        "Total: {requests} requests, {5xx} responses >= 500, {reflections} unescaped "
        "reflections, {failures} failures.".format(**totals)
    )
    return "\n".join(lines)


def failures(results):
    lines = []
    for form, result in results.items():
        for kind, count in result.get("failure_kinds", {}).items():
            lines.append(f"- {form} · {kind}: {count}")
    return "\n".join(lines)


def samples(results):
    lines = []
    for result in results.values():
        for failure in result.get("failure_samples", []):
            lines.append(
                "- {form} · {field} · {class}/{payload} · {lang} {method} {path}: "
                "{problem} {detail}".format(**failure).replace("\n", " ⏎ ")
            )
    return "\n".join(lines)


def main():
    if not REPORT.exists():
        sys.exit(f"{REPORT} not found: run `pytest tests/security` first.")
    results = json.loads(REPORT.read_text())
    print(table(results))
    listed = failures(results)
    if listed:
        print("\nFailures (form · field · class · problem: count):\n" + listed)
    if "--samples" in sys.argv:
        print("\nFirst failures of each form, in full:\n" + samples(results))


if __name__ == "__main__":
    main()
