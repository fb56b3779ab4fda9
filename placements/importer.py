"""Saving a checked SSDA903 return into the council's one history.

The rule (docs: DOMAIN "What one year's return holds"): for each child in the file,
the file's episodes replace that child's stored episodes from the child's earliest
DECOM in the file onwards; children not in the file keep their history; the per-year
tables for the year replace that council-year's rows. The saving, the recomputed
indicators and the run's outcome happen in one transaction, so a failure, or a killed
process, changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone

from corporate_parenting.lib import task_locks
from corporate_parenting.lib.text import printable
from corporate_parenting.models import LocalAuthority
from placements.models import (
    Import,
    ImportProblem,
    collection_year_bounds,
    collection_year_of,
    imported_years,
)
from placements.postcodes import placement_geography, postcode_district
from placements.ssda903 import (
    CheckedReturn,
    CodeLists,
    ImportError903,
    Problem,
    SourceFile,
    check_return,
)

logger = logging.getLogger(__name__)

SHORT_BREAKS = {"V3", "V4"}
NEW_PLACEMENT = {"P", "B", "T", "U"}

Progress = Callable[[int, str], None]


def max_file_bytes() -> int:
    return int(settings.CP_IMPORT_MAX_FILE_MB * 1024 * 1024)


def size_problem(name: str, size: int) -> Problem | None:
    limit = max_file_bytes()
    if size > limit:
        return Problem(
            "error",
            name,
            f"The file is {size / 1024 / 1024:.1f} MB, over the "
            f"{settings.CP_IMPORT_MAX_FILE_MB:g} MB limit for one file, so it was not read. "
            "A council's yearly return is usually "
            "a few MB: check it is the right file.",
        )
    return None


def files_from_paths(paths: Iterable[str | Path]) -> tuple[list[SourceFile], list[Problem]]:
    """Read CSV files, or every *.csv in a folder, checking sizes before reading."""
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv"))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem("error", str(path), "No such file or folder."))
    files: list[SourceFile] = []
    for path in found:
        problem = size_problem(path.name, path.stat().st_size)
        if problem:
            problems.append(problem)
        else:
            files.append(SourceFile(path.name, path.read_bytes()))
    if not found and not problems:
        problems.append(Problem("error", "(the return)", "No CSV files were given."))
    return files, problems


def fingerprint(files: Sequence[SourceFile]) -> list[str]:
    return sorted(hashlib.sha256(f.data).hexdigest() for f in files)


# --- the import as a whole ---------------------------------------------------------------


def run_import(
    import_run: Import,
    files: list[SourceFile],
    *,
    early_problems: Sequence[Problem] = (),
    progress: Progress | None = None,
    recompute: bool = True,
) -> Import:
    """Check and, unless rejected, save one return. Always records the outcome.

    The return's rows, its indicators and its outcome commit together, so an import
    stopped at any point, even killed, leaves the stored data as it was. Its run is then
    "running" with nobody working on it, which `close_interrupted_imports` reports.
    """
    close_interrupted_imports(import_run.la_id)
    reporter = ProgressReporter(import_run.pk)

    def step(percent: int, stage: str) -> None:
        reporter.report(percent, stage)
        if progress:
            progress(percent, stage)

    with task_locks.held_while_running(task_locks.IMPORT, import_run.pk):
        import_run.status = Import.Status.RUNNING
        import_run.started_at = timezone.now()
        import_run.files = [{"name": f.name, "bytes": len(f.data)} for f in files]
        import_run.save(update_fields=["status", "started_at", "files"])
        skip_invalid = import_run.mode == Import.Mode.SKIP_INVALID
        try:
            step(5, "Checking every row")
            codes = CodeLists.for_year(import_run.year)
            checked = check_return(
                files, year=import_run.year, codes=codes, skip_invalid=skip_invalid
            )
            checked.problems[:0] = list(early_problems)
            import_run.files = checked.files + [
                {"name": p.file, "bytes": None, "table": None, "rows": 0}
                for p in early_problems
                if p.file not in {f["name"] for f in checked.files}
            ]
            rejected = bool(checked.errors) and (
                not skip_invalid
                or "header" not in checked.tables
                or "episodes" not in checked.tables
            )
            if rejected:
                import_run.status = Import.Status.REJECTED
                _record_outcome(import_run, checked.problems)
            else:
                _save_and_record(import_run, checked, step, recompute=recompute)
        except ImportError903 as exc:
            import_run.status = Import.Status.FAILED
            _record_outcome(import_run, [Problem("error", "(the return)", str(exc))])
        except Exception:
            # Whatever went wrong, the transaction has rolled back: say so plainly and
            # keep the details for the administrators rather than leave it "running".
            logger.exception("SSDA903 import %s failed", import_run.pk)
            import_run.status = Import.Status.FAILED
            _record_outcome(
                import_run,
                [
                    Problem(
                        "error",
                        "(the return)",
                        "The import stopped because of an unexpected problem, so nothing was "
                        "saved. It has been logged for the service's administrators.",
                    )
                ],
            )
        finally:
            reporter.close()
    return import_run


def _save_and_record(
    import_run: Import, checked: CheckedReturn, step: Progress, *, recompute: bool
) -> None:
    """Save the return, recompute its indicators and record the outcome in one
    transaction: all of it is stored, or none of it."""
    with transaction.atomic():
        step(40, "Saving children, episodes and the year's tables")
        counts = save_return(import_run.la, checked, step)
        if recompute:
            # Reported before this transaction touches the run's own row, which the
            # reporter's connection would otherwise wait for.
            step(90, "Recomputing indicators")
        import_run.status = (
            Import.Status.IMPORTED_WITH_SKIPS if checked.errors else Import.Status.IMPORTED
        )
        import_run.save(update_fields=["status"])  # the recompute reads the saved years
        if recompute:
            _recompute_or_warn(import_run, checked)
        _record_outcome(
            import_run, checked.problems, counts=counts, skipped_rows=checked.skipped_rows
        )


def _recompute_or_warn(import_run: Import, checked: CheckedReturn) -> None:
    """A failed recompute rolls back to its savepoint and keeps the import, with a
    warning that says what to do."""
    try:
        with transaction.atomic():
            recompute_after_import(import_run, checked)
    except Exception:
        logger.exception("Recomputing indicators after import %s failed", import_run.pk)
        checked.problems.append(
            Problem(
                "warning",
                "(the return)",
                "The return was saved, but the indicators could not be recomputed. "
                "Ask an administrator to run recompute_indicators.",
            )
        )


def _record_outcome(
    import_run: Import,
    problems: Sequence[Problem],
    *,
    counts: dict[str, int] | None = None,
    skipped_rows: int = 0,
) -> None:
    """Save the run's status, counts and problems, as the officer will see them."""
    import_run.counts = counts or {}
    import_run.error_count = sum(1 for p in problems if p.severity == "error")
    import_run.warning_count = sum(1 for p in problems if p.severity == "warning")
    import_run.skipped_rows = (
        skipped_rows if import_run.status == Import.Status.IMPORTED_WITH_SKIPS else 0
    )
    import_run.finished_at = timezone.now()
    import_run.progress = 100
    import_run.stage = import_run.get_status_display()
    import_run.save()
    ImportProblem.objects.bulk_create(
        (
            ImportProblem(
                import_run=import_run,
                severity=p.severity,
                file=printable(p.file)[:255],
                row=p.row,
                column=printable(p.column)[:40],
                value=printable(p.value)[:200],
                message=printable(p.message)[:500],
            )
            for p in problems
        ),
        batch_size=2000,
    )


