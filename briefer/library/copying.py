"""Copying snippets between libraries: local to team, team to local, or any two.

`copy_snippets(source, target, query)` reads the live snippets of `source`
(all of them, or every hit of `query`, whole words: no half-typed prefix)
and stores them in `target` as one import, so the copy is one transaction:
each keeps its text, note, source, tags and collection; one the target
already has (the same text from the same source) is counted as a duplicate
and left as it is there (taken out of its trash if it was in it). The
snippets get new ids and today's date in the target.
"""

from __future__ import annotations

from pathlib import Path

from briefer.jobs import ProgressCallback
from briefer.library.common import INT_MAX
from briefer.library.location import AnyLibrary
from briefer.library.model import ImportReport, Record


def copy_snippets(
    source: AnyLibrary,
    target: AnyLibrary,
    query: str = "",
    *,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Copy `source`'s live snippets (or `query`'s hits) into `target`;
    the report counts them as an import does (a rejection's `line` is the
    snippet's id in `source`)."""
    if query.strip():
        hits = source.search(query, limit=INT_MAX, as_you_type=False)
        snippets = sorted((hit.snippet for hit in hits), key=lambda s: s.id)
    else:
        snippets = list(reversed(source.list(limit=None)))
    records = [
        Record(
            text=s.text,
            source=s.source,
            note=s.note,
            tags=s.tags,
            collection=s.collection,
            line=s.id,
        )
        for s in snippets
    ]
    return target.import_records(records, ImportReport(Path("snippets")), progress)
