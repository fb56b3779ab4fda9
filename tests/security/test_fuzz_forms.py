"""Every form, fed whatever a hostile or careless browser could post.

Hypothesis draws each form's fields from two pools: plausible values (the form's own
choices, real dates, small numbers, ordinary words), so valid forms do turn up, and
hostile ones (any Unicode including control characters and NUL, digits that aren't
ASCII, numbers too big for any column, strings of 100,000 characters, broken date
parts, missing fields, odd files). Whatever comes, `is_valid()` returns a bool; an
invalid form explains itself in plain English; a valid one carries no NUL (PostgreSQL
refuses it in text) and, where saving is cheap, saves in a transaction rolled back.

`FORMS` is a registry: a form class found in the apps that isn't in it fails
`test_every_form_in_the_apps_is_fuzzed`, so a new form can't skip these checks.
"""

# ruff: noqa: RUF001  (the specimens are the look-alike characters on purpose)

from __future__ import annotations

import datetime as dt
import importlib
import io
import os
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Model
from django.test import RequestFactory, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from committee.models import AgendaItem, Committee, Meeting, MeetingAction, Report, ReportType
from committee.skeletons import ensure_templates
from corporate_parenting.models import AuditLog, Role, User
from inspections import frameworks
from inspections.models import (
    AreaForImprovement,
    CouncilInspection,
    CouncilInspectionType,
    Framework,
    Reg44Visit,
    Setting,
    SettingType,
)
from returns.models import CiccAction, QuarterlyReturn
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

APPS = ("committee", "performance", "returns", "placements", "inspections", "corporate_parenting")
# Bases that are never shown on their own: their subclasses are fuzzed.
ABSTRACT = {
    "corporate_parenting.govuk_forms.VersionedForm",
    "inspections.forms_visits._CouncilForm",
    "returns.forms.SectionForm",
}
EXAMPLES = 25

# --- the world the forms are bound to -----------------------------------------------------


@dataclass
class World:
    """One council's records, as the views hand them to the forms."""

    officer: User
    admin: User
    home: Setting
    visit: Reg44Visit
    inspection: CouncilInspection
    area: AreaForImprovement
    meeting: Meeting
    item: AgendaItem
    report: Report
    ret: QuarterlyReturn
    action: MeetingAction
    cicc_action: CiccAction

    @property
    def la(self):
        return self.officer.la


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at its end."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def build_world() -> World:
    officer = make_user("fuzz.officer", role=Role.OFFICER)
    admin = make_user("fuzz.admin", role=Role.COUNCIL_ADMIN)
    la = officer.la
    home = Setting.objects.create(
        urn="SC900001",
        name="Oak Lodge",
        setting_type=SettingType.CHILDRENS_HOME,
        la=la,
        run_by_council=la,
        registration_date=dt.date(2015, 1, 1),
    )
    visit = Reg44Visit.objects.create(
        setting=home,
        month=dt.date(2022, 1, 1),
        visit_date=dt.date(2022, 1, 12),
        announced=False,
        visitor="Pat Visitor",
        children_spoken_to=2,
    )
    inspection = CouncilInspection.objects.create(
        la=la,
        inspection_type=CouncilInspectionType.ILACS_STANDARD,
        framework=Framework.objects.get(code="ilacs_2018"),
        start_date=dt.date(2022, 3, 21),
        end_date=dt.date(2022, 3, 25),
    )
    area = AreaForImprovement.objects.create(inspection=inspection, number=1, text="Plans")
    template = ensure_templates()[la.la_code]
    report = Report.objects.create(
        la=la,
        report_type=ReportType.CIC_PERFORMANCE,
        template=template,
        title="Children in care performance update",
        report_of="Strategic Director",
        year=2022,
        quarter=4,
    )
    committee = Committee.objects.create(la=la, name="Corporate Parenting Committee")
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2022, 7, 26))
    item = AgendaItem.objects.create(meeting=meeting, number=1, title="Performance")
    action = MeetingAction.objects.create(
        item=item, text="Report back", owner="Head of service", due_date=dt.date(2022, 9, 1)
    )
    ret = QuarterlyReturn.objects.create(la=la, year=2022, quarter=4, created_by=officer)
    cicc_action = CiccAction.objects.create(
        la=la, you_said="More trips", owner="Participation team", due_date=dt.date(2022, 9, 1)
    )
    return World(
        officer, admin, home, visit, inspection, area, meeting, item, report, ret, action,
        cicc_action,
    )  # fmt: skip