INTERRUPTED = (
    "The import was interrupted before it finished (the service was restarted or the "
    "import was stopped), so nothing was saved. Upload the return again."
)


def close_interrupted_imports(la_id: int) -> list[int]:
    """Record as failed the council's imports left "running" by a process that died, and
    delete the files they were given, so the officer sees what happened and can upload
    again. Nothing needs undoing: an import's data commits only with its outcome."""
    with transaction.atomic():
        ids = list(
            Import.objects.select_for_update()
            .filter(la_id=la_id, status=Import.Status.RUNNING)
            .exclude(pk__in=task_locks.held(task_locks.IMPORT))
            .values_list("pk", flat=True)
        )
        if ids:
            Import.objects.filter(pk__in=ids).update(
                status=Import.Status.FAILED,
                finished_at=timezone.now(),
                progress=100,
                stage=Import.Status.FAILED.label,
                counts={},
                error_count=1,
                warning_count=0,
                skipped_rows=0,
            )
            ImportProblem.objects.bulk_create(
                ImportProblem(
                    import_run_id=pk,
                    severity=ImportProblem.Severity.ERROR,
                    file="(the return)",
                    message=INTERRUPTED,
                )
                for pk in ids
            )
    for pk in ids:
        # Child-level files don't linger once nobody will read them.
        shutil.rmtree(upload_folder(pk), ignore_errors=True)
    return ids


