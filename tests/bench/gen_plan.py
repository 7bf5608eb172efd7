"""Deterministic generator of a large Markdown plan for the parser benchmark.

The default output is about 5 MB: 50,000 tasks in 500 phases, written in
the mix of styles real plans use (checkbox lists with inline Markdown,
nested items, sub-phases, notes, code samples, an occasional status table
and emoji bullets), so the benchmark exercises every branch of the parser.

Run ``python tests/bench/gen_plan.py OUT.md`` to write it to a file.
"""

from __future__ import annotations

import random
import sys

WORDS = (
    "add migrate refactor document deploy verify cache index parse render export "
    "import schema endpoint worker queue retry token login session upload search "
    "filter report metric alert backup restore config docker ci release audit"
).split()
BOXES = ("[ ]", "[x]", "[x]", "[~]", "[!]", "[X]")
EMOJI = ("✅", "🔄", "❌", "⏳")


def _title(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(9, 16))
    style = rng.random()
    if style < 0.2:
        words[1] = f"**{words[1]}**"
    elif style < 0.35:
        words[2] = f"`{words[2]}()`"
    elif style < 0.45:
        words[0] = f"[{words[0]}](https://example.com/{words[0]})"
    return " ".join(words).capitalize()


def _phase(rng: random.Random, number: int, tasks: int) -> list[str]:
    out = [f"## Phase {number}: {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}", ""]
    out.append(f"Goal: {' '.join(rng.choices(WORDS, k=12))}.")
    out.append("")
    written = 0
    while written < tasks:
        block = rng.random()
        if block < 0.08 and tasks - written >= 4:
            out += ["| Task | Owner | Status |", "| --- | --- | --- |"]
            for _ in range(4):
                out.append(
                    f"| {_title(rng)} | @{rng.choice(WORDS)} | {rng.choice(('Done', 'WIP', 'Todo', 'Blocked'))} |"
                )
            out.append("")
            written += 4
            continue
        if block < 0.16:
            out += [f"### {rng.choice(WORDS).capitalize()} work", ""]
        if block > 0.95:
            out += [
                "```bash",
                "- [ ] not a task, only an example",
                f"make {rng.choice(WORDS)}",
                "```",
                "",
            ]
        run = min(tasks - written, rng.randint(3, 10))
        for i in range(run):
            if rng.random() < 0.1:
                out.append(f"- {rng.choice(EMOJI)} {_title(rng)}")
            elif i and rng.random() < 0.25:
                out.append(f"  - {rng.choice(BOXES)} {_title(rng)}")
            else:
                out.append(f"- {rng.choice(BOXES)} {_title(rng)}")
        written += run
        out.append("")
    return out


def generate_plan(*, phases: int = 500, tasks_per_phase: int = 100, seed: int = 3) -> str:
    """Return the benchmark plan text; the same arguments give the same text."""
    rng = random.Random(seed)
    lines = ["# Generated project plan", ""]
    for number in range(1, phases + 1):
        lines += _phase(rng, number, tasks_per_phase)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = generate_plan()
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", encoding="utf-8") as fh:
            fh.write(text)
    print(f"{len(text.encode()):,} bytes")