# --- the registry: how each form is built and saved ---------------------------------------

# (world, data, files, existing): `existing` says whether an edit form edits a stored
# record or adds a new one, so both paths get fuzzed.
Build = Callable[[World, dict | None, dict | None, bool], forms.BaseForm]


def _pick(existing: bool, new: object, stored: Model) -> object:
    """A fresh copy of the stored record: validating a model form changes its instance."""
    return type(stored).objects.get(pk=stored.pk) if existing else new


def _section(form_class: type) -> Build:
    def build(w: World, data: dict | None, files: dict | None, old: bool) -> forms.BaseForm:
        model = form_class._meta.model
        return form_class(data, instance=model(ret=w.ret), ret=w.ret)

    return build


def _save_section(form: forms.BaseForm, w: World) -> None:
    section = form.save_checked(w.officer)
    if section is not None:
        form.save_rows(section, w.officer)


def _save_new_user(form: forms.BaseForm, w: World) -> None:
    """As the view does: the account starts without a password (the invitation sets it)."""
    from corporate_parenting.services import create_council_user

    data = form.cleaned_data
    fields = ("username", "role", "email", "first_name", "last_name", "job_title")
    create_council_user(
        la=w.la,
        password=None,
        **{name: data[name] for name in fields},
        can_sign_off_returns=data["can_sign_off_returns"],
        can_approve_reports=data["can_approve_reports"],
    )


def _sign_in_request():
    request = RequestFactory().post(reverse("login"))
    request.session = {}
    return request


