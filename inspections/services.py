"""Rules shared by everything that writes inspections: council names and judgements."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping

from django.db import transaction

from corporate_parenting.models import LocalAuthority
from inspections.models import (
    Framework,
    Grade,
    InspectionType,
    JudgementArea,
    Setting,
    SettingInspection,
    SettingJudgement,
)

# --- council names ---------------------------------------------------------------------

# Names people and Ofsted use that no rule below turns into the council's own name.
ALIASES = {
    "bcp": "bournemouth christchurch and poole",
    "durham": "county durham",
    "hull": "kingston upon hull",
    "newcastle": "newcastle upon tyne",
    "richmond": "richmond upon thames",
    "southend": "southend on sea",
    "stoke": "stoke on trent",
}

# Stripped, in turn, from a name that doesn't match as it stands: "Derby City Council",
# "London Borough of Camden" and "Bristol, City of" all name one council each.
_PREFIXES = (
    "the ",
    "london borough of ",
    "royal borough of ",
    "city and county of ",
    "city of ",
    "county of ",
    "borough of ",
)
_SUFFIXES = (
    " metropolitan borough council",
    " metropolitan district council",
    " borough council",
    " district council",
    " county council",
    " city council",
    " council",
    " city of",
    " county of",
    " city",
    " county",
)


def normalise_name(name: str) -> str:
    """Lower case, "&" as "and", no punctuation, hyphens as spaces, single spaces."""
    text = name.lower().replace("&", " and ").replace("\u2019", "'")
    text = re.sub(r"[.,'()]", " ", text)
    return re.sub(r"[\s\-]+", " ", text).strip()


def _reductions(name: str) -> Iterator[str]:
    """The name, then each shorter form made by stripping one known prefix or suffix."""
    seen: set[str] = set()
    queue = [normalise_name(name)]
    while queue:
        text = queue.pop(0)
        if not text or text in seen:
            continue
        seen.add(text)
        yield ALIASES.get(text, text)
        queue += [text[len(p) :] for p in _PREFIXES if text.startswith(p)]
        queue += [text[: -len(s)] for s in _SUFFIXES if text.endswith(s)]


class CouncilMatcher:
    """Finds a council from the many ways its name is written."""

    def __init__(self, councils: Iterable[LocalAuthority] | None = None) -> None:
        if councils is None:
            councils = LocalAuthority.objects.all()
        exact: dict[str, LocalAuthority] = {}
        loose: dict[str, set[LocalAuthority]] = {}
        for council in councils:
            exact[normalise_name(council.name)] = council
            for variant in _reductions(council.name):
                loose.setdefault(variant, set()).add(council)
        # A shortened form is only trusted when it names a single council.
        self._index = {k: next(iter(v)) for k, v in loose.items() if len(v) == 1}
        self._index.update(exact)

    def match(self, name: str) -> LocalAuthority | None:
        for variant in _reductions(name):
            if variant in self._index:
                return self._index[variant]
        return None


# --- inspections -----------------------------------------------------------------------


def check_judgements(
    framework: Framework, grades: Mapping[str, str]
) -> tuple[dict[JudgementArea, Grade], list[str]]:
    """Resolve area code -> grade code under a framework; also return what is wrong."""
    areas = {a.code: a for a in framework.areas.all()}
    scale = {g.code: g for g in framework.scale.grades.all()}
    resolved: dict[JudgementArea, Grade] = {}
    wrong: list[str] = []
    for area_code, grade_code in grades.items():
        if area_code not in areas:
            wrong.append(f"{framework} has no judgement area {area_code!r}.")
        elif grade_code not in scale:
            wrong.append(f"{grade_code!r} is not a grade on {framework.scale}.")
        else:
            resolved[areas[area_code]] = scale[grade_code]
    return resolved, wrong


@transaction.atomic
def record_inspection(
    setting: Setting,
    *,
    date: dt.date,
    framework: Framework,
    grades: Mapping[str, str],
    inspection_type: str = InspectionType.FULL,
    **fields: object,
) -> tuple[SettingInspection, bool]:
    """Create or update one inspection (by setting, date and type) and set its grades.

    `grades` maps area codes to grade codes and replaces the inspection's judgements.
    Raises ValueError for an area or grade outside the framework.
    """
    resolved, wrong = check_judgements(framework, grades)
    if wrong:
        raise ValueError(" ".join(wrong))
    if inspection_type == InspectionType.INTERIM and resolved:
        raise ValueError("An interim inspection has an outcome, not graded judgements.")
    inspection, created = SettingInspection.objects.update_or_create(
        setting=setting,
        date=date,
        inspection_type=inspection_type,
        defaults={"framework": framework, **fields},
    )
    inspection.judgements.exclude(area__in=list(resolved)).delete()
    for area, grade in resolved.items():
        SettingJudgement.objects.update_or_create(
            inspection=inspection, area=area, defaults={"grade": grade}
        )
    return inspection, created
