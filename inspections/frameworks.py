"""The Ofsted grading scales and judgement frameworks the product knows.

Loaded by a data migration and safe to load again: rows are matched on their codes and
updated. Names follow the wording of Ofsted's reports and of its provider list.

Sources: Ofsted's "Social care common inspection framework (SCCIF)" guidance for
children's homes and for secure children's homes (the secure framework adds judgements
on children's education and learning and on children's health, which its provider list
carries as "Outcomes in education and related learning activities" and "Health
services"); the ILACS framework (2018, and from January 2023 with care leavers judged
apart from children in care); and Derby's 2011 "safeguarding and looked after children"
report (seed 002), whose record of main findings gives the 2011 areas.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

OFSTED_4 = "ofsted_4"
OFSTED_4_2011 = "ofsted_4_2011"

# code, label, rank, good_or_better
SCALES: dict[str, tuple[str, list[tuple[str, str, int, bool]]]] = {
    OFSTED_4: (
        "Outstanding / Good / Requires improvement to be good / Inadequate",
        [
            ("outstanding", "Outstanding", 1, True),
            ("good", "Good", 2, True),
            ("requires_improvement", "Requires improvement to be good", 3, False),
            ("inadequate", "Inadequate", 4, False),
        ],
    ),
    OFSTED_4_2011: (
        "Outstanding / Good / Adequate / Inadequate (to 2012)",
        [
            ("outstanding", "Outstanding", 1, True),
            ("good", "Good", 2, True),
            ("adequate", "Adequate", 3, False),
            ("inadequate", "Inadequate", 4, False),
        ],
    ),
}

SCCIF_CHILDRENS_HOMES = "sccif_childrens_homes"
SCCIF_SECURE_HOMES = "sccif_secure_homes"
SCCIF_OTHER = "sccif_other"
ILACS_2018 = "ilacs_2018"
ILACS_2023 = "ilacs_2023"
SLAC_2011 = "slac_2011"

# The three SCCIF judgements every setting gets; the overall one is the headline.
_SCCIF_AREAS: list[dict[str, Any]] = [
    {
        "code": "overall_experiences",
        "name": "Overall experiences and progress of children and young people",
        "is_overall": True,
    },
    {
        "code": "help_and_protection",
        "name": "How well children and young people are helped and protected",
        "is_limiting": True,
    },
    {"code": "leaders_and_managers", "name": "The effectiveness of leaders and managers"},
]

_ILACS_LEADERS = {
    "code": "impact_of_leaders",
    "name": "The impact of leaders on social work practice with children and families",
}
_ILACS_HELP = {
    "code": "help_and_protection",
    "name": "The experiences and progress of children who need help and protection",
}
_ILACS_OVERALL = {
    "code": "overall_effectiveness",
    "name": "Overall effectiveness",
    "is_overall": True,
}

_SG = "Safeguarding services"
_LAC = "Services for looked after children"


def _slac_areas() -> list[dict[str, Any]]:
    safeguarding = [
        ("sg_overall", "Overall effectiveness"),
        ("sg_capacity", "Capacity for improvement"),
        ("sg_safe", "Children and young people are safe and feel safe"),
        ("sg_quality", "Quality of provision"),
        (
            "sg_health",
            "The contribution of health agencies to keeping children and young people safe",
        ),
        ("sg_ambition", "Ambition and prioritisation"),
        ("sg_leadership", "Leadership and management"),
        ("sg_performance", "Performance management and quality assurance"),
        ("sg_partnership", "Partnership working"),
        ("sg_equality", "Equality and diversity"),
    ]
    looked_after = [
        ("lac_overall", "Overall effectiveness"),
        ("lac_capacity", "Capacity for improvement"),
        ("lac_healthy", "Being healthy"),
        ("lac_safe", "Staying safe"),
        ("lac_enjoy", "Enjoying and achieving"),
        ("lac_contribution", "Making a positive contribution, including user engagement"),
        ("lac_economic", "Economic well-being"),
        ("lac_quality", "Quality of provision"),
        ("lac_ambition", "Ambition and prioritisation"),
        ("lac_leadership", "Leadership and management"),
        ("lac_performance", "Performance management and quality assurance"),
        ("lac_equality", "Equality and diversity"),
    ]
    areas: list[dict[str, Any]] = [
        {"code": code, "name": name, "section": _SG} for code, name in safeguarding
    ]
    # The looked-after children judgement is the headline for a corporate parent.
    areas += [
        {"code": code, "name": name, "section": _LAC, "is_overall": code == "lac_overall"}
        for code, name in looked_after
    ]
    return areas


FRAMEWORKS: list[dict[str, Any]] = [
    {
        "code": SCCIF_CHILDRENS_HOMES,
        "name": "SCCIF: children's homes",
        "subject": "setting",
        "scale": OFSTED_4,
        # The three judgements have been the same since the SCCIF began in April 2017.
        "valid_from": dt.date(2017, 4, 1),
        "areas": _SCCIF_AREAS,
    },
    {
        "code": SCCIF_SECURE_HOMES,
        "name": "SCCIF: secure children's homes",
        "subject": "setting",
        "scale": OFSTED_4,
        "valid_from": dt.date(2019, 9, 1),
        "areas": [
            *_SCCIF_AREAS,
            {"code": "education", "name": "Children's education and learning"},
            {"code": "health", "name": "Children's health"},
        ],
    },
    {
        "code": SCCIF_OTHER,
        "name": "SCCIF: fostering and adoption agencies and other settings",
        "subject": "setting",
        "scale": OFSTED_4,
        "valid_from": dt.date(2017, 4, 1),
        "areas": _SCCIF_AREAS,
    },
    {
        "code": ILACS_2018,
        "name": "ILACS (2018)",
        "subject": "council",
        "scale": OFSTED_4,
        "valid_from": dt.date(2018, 1, 1),
        "valid_until": dt.date(2022, 12, 31),
        "areas": [
            _ILACS_LEADERS,
            _ILACS_HELP,
            {
                "code": "children_in_care",
                "name": "The experiences and progress of children in care and care leavers",
            },
            _ILACS_OVERALL,
        ],
    },
    {
        "code": ILACS_2023,
        "name": "ILACS (2023)",
        "subject": "council",
        "scale": OFSTED_4,
        "valid_from": dt.date(2023, 1, 1),
        "areas": [
            _ILACS_LEADERS,
            _ILACS_HELP,
            {
                "code": "children_in_care",
                "name": "The experiences and progress of children in care",
            },
            {"code": "care_leavers", "name": "The experiences and progress of care leavers"},
            _ILACS_OVERALL,
        ],
    },
    {
        "code": SLAC_2011,
        "name": "Safeguarding and looked after children (2011)",
        "subject": "council",
        "scale": OFSTED_4_2011,
        "valid_until": dt.date(2013, 10, 31),
        "areas": _slac_areas(),
    },
]


def load_frameworks(scale_model, grade_model, framework_model, area_model) -> int:
    """Create or update every scale, grade, framework and area; returns frameworks loaded.

    Takes the models as arguments so a migration can pass its historical ones.
    """
    scales = {}
    for code, (name, grades) in SCALES.items():
        scale, _ = scale_model.objects.update_or_create(code=code, defaults={"name": name})
        scales[code] = scale
        for grade_code, label, rank, good in grades:
            grade_model.objects.update_or_create(
                scale=scale,
                code=grade_code,
                defaults={"label": label, "rank": rank, "good_or_better": good},
            )
    for spec in FRAMEWORKS:
        framework, _ = framework_model.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "subject": spec["subject"],
                "scale": scales[spec["scale"]],
                "valid_from": spec.get("valid_from"),
                "valid_until": spec.get("valid_until"),
            },
        )
        for order, area in enumerate(spec["areas"], start=1):
            area_model.objects.update_or_create(
                framework=framework,
                code=area["code"],
                defaults={
                    "name": area["name"],
                    "section": area.get("section", ""),
                    "order": order,
                    "is_limiting": area.get("is_limiting", False),
                    "required": area.get("required", True),
                    "is_overall": area.get("is_overall", False),
                },
            )
    return len(FRAMEWORKS)