def _forms() -> dict[str, tuple[Build, Callable | None]]:
    """{dotted class name: (build, save)}; save None means validating is all there is."""
    from committee import forms as cf
    from corporate_parenting import forms as pf
    from corporate_parenting.audit_views import AuditFilterForm
    from inspections import forms_council as fc
    from inspections import forms_homes as fh
    from inspections import forms_visits as fv
    from performance import forms as perf
    from placements import forms as plf
    from returns import forms as rf
    from returns.views import spreadsheet as rs

    def save(form, w):
        form.save()

    def save_checked(form, w):
        form.save_checked(w.officer)

    def save_report(form, w):
        report = form.save(commit=False)
        report.updated_by = w.officer
        report.save()

    sccif = frameworks.SCCIF_CHILDRENS_HOMES
    return {
        # committee
        "committee.forms.MeetingForm": (lambda w, d, f, old: cf.MeetingForm(d, la=w.la), None),
        "committee.forms.AgendaItemForm": (
            lambda w, d, f, old: cf.AgendaItemForm(
                d, instance=_pick(old, None, w.item), meeting=w.meeting
            ),
            save,
        ),
        "committee.forms.ReportCreateForm": (
            lambda w, d, f, old: cf.ReportCreateForm(d, la=w.la),
            save_report,
        ),
        "committee.forms.ReportEditForm": (
            lambda w, d, f, old: cf.ReportEditForm(d, instance=w.report),
            save_checked,
        ),
        "committee.forms.WorkflowForm": (lambda w, d, f, old: cf.WorkflowForm(d), None),
        "committee.forms.ResolutionForm": (
            lambda w, d, f, old: cf.ResolutionForm(d, meeting=w.meeting),
            save,
        ),
        "committee.forms.MeetingActionForm": (
            lambda w, d, f, old: cf.MeetingActionForm(
                d, instance=_pick(old, None, w.action), meeting=w.meeting
            ),
            save_checked,
        ),
        "committee.forms.PackForm": (lambda w, d, f, old: cf.PackForm(d), None),
        "committee.forms.AppendixForm": (lambda w, d, f, old: cf.AppendixForm(d, f), None),
        # performance
        "performance.forms.CommentaryForm": (lambda w, d, f, old: perf.CommentaryForm(d), None),
        # returns
        **{
            f"returns.forms.{cls.__name__}": (_section(cls), _save_section)
            for cls in rf.SECTION_FORMS.values()
        },
        "returns.forms.ReturnCreateForm": (lambda w, d, f, old: rf.ReturnCreateForm(d), None),
        "returns.forms.WorkflowForm": (lambda w, d, f, old: rf.WorkflowForm(d), None),
        "returns.forms.CiccActionForm": (
            lambda w, d, f, old: rf.CiccActionForm(
                d,
                instance=_pick(old, CiccAction(la_id=w.la.pk), w.cicc_action),
                la_id=w.la.pk,
            ),
            save_checked,
        ),
        "returns.views.spreadsheet.SheetUploadForm": (
            lambda w, d, f, old: rs.SheetUploadForm(d, f),
            None,
        ),
        # placements
        "placements.forms.UploadReturnForm": (
            lambda w, d, f, old: plf.UploadReturnForm(d, f),
            None,
        ),
        # inspections
        "inspections.forms_homes.HomeForm": (
            lambda w, d, f, old: fh.HomeForm(d, instance=_pick(old, None, w.home), council=w.la),
            save_checked,
        ),
        "inspections.forms_homes.InspectionForm": (
            lambda w, d, f, old: fh.InspectionForm(
                d, setting=w.home, framework=Framework.objects.get(code=sccif)
            ),
            None,
        ),
        "inspections.forms_visits.Reg44VisitForm": (
            lambda w, d, f, old: fv.Reg44VisitForm(
                d, instance=_pick(old, None, w.visit), la_id=w.la.pk
            ),
            save_checked,
        ),
        "inspections.forms_visits.RecommendationForm": (
            lambda w, d, f, old: fv.RecommendationForm(
                d, la_id=w.la.pk, visit=w.visit, instance=fv.Reg44Recommendation(visit=w.visit)
            ),
            save_checked,
        ),
        "inspections.forms_visits.Reg45ReviewForm": (
            lambda w, d, f, old: fv.Reg45ReviewForm(d, la_id=w.la.pk),
            save_checked,
        ),
        "inspections.forms_visits.MemberVisitForm": (
            lambda w, d, f, old: fv.MemberVisitForm(d, la_id=w.la.pk),
            save_checked,
        ),
        "inspections.forms_council.CouncilInspectionForm": (
            lambda w, d, f, old: fc.CouncilInspectionForm(
                d, instance=_pick(old, None, w.inspection), la=w.la
            ),
            save_checked,
        ),
        "inspections.forms_council.AreaForImprovementForm": (
            lambda w, d, f, old: fc.AreaForImprovementForm(d, inspection=w.inspection),
            save_checked,
        ),
        "inspections.forms_council.ActionItemForm": (
            lambda w, d, f, old: fc.ActionItemForm(d, area=w.area),
            save_checked,
        ),
        # accounts (last: another change to these forms is in progress)
        "corporate_parenting.forms.SignInForm": (
            lambda w, d, f, old: pf.SignInForm(_sign_in_request(), data=d),
            None,
        ),
        "corporate_parenting.forms.CouncilUserForm": (
            lambda w, d, f, old: pf.CouncilUserForm(d, instance=User.objects.get(pk=w.officer.pk)),
            save,
        ),
        "corporate_parenting.forms.NewCouncilUserForm": (
            lambda w, d, f, old: pf.NewCouncilUserForm(d),
            _save_new_user,
        ),
        "corporate_parenting.forms.TwoFactorCodeForm": (
            lambda w, d, f, old: pf.TwoFactorCodeForm(d),
            None,
        ),
        "corporate_parenting.forms.NewPasswordForm": (
            lambda w, d, f, old: pf.NewPasswordForm(User.objects.get(pk=w.officer.pk), d),
            save,
        ),
        "corporate_parenting.forms.PasswordResetRequestForm": (
            lambda w, d, f, old: pf.PasswordResetRequestForm(d),
            None,
        ),
        "corporate_parenting.audit_views.AuditFilterForm": (
            lambda w, d, f, old: AuditFilterForm(d, user=w.admin),
            None,
        ),
        # Django's own, as the account pages use them
        "django.contrib.auth.forms.SetPasswordForm": (
            lambda w, d, f, old: SetPasswordForm(User.objects.get(pk=w.officer.pk), d),
            save,
        ),
        "django.contrib.auth.forms.PasswordChangeForm": (
            lambda w, d, f, old: PasswordChangeForm(User.objects.get(pk=w.officer.pk), d),
            save,
        ),
    }


