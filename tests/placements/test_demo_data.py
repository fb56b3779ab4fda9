"""The demo returns, imported through the real import code, match the seeds' figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from placements.demo import load_demo_returns
from placements.models import Import

pytestmark = pytest.mark.django_db

LOOKED_AFTER = """
SELECT count(DISTINCT e.child_id) FROM placements_episode e
JOIN corporate_parenting_localauthority l ON l.id = e.la_id
WHERE l.la_code = %(la)s AND e.ls NOT IN ('V3', 'V4')
  AND e.decom <= %(day)s AND (e.dec IS NULL OR e.dec > %(day)s)
"""
# Each child counted once, at their last ceasing in the year; short breaks left out.
CEASED = """
SELECT count(*), count(*) FILTER (WHERE rec IN ('E11', 'E12')) FROM (
    SELECT DISTINCT ON (e.child_id) e.child_id, e.rec, e.ls FROM placements_episode e
    JOIN corporate_parenting_localauthority l ON l.id = e.la_id
    WHERE l.la_code = %(la)s AND e.dec BETWEEN %(start)s AND %(end)s AND e.rec <> 'X1'
    ORDER BY e.child_id, e.dec DESC
) last_ceasing WHERE ls NOT IN ('V3', 'V4')
"""


def scalar(sql: str, **params: object) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_the_demo_history_matches_the_seeds_headline_figures(derby):
    load_demo_returns(log=lambda _: None)
    assert Import.objects.filter(la=derby, status="imported").count() == 9  # 2013/14 to 2021/22
    for year, expected in [(2014, 446), (2021, 642), (2022, 627)]:
        assert scalar(LOOKED_AFTER, la="831", day=dt.date(year, 3, 31)) == (expected,)
    assert scalar(CEASED, la="831", start=dt.date(2021, 4, 1), end=dt.date(2022, 3, 31)) == (
        242,
        34,
    )
    # Nottinghamshire's smaller return is there too, for isolation between councils.
    assert scalar(LOOKED_AFTER, la="891", day=dt.date(2022, 3, 31))[0] > 800

    # Loading again imports nothing: the same files are already in.
    load_demo_returns(log=lambda _: None)
    assert Import.objects.count() == 11
