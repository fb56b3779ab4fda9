"""Keep the dashboard's quarterly-return indicators up to date when signed-off figures change.

The workflow's status changes (`returns.workflow`) write with `.update()`, which sends no
signal: they call `returns.figures.changed` themselves. These cover the rest: a "you
said, we did" action saved or deleted (its council's overdue count and list), and a
signed-off return, or a section or row of one, saved or deleted some other way (the
admin, the demo loader). Edits to drafts change nothing councillors see, so they queue
nothing.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from returns import models as m

SECTIONS = (
    m.Fostering,
    m.Permanence,
    m.Education,
    m.ChildrenInCareCouncil,
    m.StaffingSection,
    m.PlacementsSection,
)
ROWS = (m.HomeStaffing, m.PlacementCost)


def _cached(instance: object, name: str) -> object | None:
    return instance._state.fields_cache.get(name)  # type: ignore[attr-defined]


def _signed_off_council(ret_id: int | None, ret: m.QuarterlyReturn | None) -> int | None:
    """The return's council if it is signed off, else None (a query only if not loaded)."""
    if ret is not None:
        return ret.la_id if ret.status == m.ReturnStatus.SIGNED_OFF else None
    return (
        m.QuarterlyReturn.objects.filter(pk=ret_id, status=m.ReturnStatus.SIGNED_OFF)
        .values_list("la_id", flat=True)
        .first()
    )


def _council(instance: object) -> int | None:
    if isinstance(instance, m.CiccAction):
        return instance.la_id
    if isinstance(instance, m.QuarterlyReturn):
        return _signed_off_council(instance.pk, instance)
    if isinstance(instance, SECTIONS):
        return _signed_off_council(instance.ret_id, _cached(instance, "ret"))
    if isinstance(instance, ROWS):
        section = _cached(instance, "section")
        if section is not None:
            return _signed_off_council(section.ret_id, _cached(section, "ret"))
        model = type(instance)._meta.get_field("section").related_model
        ret_id = model.objects.filter(pk=instance.section_id).values_list("ret_id", flat=True)
        return _signed_off_council(ret_id.first(), None)
    return None


def _changed(sender: type, instance: object, **kwargs: object) -> None:
    from returns import figures

    if kwargs.get("raw"):  # loading fixtures
        return
    figures.changed(_council(instance))


def connect() -> None:
    for model in (m.CiccAction, m.QuarterlyReturn, *SECTIONS, *ROWS):
        post_save.connect(_changed, sender=model, dispatch_uid=f"returns-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"returns-delete-{model.__name__}")