FORMS = _forms()


def app_form_classes() -> set[str]:
    """Every form class defined in the apps' modules, by dotted name."""
    found = set()
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if info.name.rsplit(".", 1)[-1] in {"wsgi", "asgi"} or ".migrations" in info.name:
                continue
            module = importlib.import_module(info.name)
            for obj in vars(module).values():
                if (
                    isinstance(obj, type)
                    and issubclass(obj, forms.BaseForm)
                    and obj.__module__ == info.name
                ):
                    found.add(f"{info.name}.{obj.__qualname__}")
    return found


def test_every_form_in_the_apps_is_fuzzed():
    found = app_form_classes() - ABSTRACT
    missing = sorted(found - set(FORMS))
    assert not missing, f"Add these forms to FORMS in {__name__}: {missing}"
    assert found, "no forms found: has the app list changed?"


# --- what gets posted ---------------------------------------------------------------------

SPECIMENS = [
    "",
    " ",
    "\x00",
    "Oak\x00Lodge",
    "\t\r\n",
    "\u200b",
    "\ufeff12",
    "²",  # a digit to str.isdigit(), but not to int()
    "١٢",  # Arabic-Indic 12
    "１２",  # full-width 12
    "-1",
    "-0",
    "1e9",
    "NaN",
    "Infinity",
    "0x1F",
    "1,000,000",
    "£1,200.50",
    "50%",
    "99999999999999999999999999999",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    '=HYPERLINK("https://example.org","x")',
    "@SUM(A1:A2)",
    "'; DROP TABLE users; --",
    "%(value)s {0} %s",
    "💥" * 20,
    "\u202etxt.exe",
]

NASTY = st.one_of(
    st.sampled_from(SPECIMENS),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.builds(
        lambda text, n: text * n,
        st.sampled_from(["9", "x", "\x00", "<b>", "é"]),
        st.sampled_from([300, 5_000, 120_000]),
    ),
)

WORDS = st.sampled_from(
    ["Oak Lodge", "To note the report.", "Cllr A Smith", "Head of service", "Pat Visitor", "x"]
)
DATE_PARTS = {
    "day": st.integers(1, 28).map(str),
    "month": st.integers(1, 12).map(str),
    "year": st.integers(2016, 2023).map(str),
}
NAMED = {
    "urn": st.sampled_from(["SC900123", "1234567", "SC900001"]),
    "postcode": st.sampled_from(["DE22 1AB", "de214js", ""]),
    "email": st.just("someone@example.org"),
    "report_url": st.sampled_from(["https://reports.ofsted.gov.uk/provider/1", ""]),
    "username": st.sampled_from(["new.user", "fuzz.officer"]),
    "password": st.sampled_from([PASSWORD, "correct-horse-battery-9"]),
    "old_password": st.just(PASSWORD),
    "new_password1": st.just("correct-horse-battery-9"),
    "new_password2": st.just("correct-horse-battery-9"),
    "children_spoken_to": st.integers(0, 12).map(str),
}


def _choice_values(field: forms.Field) -> list[str]:
    values = []
    for value, label in getattr(field, "choices", ()):
        if isinstance(label, list | tuple):  # an optgroup
            values += [str(v) for v, _ in label]
        else:
            values.append(str(value))
    return values