class ProgressReporter:
    """Writes an import's progress on a connection of its own, in autocommit, so the
    progress page sees it while the import's own transaction is still open."""

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self.connection = None

    def report(self, percent: int, stage: str) -> None:
        try:
            if self.connection is None:
                self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE placements_import SET progress = %s, stage = %s WHERE id = %s",
                    [percent, stage, self.import_id],
                )
        except DatabaseError:
            # Progress is a courtesy: never let it stop an import.
            logger.warning("Could not record progress of import %s", self.import_id)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def recompute_after_import(import_run: Import, checked: CheckedReturn) -> None:
    """Recompute every year the return could have changed: from its earliest episode on."""
    from performance.services import recompute

    starts = [
        r.values["DECOM"]
        for r in checked.tables["episodes"].valid_rows()
        if isinstance(r.values.get("DECOM"), dt.date)
    ]
    earliest = min(starts, default=None)
    first_year = collection_year_of(earliest) if earliest else import_run.year
    years = [y for y in imported_years(import_run.la_id) if y >= min(first_year, import_run.year)]
    recompute(import_run.la, years)


# --- saving ------------------------------------------------------------------------------


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


PER_YEAR = {
    "uasc": ("placements_uasc", {"sex": "SEX", "dob": "DOB", "duc": "DUC"}),
    "missing": (
        "placements_missing",
        {"missing": "MISSING", "mis_start": "MIS_START", "mis_end": "MIS_END"},
    ),
    "oc2": (
        "placements_oc2",
        {
            "sdq_score": "SDQ_SCORE",
            "sdq_reason": "SDQ_REASON",
            "convicted": "CONVICTED",
            "health_check": "HEALTH_CHECK",
            "immunisations": "IMMUNISATIONS",
            "teeth_check": "TEETH_CHECK",
            "health_assessment": "HEALTH_ASSESSMENT",
            "substance_misuse": "SUBSTANCE_MISUSE",
            "intervention_received": "INTERVENTION_RECEIVED",
            "intervention_offered": "INTERVENTION_OFFERED",
        },
    ),
    "oc3": ("placements_oc3", {"in_touch": "IN_TOUCH", "activ": "ACTIV", "accom": "ACCOM"}),
    "ad1": (
        "placements_ad1",
        {
            "date_int": "DATE_INT",
            "date_match": "DATE_MATCH",
            "foster_care": "FOSTER_CARE",
            "nb_adoptr": "NB_ADOPTR",
            "sex_adoptr": "SEX_ADOPTR",
            "ls_adoptr": "LS_ADOPTR",
        },
    ),
    "placed_adoption": (
        "placements_placedadoption",
        {
            "date_placed": "DATE_PLACED",
            "date_placed_ceased": "DATE_PLACED_CEASED",
            "reason_placed_ceased": "REASON_PLACED_CEASED",
        },
    ),
    "prev_perm": (
        "placements_prevperm",
        {"prev_perm": "PREV_PERM", "la_perm": "LA_PERM", "date_perm": "DATE_PERM"},
    ),
    "reviews": ("placements_review", {"review": "REVIEW", "review_code": "REVIEW_CODE"}),
    "sw_episodes": (
        "placements_swepisode",
        {"sw_id": "SW_ID", "sw_decom": "SW_DECOM", "sw_dec": "SW_DEC", "sw_reason": "SW_REASON"},
    ),
    "dolo": ("placements_dolo", {"dolo_start": "DOLO_START", "dolo_end": "DOLO_END"}),
}
# Text columns are NOT NULL with blank meaning "not given".
TEXT_FIELDS = {
    "sdq_reason",
    "activ",
    "accom",
    "sex_adoptr",
    "ls_adoptr",
    "reason_placed_ceased",
    "la_perm",
    "date_perm",
    "sw_reason",
}


