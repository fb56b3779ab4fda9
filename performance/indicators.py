"""Computing indicators with SQL aggregates over a council's stored history.

Each function returns {code: Figure}. The rules follow DOMAIN.md and DfE; the judgement
calls are written down in docs/indicators.md. Children looked after only under V3/V4
(short breaks) are left out of every headline figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

SHORT_BREAKS = "('V3', 'V4')"
PERMANENCE = {
    "ceased_adoption": ("E11", "E12"),
    "ceased_sgo": ("E43", "E44", "E45", "E46", "E47", "E48"),
    "ceased_cao": ("E41",),
    "ceased_reunification": ("E4A",),
}
EET = ("F1", "F2", "F3", "F4", "F5", "P1", "P2", "P3", "P4", "P5")
AGE_BANDS = (
    ("Under 1", 0, 0),
    ("1 to 4", 1, 4),
    ("5 to 9", 5, 9),
    ("10 to 15", 10, 15),
    ("16 and over", 16, 25),
)
AGE_BANDS_SQL = (
    "CASE WHEN a < 1 THEN 'Under 1' WHEN a < 5 THEN '1 to 4' WHEN a < 10 THEN '5 to 9' "
    "WHEN a < 16 THEN '10 to 15' ELSE '16 and over' END"
)


@dataclass
class Figure:
    numerator: float | None
    denominator: float | None
    value: float | None
    notes: dict[str, object] = field(default_factory=dict)


def ratio(
    numerator: float | None, denominator: float | None, scale: float = 100, places: int = 1
) -> Figure:
    """numerator * scale / denominator, rounded as published statistics are (0.5 goes up,
    not to even as round() does)."""
    if numerator is None or not denominator:
        return Figure(numerator, denominator, None)
    exact = (
        Decimal(repr(float(numerator))) * Decimal(repr(scale)) / Decimal(repr(float(denominator)))
    )
    return Figure(
        numerator,
        denominator,
        float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)),
    )


def count(n: float | None) -> Figure:
    return Figure(n, None, n)


def _one(sql: str, params: dict[str, object]) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _all(sql: str, params: dict[str, object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Children with a non-short-break episode open at %(d)s.
LOOKED_AFTER_AT = f"""
    SELECT DISTINCT ON (e.child_id) e.* FROM placements_episode e
    WHERE e.la_id = %(la)s AND e.ls NOT IN {SHORT_BREAKS}
      AND e.decom <= %(d)s AND (e.dec IS NULL OR e.dec > %(d)s)
    ORDER BY e.child_id, e.decom DESC
"""

# Each child once, at their last ceasing in the period.
LAST_CEASING = f"""
    SELECT DISTINCT ON (e.child_id) e.child_id, e.rec, e.dec FROM placements_episode e
    WHERE e.la_id = %(la)s AND e.ls NOT IN {SHORT_BREAKS}
      AND e.dec BETWEEN %(s)s AND %(d)s AND e.rec <> 'X1'
    ORDER BY e.child_id, e.dec DESC, e.decom DESC
