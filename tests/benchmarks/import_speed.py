"""How long it takes to read a statement and propose its pledges, and to import it,
for statements of 1,000 and of 10,000 words (the goal: under 200 ms for 10,000).

    make benchmark-import    (or: .venv/bin/python -m tests.benchmarks.import_speed)

The statements are made of the labelled texts in tests/data/statements/, repeated
under one heading until they reach the size. "read and propose" is the reading of the
heading, the sentences and the extraction, in memory; "import" adds writing the
statement and its proposals into a throwaway SQLite database. Each is the median of
7 runs, after one run to load the code. The figures are reported, never asserted.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HEADING = (
    "Statement by H.E. Ms. Ana Valdéz, Permanent Representative of Chile to the United Nations, "
    "at the Security Council Open Debate on Water and Peace\n\n14 March 2024\n\nMadam President,\n\n"
)
RUNS = 7


def body_of(words: int) -> str:
    from tracker.importing.drafts import read_file

    folder = Path(__file__).resolve().parent.parent / "data" / "statements"
    texts = [read_file(p.name, p.read_bytes()).text for p in sorted(folder.glob("*.txt"))]
    paragraphs = [para for text in texts for para in text.split("\n\n")]
    body, count, i = [], 0, 0
    while count < words:
        paragraph = paragraphs[i % len(paragraphs)]
        body.append(paragraph)
        count += len(paragraph.split())
        i += 1
    return "\n\n".join(body)


def median_ms(action) -> float:
    action()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(sizes: list[int]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="pledge-import-benchmark-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DATABASE_URL=f"sqlite:///{folder / 'benchmark.sqlite3'}",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from tracker import services
    from tracker.importing.drafts import draft_from_text
    from tracker.importing.sentences import split_sentences
    from tracker.models import Statement

    call_command("migrate", verbosity=0)
    print(f"{'words':>7} {'sentences':>9} {'proposals':>9} {'read and propose':>17} {'import':>9}")
    try:
        for words in sizes:
            text = HEADING + body_of(words)
            draft = draft_from_text("benchmark.txt", text)
            sentences = len(split_sentences(draft.text))

            def read_and_propose(text=text):
                draft_from_text("benchmark.txt", text)

            def import_it(text=text, fingerprint=draft.fingerprint):
                Statement.objects.filter(text_fingerprint=fingerprint).delete()
                services.import_statement(draft=draft_from_text("benchmark.txt", text), imported_by=None)

            read_ms, import_ms = median_ms(read_and_propose), median_ms(import_it)
            figures = f"{len(draft.text.split()):>7,} {sentences:>9,} {len(draft.proposals):>9,}"
            print(f"{figures} {read_ms:>14.0f} ms {import_ms:>6.0f} ms")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [1000, 10000])