def save_return(la: LocalAuthority, checked: CheckedReturn, step: Callable[[int, str], None]):
    year = checked.year
    counts: dict[str, int] = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            # One import per council at a time; other councils are not held up.
            cursor.execute("SELECT pg_advisory_xact_lock(903, %s)", [la.pk])
        child_pks = _save_children(la, checked, year)
        counts["children"] = len(child_pks)
        step(55, "Saving episodes")
        affected = _save_episodes(la, checked, year, child_pks)
        counts["episodes"] = affected[1]
        for key, (table, fields) in PER_YEAR.items():
            parsed = checked.tables.get(key)
            if parsed is None:
                continue  # not in this upload: the stored rows for the year are kept
            if parsed.rows and not parsed.valid_rows():
                checked.problems.append(
                    Problem(
                        "warning",
                        parsed.file,
                        f"Every row of the {parsed.spec.title} table was invalid, so the "
                        f"{parsed.spec.title} rows already stored for the year are kept.",
                    )
                )
                continue
            with connection.cursor() as cursor:
                # `table` comes from PER_YEAR, never from input.
                cursor.execute(
                    f"DELETE FROM {table} WHERE la_id = %s AND year = %s",  # noqa: S608
                    [la.pk, year],
                )
            rows = (
                [
                    la.pk,
                    child_pks[str(r.values["CHILD"])],
                    year,
                    *[
                        (r.values.get(src) or "") if dest in TEXT_FIELDS else r.values.get(src)
                        for dest, src in fields.items()
                    ],
                ]
                for r in parsed.valid_rows()
            )
            counts[parsed.spec.title] = _copy(table, ["la_id", "child_id", "year", *fields], rows)
        step(75, "Working out periods of care and placements")
        derived = derive_history(la, affected[0])
        counts.update(derived)
        _refresh_statistics({table: counts.get(key, 0) for table, key in ANALYSED.items()})
    return counts


# The tables the indicator queries read most, in the order their statistics are refreshed.
# Each with the count of rows the import wrote to it.
ANALYSED = {
    "placements_child": "children",
    "placements_episode": "episodes",
    "placements_periodofcare": "periods of care",
    "placements_placement": "placements",
}


