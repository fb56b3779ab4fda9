"""Keep the dashboard's inspection indicators up to date when records change."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from inspections import models as m


def _council_of(instance: object) -> int | None:
    if isinstance(instance, m.Setting):
        return instance.run_by_council_id
    if isinstance(instance, m.Reg44Visit | m.SettingInspection):
        return (
            m.Setting.objects.filter(pk=instance.setting_id)
            .values_list("run_by_council_id", flat=True)
            .first()
        )
    if isinstance(instance, m.SettingJudgement):
        return (
            m.Setting.objects.filter(inspections__pk=instance.inspection_id)
            .values_list("run_by_council_id", flat=True)
            .first()
        )
    if isinstance(instance, m.ActionItem):
        return (
            m.CouncilInspection.objects.filter(areas_for_improvement__pk=instance.area_id)
            .values_list("la_id", flat=True)
            .first()
        )
    return None


def _changed(sender: type, instance: object, **kwargs: object) -> None:
    from performance import oversight

    if kwargs.get("raw"):  # loading fixtures
        return
    oversight.changed(_council_of(instance))


def connect() -> None:
    for model in (m.Setting, m.Reg44Visit, m.SettingInspection, m.SettingJudgement, m.ActionItem):
        post_save.connect(_changed, sender=model, dispatch_uid=f"oversight-save-{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"oversight-delete-{model.__name__}"
        )