def _plausible(name: str, field: forms.Field, bound: forms.BoundField, w: World):
    if name in NAMED:
        return NAMED[name]
    if name == "seen_version":
        version = getattr(bound.form.instance, "version", None)
        return st.just(str(version) if version else "")
    if name == "fingerprint":
        return st.just(str(bound.value() or ""))
    if name == "version":  # the workflow forms
        return st.integers(0, 3).map(str)
    if name == "action" and isinstance(field.widget, forms.HiddenInput):
        return st.sampled_from(["approve", "publish", "reopen", "submit", "sign_off"])
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", ""])
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or _choice_values(field):
        return st.sampled_from(_choice_values(field) or [""])
    if isinstance(field, forms.IntegerField):
        return st.integers(-2, 40).map(str)
    if type(field).__name__ == "FigureField":
        return st.sampled_from(["0", "3", "12", "1.5", "99.9", "£1,200.50", "50%", ""])
    return WORDS


@dataclass
class Key:
    name: str  # the posted name
    plausible: st.SearchStrategy
    is_file: bool = False


def posted_keys(form: forms.BaseForm, w: World) -> list[Key]:
    """What the form's page posts: a key per input, three for a GOV.UK date."""
    keys = []
    for bound in form:
        field, widget = bound.field, bound.field.widget
        if isinstance(field, forms.FileField):
            keys.append(Key(bound.html_name, _good_file(form), is_file=True))
        elif isinstance(widget, forms.MultiWidget):
            for suffix in widget.widgets_names:
                part = suffix.strip("_")
                keys.append(Key(bound.html_name + suffix, DATE_PARTS.get(part, WORDS)))
        else:
            keys.append(Key(bound.html_name, _plausible(bound.name, field, bound, w)))
    return keys


def _one_page_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _good_file(form: forms.BaseForm) -> st.SearchStrategy:
    kind = type(form).__name__
    if kind == "AppendixForm":
        return st.just(("letter.pdf", _one_page_pdf()))
    if kind == "UploadReturnForm":
        return st.just(("header.csv", b"CHILD,SEX,DOB,ETHNIC\nC1,1,01/05/2010,WBRI\n"))
    return st.just(("return.xlsx", b"PK\x03\x04 not really a workbook"))


# Names as Django's upload parser hands them on: without path or unprintable characters,
# and never empty (a part without a name is no file at all).
FILE_NAMES = (
    st.one_of(
        st.sampled_from(["../../etc/passwd", "a\u202eb.pdf", ".csv", "x" * 300, "=cmd|'!A0"]),
        st.text(min_size=1),
    )
    .map(lambda name: "".join(ch for ch in name if ch.isprintable()))
    .filter(lambda name: os.path.basename(name) not in {"", ".", ".."})
)
HOSTILE_FILES = st.tuples(
    FILE_NAMES,
    st.one_of(
        st.binary(max_size=2000),
        st.sampled_from([b"", b"%PDF-1.7 truncated", b"PK\x03\x04", b"\x00" * 20_000]),
    ),
)


def draw_post(draw, form: forms.BaseForm, w: World) -> tuple[dict, dict, list[str]]:
    """(data, files, every text value posted) for one hostile submission."""
    keys = posted_keys(form, w)
    names = [k.name for k in keys]
    hostile = draw(st.sets(st.sampled_from(names), max_size=3)) if names else set()
    missing = draw(st.sets(st.sampled_from(names), max_size=2)) if names else set()
    data: dict[str, object] = {}
    files: dict[str, object] = {}
    posted: list[str] = []
    for key in keys:
        if key.name in missing:
            continue
        if key.is_file:
            name, content = draw(HOSTILE_FILES if key.name in hostile else key.plausible)
            files[key.name] = SimpleUploadedFile(name, content)
            posted.append(files[key.name].name)
            continue
        value = draw(NASTY if key.name in hostile else key.plausible)
        data[key.name] = value
        posted.append(value)
    return data, files, posted


# --- what must hold -----------------------------------------------------------------------

MACHINE_TEXT = ("Traceback", "object at 0x", "<django.", "ValidationError(", "None", "%(")


def assert_plain_messages(form: forms.BaseForm, posted: list[str]) -> None:
    """Every message is a sentence a person can read, not a code or a crash."""
    for field, errors in form.errors.as_data().items():
        for error in errors:
            for message in error.messages:
                where = f"{type(form).__name__}.{field}: {message!r}"
                assert isinstance(message, str) and message.strip(), where
                starts_well = message[0].isupper() or message[0] in "‘“'\"0123456789£"
                # "passwd is not a PDF": a message may open with what was posted.
                assert starts_well or any(message.startswith(v) for v in posted if v), where
                for fragment in MACHINE_TEXT:
                    if not any(fragment in value for value in posted):
                        assert fragment not in message, where


