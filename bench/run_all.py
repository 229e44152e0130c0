"""Run every benchmark in bench/ in turn (`make bench`); each prints its own Markdown table.

.venv/bin/python bench/run_all.py [name ...]   # e.g. bench_languages bench_pages
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    wanted = set(sys.argv[1:])
    for script in sorted(HERE.glob("bench_*.py")):
        if wanted and script.stem not in wanted:
            continue
        print(f"\n## {script.stem}\n", flush=True)
        subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
