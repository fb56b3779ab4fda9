"""Keep the dashboard's inspection indicators up to date when records change."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from inspections import models as m


def _setting_councils(setting_id: int | None) -> set[int]:
    """The council running the setting, and every council with a child placed there:
    a new rating changes their "children in Good or better settings"."""
    from placements.models import Placement

    setting = m.Setting.objects.filter(pk=setting_id).values("urn", "run_by_council_id").first()
    if setting is None:
        return set()
    placed = Placement.objects.filter(urn=setting["urn"]).values_list("la_id", flat=True)
    return {setting["run_by_council_id"], *placed.distinct()} - {None}


def _councils_of(instance: object) -> set[int]:
    if isinstance(instance, m.Setting):
        return _setting_councils(instance.pk) | {instance.run_by_council_id} - {None}
    if isinstance(instance, m.Reg44Visit):
        return {
            m.Setting.objects.filter(pk=instance.setting_id)
            .values_list("run_by_council_id", flat=True)
            .first()
        } - {None}
    if isinstance(instance, m.SettingInspection):
        return _setting_councils(instance.setting_id)
    if isinstance(instance, m.SettingJudgement):
        inspection = m.SettingInspection.objects.filter(pk=instance.inspection_id).first()
        return _setting_councils(inspection.setting_id) if inspection else set()
    if isinstance(instance, m.ActionItem):
        return {
            m.CouncilInspection.objects.filter(areas_for_improvement__pk=instance.area_id)
            .values_list("la_id", flat=True)
            .first()
        } - {None}
    return set()


def _changed(sender: type, instance: object, **kwargs: object) -> None:
    from performance import oversight

    if kwargs.get("raw"):  # loading fixtures
        return
    for la_id in _councils_of(instance):
        oversight.changed(la_id)


def connect() -> None:
    for model in (m.Setting, m.Reg44Visit, m.SettingInspection, m.SettingJudgement, m.ActionItem):
        post_save.connect(_changed, sender=model, dispatch_uid=f"oversight-save-{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"oversight-delete-{model.__name__}"
        )