def _refresh_statistics(written: dict[str, int]) -> None:
    """Fresh statistics after a bulk load, so the indicator queries that follow get
    sensible plans rather than ones made for empty tables.

    Only for tables never analysed, or to which this import wrote more than a tenth as
    many rows as the planner believes they hold: re-analysing a national-sized table after
    every council's return would cost more than the import (a second or so each time).
    The rows written are counted here, not read from the statistics views, which only
    count changes once they are committed, and this import's are not yet.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [list(ANALYSED)]
        )
        stale = {
            name
            for name, estimate in cursor.fetchall()
            if estimate < 0 or written.get(name, 0) > 0.1 * estimate
        }
        if stale:
            # `ANALYSED` order, always: two imports analysing at once must not deadlock.
            cursor.execute(f"ANALYZE {', '.join(t for t in ANALYSED if t in stale)}")


def _save_children(la: LocalAuthority, checked: CheckedReturn, year: int) -> dict[str, int]:
    rows = checked.tables["header"].valid_rows()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS tmp_child")
        cursor.execute(
            "CREATE TEMP TABLE tmp_child (child_id text, sex text, dob date, ethnic text, "
            "mother boolean) ON COMMIT DROP"
        )
    _copy(
        "tmp_child",
        ["child_id", "sex", "dob", "ethnic", "mother"],
        (
            (
                r.values["CHILD"],
                r.values["SEX"],
                r.values["DOB"],
                r.values["ETHNIC"],
                r.values.get("MOTHER"),
            )
            for r in rows
        ),
    )
    with connection.cursor() as cursor:
        # A newer year's Header wins; importing an older year never rolls details back.
        cursor.execute(
            """
            INSERT INTO placements_child
                (la_id, child_id, sex, dob, ethnic, mother, first_year, last_year)
            SELECT %(la)s, child_id, sex, dob, ethnic, mother, %(year)s, %(year)s FROM tmp_child
            ON CONFLICT (la_id, child_id) DO UPDATE SET
                sex = CASE WHEN EXCLUDED.last_year >= placements_child.last_year
                           THEN EXCLUDED.sex ELSE placements_child.sex END,
                dob = CASE WHEN EXCLUDED.last_year >= placements_child.last_year
                           THEN EXCLUDED.dob ELSE placements_child.dob END,
                ethnic = CASE WHEN EXCLUDED.last_year >= placements_child.last_year
                              THEN EXCLUDED.ethnic ELSE placements_child.ethnic END,
                mother = CASE WHEN EXCLUDED.last_year >= placements_child.last_year
                              THEN EXCLUDED.mother ELSE placements_child.mother END,
                first_year = LEAST(placements_child.first_year, EXCLUDED.first_year),
                last_year = GREATEST(placements_child.last_year, EXCLUDED.last_year)
            RETURNING child_id, id
            """,
            {"la": la.pk, "year": year},
        )
        return {child_id: pk for child_id, pk in cursor.fetchall()}


EPISODE_COLUMNS = [
    "la_id",
    "child_id",
    "decom",
    "rne",
    "ls",
    "cin",
    "place",
    "place_provider",
    "dec",
    "rec",
    "reason_place_change",
    "home_district",
    "pl_district",
    "urn",
    "distance_miles",
    "placement_la_ons",
    "source_year",
]


def _save_episodes(
    la: LocalAuthority, checked: CheckedReturn, year: int, child_pks: dict[str, int]
) -> tuple[list[int], int]:
    table = checked.tables["episodes"]
    rows = table.valid_rows()
    geography = placement_geography(
        (r.values.get("HOME_POST"), r.values.get("PL_POST")) for r in rows
    )
    earliest: dict[int, dt.date] = {}
    for r in rows:
        pk = child_pks[str(r.values["CHILD"])]
        decom: dt.date = r.values["DECOM"]  # type: ignore[assignment]
        if pk not in earliest or decom < earliest[pk]:
            earliest[pk] = decom
    _, year_end = collection_year_bounds(year)
    with connection.cursor() as cursor:
        # Re-importing an earlier year must not undo what later returns said: episodes
        # starting after this year are kept, and an episode this file shows as open at
        # the year's end keeps the ending a later return gave it.
        cursor.execute(
            """
            SELECT e.child_id, e.decom, e.dec, e.rec, e.reason_place_change
            FROM placements_episode e
            JOIN unnest(%s::bigint[], %s::date[]) AS f(child_id, from_date)
              ON e.child_id = f.child_id
            WHERE e.decom >= f.from_date AND e.decom <= %s AND e.dec > %s
            """,
            [list(earliest), list(earliest.values()), year_end, year_end],
        )
        later_endings = {(c, d): (dec, rec, why) for c, d, dec, rec, why in cursor.fetchall()}
        cursor.execute(
            """
            DELETE FROM placements_episode e
            USING unnest(%s::bigint[], %s::date[]) AS f(child_id, from_date)
            WHERE e.child_id = f.child_id AND e.decom >= f.from_date AND e.decom <= %s
            """,
            [list(earliest), list(earliest.values()), year_end],
        )

    # A stored episode that starts before the file's first episode for a child and is
    # still open then contradicts the file, which would have included it. Flag it.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.child_id, e.decom, e.dec, f.from_date FROM placements_episode e
            JOIN unnest(%s::bigint[], %s::date[]) AS f(child_id, from_date)
              ON e.child_id = f.child_id
            JOIN placements_child c ON c.id = e.child_id
            WHERE e.decom < f.from_date AND (e.dec IS NULL OR e.dec > f.from_date)
            """,
            [list(earliest), list(earliest.values())],
        )
        for child, decom, dec, from_date in cursor.fetchall():
            checked.problems.append(
                Problem(
                    "warning",
                    table.file,
                    f"CHILD {child}'s stored episode starting {decom:%d/%m/%Y} "
                    + (f"ends {dec:%d/%m/%Y}" if dec else "has no end date")
                    + f", which overlaps this return's first episode for them "
                    f"({from_date:%d/%m/%Y}). Check the earlier year's return.",
                    column="DECOM",
                    value=child,
                )
            )

    def episode_rows():
        for r, (distance, pl_la) in zip(rows, geography, strict=True):
            v = r.values
            urn = v.get("URN") or ""
            child_pk = child_pks[str(v["CHILD"])]
            if v.get("DEC") is None and (child_pk, v["DECOM"]) in later_endings:
                dec, rec, why = later_endings[(child_pk, v["DECOM"])]
                v = {**v, "DEC": dec, "REC": rec, "REASON_PLACE_CHANGE": why}
            yield [
                la.pk,
                child_pk,
                v["DECOM"],
                v["RNE"],
                v["LS"],
                v["CIN"],
                v["PLACE"],
                v.get("PLACE_PROVIDER") or "",
                v.get("DEC"),
                v.get("REC") or "",
                v.get("REASON_PLACE_CHANGE") or "",
                postcode_district(v.get("HOME_POST")) or "",
                postcode_district(v.get("PL_POST")) or "",
                "" if urn == "XXXXXXX" else urn,
                distance,
                pl_la or "",
                year,
            ]

    count = _copy("placements_episode", EPISODE_COLUMNS, episode_rows())
    return list(earliest), count