def _strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def assert_no_nul(form: forms.BaseForm) -> None:
    for value in _strings(form.cleaned_data):
        assert "\x00" not in value, f"{type(form).__name__} accepted a NUL: {value!r}"


@pytest.mark.parametrize("form_name", list(FORMS))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_form_survives_hostile_posts(world, settings, form_name, data):
    settings.CP_IMPORT_MAX_FILE_MB = 0.01  # small enough that hostile files go over it
    build, save = FORMS[form_name]
    with transaction.atomic():
        # Each example in a savepoint, rolled back, so examples don't see each other.
        existing = data.draw(st.booleans())
        post, files, posted = draw_post(data.draw, build(world, None, None, existing), world)
        form = build(world, post, files, existing)
        valid = form.is_valid()
        assert isinstance(valid, bool)
        if not valid:
            assert form.errors, f"{form_name} is invalid without saying why"
            assert_plain_messages(form, posted)
        else:
            assert_no_nul(form)
            if save is not None:
                save(form, world)
                assert_plain_messages(form, posted)  # a clash reported after saving
        transaction.set_rollback(True)


# --- NUL, field by field ---------------------------------------------------------------


@pytest.mark.parametrize("form_name", list(FORMS))
def test_a_nul_byte_in_any_box_is_refused_with_a_message(world, form_name):
    """PostgreSQL can't store a NUL in text: each box must refuse it before a save is
    tried. Tick boxes and file inputs are not typed into, so they are left out."""
    build, _ = FORMS[form_name]
    with transaction.atomic():
        for key in posted_keys(build(world, None, None, False), world):
            form = build(world, {key.name: "a\x00b"}, {}, False)
            if key.is_file or isinstance(form.fields.get(key.name), forms.BooleanField):
                continue
            form.is_valid()
            field = key.name.rsplit("_", 1)[0] if key.name not in form.fields else key.name
            assert form.errors.get(field), f"{form_name}: {key.name} accepted a NUL"
            assert_plain_messages(form, [])
        transaction.set_rollback(True)


# --- the pages themselves -----------------------------------------------------------------


def test_a_nul_byte_in_the_sign_in_form_is_refused_not_a_server_error(client, officer):
    response = client.post(reverse("login"), {"username": "derby\x00officer", "password": "x"})
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    failed = AuditLog.objects.get(action=AuditLog.Action.LOGIN)
    assert failed.username == "derby?officer"  # kept, readable, and storable


# Query strings the pages read as a record's number: "²" passes str.isdigit() but not
# int(), and 5,000 digits pass neither int() nor an integer column.
HOSTILE_NUMBERS = ["²", "9" * 5000, "-1"]


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_a_hostile_number_in_a_query_string_is_ignored_not_a_server_error(
    client, officer, clerk, councillor, council_admin, value
):
    from tests.committee.test_meetings import make_meeting, make_report

    meeting = make_meeting(officer.la, dt.date(2023, 1, 10))
    report = make_report(officer.la)
    pages = [
        (clerk, reverse("resolution_create", args=[meeting.pk]) + "?item="),
        (clerk, reverse("meeting_action_create", args=[meeting.pk]) + "?item="),
        (councillor, reverse("report_pdf", args=[report.pk]) + "?version="),
        (councillor, reverse("dashboard") + "?year="),
        (officer, reverse("commentary_edit", args=["cla_at_31_march"]) + "?quarter=0&year="),
        (officer, reverse("targets_edit") + "?year="),
        (officer, reverse("children_list") + "?year="),
        (officer, reverse("reg44_grid") + "?year="),
        (officer, reverse("cicc_action_create") + "?ret="),
        (officer, reverse("reg44_visit_create") + "?setting="),
        (officer, reverse("council_inspection_create") + "?framework="),
        (council_admin, reverse("audit_log") + "?before="),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url + quote(value))
        assert response.status_code in {200, 404}, f"{url}{value[:20]}: {response.status_code}"