"""


def stock(*, la: int, ons: str, d: dt.date, year: int, population: int | None) -> dict[str, Figure]:
    p = {"la": la, "d": d, "ons": ons, "year": year}
    counts = _looked_after_counts(la=la, ons=ons, d=d, year=year)
    distance, area = counts.get("distance", {}), counts.get("area", {})
    dolo = _one(
        """
        SELECT count(DISTINCT child_id) FROM placements_dolo
        WHERE la_id = %(la)s AND year = %(year)s
          AND dolo_start <= %(d)s AND (dolo_end IS NULL OR dolo_end > %(d)s)
        """,
        p,
    )[0]
    cla = counts["all"][""]
    figures = {
        "cla_at_31_march": count(cla),
        "cla_rate_per_10k": ratio(cla, population, 10_000, places=0),
        "placed_20_miles_plus": ratio(
            distance.get("far", 0), distance.get("far", 0) + distance.get("near", 0)
        ),
        "placed_out_of_area": ratio(area.get("away", 0), area.get("away", 0) + area.get("home", 0)),
        "uasc_at_31_march": count(counts.get("uasc", {}).get("UASC", 0)),
        "dolo_at_31_march": count(dolo if year >= 2027 else None),
    }
    figures["cla_at_31_march"].notes["breakdowns"] = {
        dimension: categories for dimension, categories in counts.items() if dimension in BREAKDOWNS
    }
    return figures


# The breakdowns of children looked after stored with their count.
BREAKDOWNS = ("age", "sex", "ethnicity", "legal_status", "placement", "uasc")


def _looked_after_counts(*, la: int, ons: str, d: dt.date, year: int) -> dict[str, dict[str, int]]:
    """Children looked after at d: all of them, by whether their placement is over 20
    miles from home (far, near, or "" unknown) and outside the council's area (away,
    home, or ""), and by each of BREAKDOWNS. One query, so the children looked after
    are found once rather than once for the figures and again for the breakdowns."""
    rows = _all(
        f"""
        WITH cla AS MATERIALIZED ({LOOKED_AFTER_AT}),
        described AS (
            SELECT c.sex, c.ethnic, cla.ls, cla.place,
                   date_part('year', age(%(d)s, c.dob))::int AS a,
                   u.child_id IS NOT NULL AS uasc,
                   CASE WHEN cla.distance_miles IS NULL THEN ''
                        WHEN cla.distance_miles > 20 THEN 'far' ELSE 'near' END AS distance,
                   CASE WHEN cla.placement_la_ons = '' THEN ''
                        WHEN cla.placement_la_ons <> %(ons)s THEN 'away' ELSE 'home' END AS area
            FROM cla
            JOIN placements_child c ON c.id = cla.child_id AND c.la_id = %(la)s
            LEFT JOIN (
                SELECT DISTINCT child_id FROM placements_uasc
                WHERE la_id = %(la)s AND year = %(year)s AND (duc IS NULL OR duc > %(d)s)
            ) u ON u.child_id = cla.child_id
        )
        SELECT 'all', '', count(*) FROM described
        UNION ALL SELECT 'distance', distance, count(*) FROM described GROUP BY 2
        UNION ALL SELECT 'area', area, count(*) FROM described GROUP BY 2
        UNION ALL SELECT 'age', {AGE_BANDS_SQL}, count(*) FROM described GROUP BY 2
        UNION ALL SELECT 'sex', sex, count(*) FROM described GROUP BY 2
        UNION ALL SELECT 'ethnicity', ethnic, count(*) FROM described GROUP BY 2
        UNION ALL SELECT 'legal_status', ls, count(*) FROM described GROUP BY 2
        UNION ALL SELECT 'placement', place, count(*) FROM described GROUP BY 2
        UNION ALL SELECT 'uasc', CASE WHEN uasc THEN 'UASC' ELSE 'Not UASC' END, count(*)
            FROM described GROUP BY 2
        """,
        {"la": la, "d": d, "ons": ons, "year": year},
    )
    result: dict[str, dict[str, int]] = {}
    for dimension, category, n in rows:
        result.setdefault(dimension, {})[category] = n
    return result


def flow(*, la: int, s: dt.date, d: dt.date, population: int | None) -> dict[str, Figure]:
    p = {"la": la, "s": s, "d": d}
    starts = _one(
        f"""
        SELECT count(DISTINCT child_id) FROM placements_episode
        WHERE la_id = %(la)s AND rne = 'S' AND ls NOT IN {SHORT_BREAKS}
          AND decom BETWEEN %(s)s AND %(d)s
        """,
        p,
    )[0]
    filters = ", ".join(
        f"count(*) FILTER (WHERE rec IN ({', '.join(repr(c) for c in codes)}))"
        for codes in [*PERMANENCE.values(), ("E17",)]
    )
    ceased, adoption, sgo, cao, reunification, staying_put = _one(
        f"WITH last AS ({LAST_CEASING}) SELECT count(*), {filters} FROM last", p
    )
    permanent = adoption + sgo + cao + reunification
    return {
        "starts": count(starts),
        "ceased": count(ceased),
        "ceased_rate_per_10k": ratio(ceased, population, 10_000, places=0),
        "ceased_adoption": count(adoption),
        "ceased_sgo": count(sgo),
        "ceased_cao": count(cao),
        "ceased_reunification": count(reunification),
        "permanence_rate": ratio(permanent, ceased),
        "staying_put": count(staying_put),
    }


def cohorts(*, la: int, s: dt.date, d: dt.date, year: int) -> dict[str, Figure]:
    """The annual measures: stability, OC2, OC3, missing, adoption timeliness, reviews."""
    p = {"la": la, "s": s, "d": d, "year": year}
    figures: dict[str, Figure] = {}

    three_plus, cohort = _one(
        f"""
        WITH cla AS MATERIALIZED ({LOOKED_AFTER_AT}),
        counted AS (
            SELECT cla.child_id, count(pl.id) AS n FROM cla
            JOIN placements_placement pl ON pl.child_id = cla.child_id AND pl.la_id = %(la)s
             AND pl.start <= %(d)s AND (pl."end" IS NULL OR pl."end" >= %(s)s)
            JOIN placements_periodofcare pc ON pc.id = pl.period_id AND NOT pc.short_breaks_only
            GROUP BY cla.child_id
        )
        SELECT count(*) FILTER (WHERE n >= 3), count(*) FROM counted
        """,
        p,
    )
    figures["stability_3plus_placements"] = ratio(three_plus, cohort)

    stable, long_cohort, unknown_start = _one(
        f"""
        WITH cla AS MATERIALIZED ({LOOKED_AFTER_AT}),
        described AS (
            SELECT cla.child_id, pc.start AS period_start, pc.start_known,
                   cur.start AS placement_start, cur.place, prev.start AS previous_start
            FROM cla
            JOIN placements_child c ON c.id = cla.child_id AND c.la_id = %(la)s
            JOIN placements_periodofcare pc ON pc.child_id = cla.child_id AND pc.la_id = %(la)s
             AND pc.start <= %(d)s AND (pc."end" IS NULL OR pc."end" > %(d)s)
            JOIN placements_placement cur ON cur.period_id = pc.id
             AND cur.start <= %(d)s AND (cur."end" IS NULL OR cur."end" > %(d)s)
            LEFT JOIN LATERAL (
                SELECT p2.start FROM placements_placement p2
                WHERE p2.period_id = pc.id AND p2.start < cur.start
                ORDER BY p2.start DESC LIMIT 1
            ) prev ON true
            WHERE c.dob > (%(d)s::date - interval '16 years')
        )
        SELECT
            count(*) FILTER (WHERE period_start <= %(d)s::date - interval '30 months' AND (
                placement_start <= %(d)s::date - interval '2 years'
                OR (place IN ('A3', 'A4', 'A5', 'A6')
                    AND previous_start <= %(d)s::date - interval '2 years'))),
            count(*) FILTER (WHERE period_start <= %(d)s::date - interval '30 months'),
            count(*) FILTER (WHERE period_start > %(d)s::date - interval '30 months'
                             AND NOT start_known)
        FROM described
        """,
        p,
    )
    figures["stability_long_term"] = ratio(stable, long_cohort)
    figures["stability_long_term"].notes["period_start_not_in_data"] = unknown_start

    (oc2, assessed, dental, immunised, sdq_sum, sdq_n, convicted, ten_plus) = _one(
        """
        SELECT count(*),
               count(*) FILTER (WHERE o.health_assessment),
               count(*) FILTER (WHERE o.teeth_check),
               count(*) FILTER (WHERE o.immunisations),
               sum(o.sdq_score) FILTER (WHERE age BETWEEN 5 AND 16),
               count(o.sdq_score) FILTER (WHERE age BETWEEN 5 AND 16),
               count(*) FILTER (WHERE o.convicted AND age >= 10),
               count(*) FILTER (WHERE age >= 10)
        FROM placements_oc2 o
        JOIN placements_child c ON c.id = o.child_id AND c.la_id = %(la)s,
        LATERAL (SELECT date_part('year', age(%(d)s, c.dob))::int AS age) a
        WHERE o.la_id = %(la)s AND o.year = %(year)s
        """,
        p,
    )
    figures["oc2_cohort"] = count(oc2 if oc2 else None)
    figures["oc2_health_assessment"] = ratio(assessed, oc2)
    figures["oc2_dental_check"] = ratio(dental, oc2)
    figures["oc2_immunisations"] = ratio(immunised, oc2)
    figures["sdq_average"] = ratio(sdq_sum, sdq_n, 1)
    figures["oc2_convicted"] = ratio(convicted, ten_plus)

    for band, low, high in (("17_18", 17, 18), ("19_21", 19, 21)):
        in_touch, eet, suitable, denominator = _one(
            f"""
            SELECT count(*) FILTER (WHERE o.in_touch = 'YES'),
                   count(*) FILTER (WHERE o.activ IN {EET!r}),
                   count(*) FILTER (WHERE o.accom LIKE '_1'),
                   count(*)
            FROM placements_oc3 o
            JOIN placements_child c ON c.id = o.child_id AND c.la_id = %(la)s
            WHERE o.la_id = %(la)s AND o.year = %(year)s
              AND o.in_touch NOT IN ('DIED', 'RHOM')
              AND date_part('year', age(%(d)s, c.dob)) BETWEEN {low} AND {high}
            """,
            p,
        )
        figures[f"care_leavers_in_touch_{band}"] = ratio(in_touch, denominator)
        figures[f"care_leavers_eet_{band}"] = ratio(eet, denominator)
        figures[f"care_leavers_suitable_accommodation_{band}"] = ratio(suitable, denominator)

    missing, away, during = _one(
        f"""
        WITH during AS (
            SELECT DISTINCT child_id FROM placements_episode
            WHERE la_id = %(la)s AND ls NOT IN {SHORT_BREAKS}
              AND decom <= %(d)s AND (dec IS NULL OR dec >= %(s)s)
        ),
        incidents AS (
            SELECT child_id, bool_or(missing = 'M') AS went_missing,
                   bool_or(missing = 'A') AS went_away
            FROM placements_missing WHERE la_id = %(la)s AND year = %(year)s
            GROUP BY child_id
        )
        SELECT count(*) FILTER (WHERE i.went_missing), count(*) FILTER (WHERE i.went_away),
               count(*)
        FROM during LEFT JOIN incidents i ON i.child_id = during.child_id
        """,
        p,
    )
    figures["missing_children_pct"] = (
        ratio(missing, during) if year >= 2015 else Figure(None, None, None)
    )
    figures["away_children_pct"] = ratio(away, during) if year >= 2015 else Figure(None, None, None)

    figures.update(adoption_timeliness(la=la, d=d))

    took_part, reviews = _one(
        """
        SELECT count(*) FILTER (WHERE r.review_code IN ('PN1','PN2','PN3','PN4','PN5','PN6')),
               count(*) FILTER (WHERE r.review_code IN ('PN1','PN2','PN3','PN4','PN5','PN6','PN7'))
        FROM placements_review r
        JOIN placements_child c ON c.id = r.child_id AND c.la_id = %(la)s
        WHERE r.la_id = %(la)s AND r.year = %(year)s
          AND date_part('year', age(r.review, c.dob)) >= 4
        """,
        p,
    )
    figures["review_participation"] = ratio(took_part, reviews)

    if year >= 2024:
        changed, looked_after = _one(
            f"""
            WITH cla AS MATERIALIZED ({LOOKED_AFTER_AT})
            SELECT count(*) FILTER (WHERE (
                SELECT count(DISTINCT sw.sw_id) FROM placements_swepisode sw
                WHERE sw.child_id = cla.child_id AND sw.year = %(year)s
                  AND sw.sw_decom <= %(d)s AND (sw.sw_dec IS NULL OR sw.sw_dec >= %(s)s)) > 1),
                count(*)
            FROM cla
            """,
            p,
        )
        figures["social_worker_changes"] = ratio(changed, looked_after)
    return figures


def adoption_timeliness(*, la: int, d: dt.date) -> dict[str, Figure]:
    """A1, A2 and A10, averaged over the adoptions of the 3 years ending at d."""
    rows = _one(
        """
        WITH adopted AS (
            SELECT DISTINCT ON (e.child_id) e.child_id, e.dec FROM placements_episode e
            WHERE e.la_id = %(la)s AND e.rec IN ('E11', 'E12')
              AND e.dec BETWEEN (%(d)s::date - interval '3 years' + interval '1 day') AND %(d)s
            ORDER BY e.child_id, e.dec DESC
        ),
        -- One pass over the adopted children's episodes, each row carrying the period the
        -- adoption ended: joining CTEs to CTEs instead plans as nested loops, slow for a
        -- large council.
        runs AS (
            -- A new carer starts with a new period (S) or a change of carer (P, B);
            -- T, U and L keep the same carer.
            SELECT pc.child_id, pc.start AS entered, pc.start_known, e.decom, e.place, e.ls,
                e.decom BETWEEN pc.start AND pc."end" AS in_period,
                sum(CASE WHEN e.rne IN ('S', 'P', 'B') THEN 1 ELSE 0 END)
                    OVER (PARTITION BY pc.child_id ORDER BY e.decom) AS carer_run
            FROM adopted a
            JOIN placements_periodofcare pc ON pc.child_id = a.child_id AND pc."end" = a.dec
            JOIN placements_episode e ON e.child_id = a.child_id
        ),
        run_starts AS (
            SELECT *, min(decom) OVER (PARTITION BY child_id, carer_run) AS run_start FROM runs
        ),
        measured AS (
            SELECT child_id, entered, start_known,
                min(decom) FILTER (WHERE in_period AND place IN ('A3', 'A4', 'A5', 'A6'))
                    AS moved_in,
                min(decom) FILTER (WHERE in_period AND ls IN ('E1', 'D1')) AS placement_order,
                -- When the child moved in with the carer who adopted them.
                (array_agg(run_start ORDER BY decom)
                    FILTER (WHERE in_period AND place IN ('A3', 'A4', 'A5', 'A6')))[1]
                    AS with_carer_from
            FROM run_starts GROUP BY child_id, entered, start_known
        ),
        with_carer AS (
            SELECT m.*, ad.date_match, coalesce(ad.foster_care, false) AS by_foster_carer
            FROM measured m
            LEFT JOIN LATERAL (
                SELECT x.date_match, x.foster_care FROM placements_ad1 x
                WHERE x.child_id = m.child_id ORDER BY x.year DESC LIMIT 1
            ) ad ON true
        )
        SELECT
            sum(moved_in - entered) FILTER (WHERE start_known AND moved_in IS NOT NULL),
            count(*) FILTER (WHERE start_known AND moved_in IS NOT NULL),
            sum(greatest(date_match - placement_order, 0))
                FILTER (WHERE date_match IS NOT NULL AND placement_order IS NOT NULL),
            count(*) FILTER (WHERE date_match IS NOT NULL AND placement_order IS NOT NULL),
            sum(CASE WHEN by_foster_carer THEN with_carer_from ELSE moved_in END - entered)
                FILTER (WHERE start_known AND moved_in IS NOT NULL),
            count(*) FILTER (WHERE NOT start_known)
        FROM with_carer
        """,
        {"la": la, "d": d},
    )
    a1_sum, a1_n, a2_sum, a2_n, a10_sum, unknown = rows
    figures = {
        "adoption_a1_days": _average(a1_sum, a1_n),
        "adoption_a2_days": _average(a2_sum, a2_n),
        "adoption_a10_days": _average(a10_sum, a1_n),
    }
    for code in ("adoption_a1_days", "adoption_a10_days"):
        figures[code].notes["period_start_not_in_data"] = unknown
    return figures


def _average(total: float | None, n: int | None) -> Figure:
    """Mean days, to the whole day."""
    return ratio(None if total is None else float(total), n, scale=1, places=0)