# --- periods of care and placements, derived once at import ----------------------------


@dataclass
class _Ep:
    decom: dt.date
    dec: dt.date | None
    rne: str
    ls: str
    place: str
    provider: str
    rec: str
    reason_change: str
    urn: str
    pl_district: str
    distance: object
    pl_la: str


def derive_history(la: LocalAuthority, child_ids: Sequence[int]) -> dict[str, int]:
    """Rebuild the periods of care and placements of the given children from their episodes."""
    if not child_ids:
        return {"periods of care": 0, "placements": 0}
    ids = list(child_ids)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM placements_placement WHERE child_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM placements_periodofcare WHERE child_id = ANY(%s)", [ids])
        cursor.execute(
            """
            SELECT child_id, decom, dec, rne, ls, place, place_provider, rec,
                   reason_place_change, urn, pl_district, distance_miles, placement_la_ons
            FROM placements_episode WHERE child_id = ANY(%s) ORDER BY child_id, decom
            """,
            [ids],
        )
        episodes: dict[int, list[_Ep]] = defaultdict(list)
        for child_id, *rest in cursor.fetchall():
            episodes[child_id].append(_Ep(*rest))

    periods: list[list[object]] = []
    placements: list[tuple[int, list[object]]] = []  # (period index, row)
    for child_id, eps in episodes.items():
        current: list[_Ep] = []
        for ep in eps:
            if current and _starts_new_period(current[-1], ep):
                _emit(la, child_id, current, periods, placements)
                current = []
            current.append(ep)
        if current:
            _emit(la, child_id, current, periods, placements)

    period_ids: list[int] = []
    if periods:
        with connection.cursor() as cursor:
            # Take the ids first, so each placement is tied to its period by position in
            # our own list rather than by the order INSERT ... RETURNING happens to use.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('placements_periodofcare', 'id')) "
                "FROM generate_series(1, %s)",
                [len(periods)],
            )
            period_ids = [pk for (pk,) in cursor.fetchall()]
        _copy(
            "placements_periodofcare",
            [
                "id",
                "la_id",
                "child_id",
                "start",
                '"end"',
                "start_known",
                "reason_ended",
                "short_breaks_only",
            ],
            ([pk, *row] for pk, row in zip(period_ids, periods, strict=True)),
        )
    _copy(
        "placements_placement",
        [
            "la_id",
            "child_id",
            "period_id",
            "start",
            '"end"',
            "place",
            "place_provider",
            "urn",
            "pl_district",
            "distance_miles",
            "placement_la_ons",
            "out_of_area",
            "reason_ended",
        ],
        ([row[0], row[1], period_ids[index], *row[2:]] for index, row in placements),
    )
    return {"periods of care": len(periods), "placements": len(placements)}


def _starts_new_period(previous: _Ep, ep: _Ep) -> bool:
    if ep.rne == "S":
        return True
    if previous.dec is None:
        return False
    # Care continues only through X1 into an episode starting that same day.
    return previous.rec != "X1" or ep.decom > previous.dec


def _emit(la, child_id, eps: list[_Ep], periods: list, placements: list) -> None:
    last = eps[-1]
    period_index = len(periods)
    periods.append(
        [
            la.pk,
            child_id,
            eps[0].decom,
            last.dec,
            eps[0].rne == "S",
            last.rec if last.rec != "X1" else "",
            all(e.ls in SHORT_BREAKS for e in eps),
        ]
    )
    group: list[_Ep] = []
    for ep in eps:
        if group and ep.rne in NEW_PLACEMENT:
            placements.append((period_index, _placement_row(la, child_id, group)))
            group = []
        group.append(ep)
    placements.append((period_index, _placement_row(la, child_id, group)))


def _placement_row(la: LocalAuthority, child_id: int, group: list[_Ep]) -> list[object]:
    last = group[-1]
    return [
        la.pk,
        child_id,
        group[0].decom,
        last.dec,
        last.place,
        last.provider,
        last.urn,
        last.pl_district,
        last.distance,
        last.pl_la,
        (last.pl_la != la.ons_code) if last.pl_la else None,
        last.reason_change or (last.rec if last.rec != "X1" else ""),
    ]


def uploads_dir() -> Path:
    path = Path(settings.CP_UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def upload_folder(import_id: int) -> Path:
    """Where an upload's files wait for the background import."""
    return uploads_dir() / str(import_id)
