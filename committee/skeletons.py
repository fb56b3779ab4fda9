"""The councils' report skeletons: Derby City Council's and Nottinghamshire County Council's.

Each skeleton is the JSON stored in `ReportTemplate.skeleton`:

* "sections": the main headings in order; each has a "key" naming what fills it (a
  Report field: summary, recommendations, reasons, supporting_information,
  other_options; or "implications" for a section made of the implications headings),
  a "heading", and optionally a "plural" heading used when there is more than one
  recommendation. "figures": true marks the section the report's data goes in.
* "signoff_roles": the rows of the approving officers' table.
* "implications": the implications headings, in order; "implications_placement" says
  whether they make an appendix ("appendix", Derby's Appendix 1) or a section.
* "paragraph_numbers": true for 1.1, 1.2... (section.paragraph, Derby); false for one
  running sequence 1., 2., 3.... (Nottinghamshire).
* "report_of": how the author line reads, with {officer} for the officer's title.
* "heading_case": "upper" to print headings in capitals (SUMMARY), or "as_written".
"""

from __future__ import annotations

from django.db import transaction

DERBY_CODE = "831"
NOTTINGHAMSHIRE_CODE = "891"

DERBY = {
    "sections": [
        {"key": "summary", "heading": "Summary"},
        {"key": "recommendations", "heading": "Recommendation", "plural": "Recommendations"},
        {
            "key": "reasons",
            "heading": "Reason for recommendation",
            "plural": "Reasons for recommendations",
        },
        {"key": "supporting_information", "heading": "Supporting information", "figures": True},
        {"key": "other_options", "heading": "Other options considered"},
    ],
    "signoff_roles": [
        "Legal officer",
        "Financial officer",
        "Human Resources officer",
        "Estates/Property officer",
        "Service Director(s)",
        "Other(s)",
    ],
    "signoff_intro": "This report has been approved by the following officers:",
    "contacts_labels": {
        "contact": "For more information contact",
        "background_papers": "Background papers",
        "appendices": "List of appendices",
    },
    "implications": [
        "Financial and value for money",
        "Legal",
        "Personnel",
        "IT",
        "Equalities impact",
        "Health and safety",
        "Environmental sustainability",
        "Property and asset management",
        "Risk management",
        "Corporate objectives and priorities for change",
    ],
    "implications_placement": "appendix",
    "implications_title": "Appendix 1: Implications",
    "paragraph_numbers": True,
    "report_of": "Report of the {officer}",
    "heading_case": "upper",
}

NOTTINGHAMSHIRE = {
    "sections": [
        {"key": "summary", "heading": "Purpose of the Report"},
        {"key": "supporting_information", "heading": "Information and Advice", "figures": True},
        {"key": "other_options", "heading": "Other Options Considered"},
        {"key": "reasons", "heading": "Reason/s for Recommendation/s"},
        {"key": "implications", "heading": "Statutory and Policy Implications"},
        {"key": "recommendations", "heading": "RECOMMENDATION/S"},
    ],
    "implications_intro": (
        "This report has been compiled after consideration of implications in respect of "
        "finance, the public sector equality duty, human resources, crime and disorder, "
        "human rights, the safeguarding of children and adults at risk, service users, "
        "smarter working, sustainability and the environment and where such implications "
        "are material they are described below. Appropriate consultation has been "
        "undertaken and advice sought on these issues as required."
    ),
    "recommendations_intro": "That the Committee:",
    "signoff_roles": ["Constitutional Comments", "Financial Comments"],
    "signoff_intro": "",
    "contacts_labels": {
        "contact": "For any enquiries about this report please contact",
        "background_papers": "Background Papers and Published Documents",
        "appendices": "Appendices",
    },
    "implications": [
        "Financial Implications",
        "Human Resources Implications",
        "Public Sector Equality Duty Implications",
        "Safeguarding of Children and Adults at Risk Implications",
        "Implications for Service Users",
        "Crime and Disorder Implications",
        "Human Rights Implications",
        "Implications for Sustainability and the Environment",
    ],
    "implications_placement": "section",
    "implications_title": "",
    "paragraph_numbers": False,
    "report_of": "REPORT OF THE {officer}",
    "heading_case": "as_written",
}

TEMPLATES = {
    DERBY_CODE: ("Derby City Council report", DERBY),
    NOTTINGHAMSHIRE_CODE: ("Nottinghamshire County Council report", NOTTINGHAMSHIRE),
}


def ensure_templates() -> dict[str, object]:
    """Create or update Derby's and Nottinghamshire's `ReportTemplate` rows (idempotent).

    Returns the templates by DfE LA code; a council missing from the reference data is
    skipped.
    """
    from committee.models import ReportTemplate
    from corporate_parenting.models import LocalAuthority

    made: dict[str, object] = {}
    with transaction.atomic():
        for code, (name, skeleton) in TEMPLATES.items():
            la = LocalAuthority.objects.filter(la_code=code).first()
            if la is None:
                continue
            template = ReportTemplate.objects.filter(la=la, name=name).first()
            if template is None:
                template = ReportTemplate.objects.create(la=la, name=name, skeleton=skeleton)
            elif template.skeleton != skeleton:
                template.skeleton = skeleton
                template.save(update_fields=["skeleton", "updated_at"])
            made[code] = template
    return made
