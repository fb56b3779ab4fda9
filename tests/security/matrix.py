"""The permission matrix: who may use each of the project's URLs, and what they get.

The personas are an anonymous visitor; Derby's officer, councillor, clerk and council
admin; the system admin (who belongs to no council); and an officer of another council
(Nottinghamshire). A row names the roles that may use a URL: they get `ok` (200 unless
the row says otherwise). Every other signed-in persona gets 403 and an anonymous visitor
is sent to sign in (302), unless the page is public.

Object URLs name their objects' kinds (`ids`), and are tried with Derby's objects and
with Nottinghamshire's. A persona whose role may use the page but whose council doesn't
own the object gets 404, never 403, so ids can't be probed; one whose role may not use
the page gets 403 whatever the id. The other council's officer is the first check: it is
shown Derby's ids. The system admin belongs to no council, so no council's object is its.

A URL must have a row: tests/security/test_permission_matrix.py fails on a URL without
one, and on a row without a URL. The Django admin is one group (`admin_row`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings

from tests.security.world import INDICATOR, RETURN_YEAR

ANONYMOUS = "anonymous"
OFFICER = "officer"
COUNCILLOR = "councillor"
CLERK = "clerk"
COUNCIL_ADMIN = "council_admin"
SYSTEM_ADMIN = "system_admin"
OTHER_OFFICER = "other_officer"  # an officer of another council

ROLES = (OFFICER, COUNCILLOR, CLERK, COUNCIL_ADMIN, SYSTEM_ADMIN)
PERSONAS = (ANONYMOUS, *ROLES, OTHER_OFFICER)
READERS = (OFFICER, COUNCILLOR, CLERK)  # a council's side: its officers and members
DASHBOARD_READERS = (*READERS, COUNCIL_ADMIN)

SIGN_IN = "302 to sign in"  # an expectation: a redirect to the sign-in page


@dataclass(frozen=True)
class Url:
    """One row of the matrix."""

    roles: frozenset[str]  # the roles that may use the URL
    ok: int = 200  # what they get: 302 for a page that sends them on, 405 for POST-only
    ids: Mapping[str, str] = field(default_factory=dict)  # parameter: kind of object
    fixed: Mapping[str, str] = field(default_factory=dict)  # parameter: value (not an id)
    query: str = ""  # a query string the page needs to show anything
    anonymous: int | str = SIGN_IN  # what an anonymous visitor gets
    child_level: bool = False  # shows or exports a child's records
    writes: bool = False  # a form that changes the council's data when posted
    writers: frozenset[str] | None = None  # who may post, if fewer than may read
    reader_posts: int = 403  # what a reader who may not write gets for a post

    def expected(self, persona: str, *, foreign: bool) -> int | str:
        """What `persona` gets. `foreign`: an id names an object of a council not theirs."""
        if persona == ANONYMOUS:
            return self.anonymous
        role = _role(persona)
        if role not in self.roles:
            return 403
        if foreign and self.ids:
            return 404
        return self.ok

    def expected_post(self, persona: str, *, foreign: bool) -> int | str:
        """What `persona` gets for posting (what a persona who may write gets, a test
        doesn't ask: it would write)."""
        role = _role(persona)
        if self.writers is not None and role in self.roles and role not in self.writers:
            return self.reader_posts
        return self.expected(persona, foreign=foreign)


def _role(persona: str) -> str:
    return OFFICER if persona == OTHER_OFFICER else persona


def url(*roles: str, **options: object) -> Url:
    return Url(frozenset(roles), **options)


EVERYONE = ROLES

MATRIX: dict[str, Url] = {
    # --- signing in and out, and the pages for everyone --------------------------------
    "home": url(*EVERYONE, ok=302),  # sends each role on to its own home page
    "login": url(*EVERYONE, ok=302, anonymous=200),  # already signed in: sent home
    "logout": url(*EVERYONE, ok=405),  # signing out is a POST
    "password_change": url(*EVERYONE),
    "password_changed": url(*EVERYONE, ok=302),  # sends each role home
    "accessibility": url(*EVERYONE, anonymous=200),
    "healthz": url(*EVERYONE, anonymous=200),
    "favicon.ico": url(*EVERYONE, ok=301, anonymous=301),  # unnamed: keyed by its path
    # --- one's own account: two-factor authentication, invitations, password resets ----
    "account": url(*EVERYONE),
    "two_factor_setup": url(*EVERYONE),
    # Each persona's session has passed it (or, for councillors and clerks who never
    # turned it on, there is nothing to verify): sent on either way.
    "two_factor_verify": url(*EVERYONE, ok=302),
    # Only councillors and clerks may turn it off; with none set up, back to the account.
    "two_factor_turn_off": url(COUNCILLOR, CLERK, ok=302, writes=True),
    "password_reset": url(*EVERYONE, anonymous=200),
    "password_reset_done": url(*EVERYONE, anonymous=200),
    "password_reset_complete": url(*EVERYONE, anonymous=200),
    # A link with a token that isn't right: the page says the link doesn't work.
    "password_reset_confirm": url(*EVERYONE, fixed={"uidb64": "x", "token": "x"}, anonymous=200),
    "invitation_complete": url(*EVERYONE, anonymous=200),
    "invitation_confirm": url(*EVERYONE, fixed={"uidb64": "x", "token": "x"}, anonymous=200),
    # --- home pages and the council's users -------------------------------------------
    "officer_home": url(OFFICER),
    "clerk_home": url(CLERK),
    "council_users": url(COUNCIL_ADMIN),
    "council_user_create": url(COUNCIL_ADMIN, writes=True),
    "council_user_edit": url(COUNCIL_ADMIN, ids={"pk": "user"}, writes=True),
    "council_user_password": url(COUNCIL_ADMIN, ids={"pk": "user"}, writes=True),
    "council_user_two_factor": url(COUNCIL_ADMIN, ids={"pk": "user"}, writes=True),
    # --- the audit log: a council admin reads their council's, a system admin all -------
    "audit_log": url(COUNCIL_ADMIN, SYSTEM_ADMIN),
    "audit_log_csv": url(COUNCIL_ADMIN, SYSTEM_ADMIN),
    # --- the SSDA903 return and children's records: officers only ----------------------
    "import_list": url(OFFICER),
    "import_upload": url(OFFICER, writes=True),
    "import_detail": url(OFFICER, ids={"pk": "import"}, child_level=True),
    "import_problems_csv": url(OFFICER, ids={"pk": "import"}, child_level=True),
    "children_list": url(OFFICER, child_level=True),
    "child_detail": url(OFFICER, ids={"pk": "child"}, child_level=True),
    # --- homes and inspections: read by the council's side, written by officers --------
    "inspections_home": url(*READERS),
    "homes_list": url(*READERS),
    "home_create": url(OFFICER, writes=True),
    "home_detail": url(*READERS, ids={"pk": "home"}),
    "home_edit": url(OFFICER, ids={"pk": "home"}, writes=True),
    "setting_inspection_create": url(OFFICER, ids={"pk": "home"}, writes=True),
    "setting_inspection_edit": url(
        OFFICER, ids={"pk": "home", "inspection_pk": "setting_inspection"}, writes=True
    ),
    "inspections_due": url(*READERS),
    "reg44_grid": url(*READERS),
    "reg44_visit_create": url(OFFICER, writes=True),
    "reg44_visit_detail": url(*READERS, ids={"pk": "reg44_visit"}),
    "reg44_visit_edit": url(OFFICER, ids={"pk": "reg44_visit"}, writes=True),
    "reg44_recommendation_create": url(OFFICER, ids={"pk": "reg44_visit"}, writes=True),
    "reg44_recommendation_edit": url(OFFICER, ids={"pk": "reg44_recommendation"}, writes=True),
    "reg45_list": url(*READERS),
    "reg45_create": url(OFFICER, writes=True),
    "reg45_edit": url(OFFICER, ids={"pk": "reg45_review"}, writes=True),
    "member_visit_list": url(*READERS),
    "member_visit_create": url(OFFICER, writes=True),
    "member_visit_edit": url(OFFICER, ids={"pk": "member_visit"}, writes=True),
    "council_inspection_list": url(*READERS),
    "council_inspection_create": url(OFFICER, writes=True),
    "council_inspection_detail": url(*READERS, ids={"pk": "council_inspection"}),
    "council_inspection_edit": url(OFFICER, ids={"pk": "council_inspection"}, writes=True),
    "afi_create": url(OFFICER, ids={"pk": "council_inspection"}, writes=True),
    "afi_edit": url(OFFICER, ids={"pk": "area_for_improvement"}, writes=True),
    "action_item_create": url(OFFICER, ids={"pk": "area_for_improvement"}, writes=True),
    "action_item_edit": url(OFFICER, ids={"pk": "action_item"}, writes=True),
    # --- quarterly returns: officers, but for the "you said, we did" list ---------------
    "return_list": url(OFFICER),
    "return_create": url(OFFICER, ok=302, writes=True),  # GET: back to the list
    "cicc_action_list": url(*READERS),
    "cicc_action_create": url(OFFICER, writes=True),
    "cicc_action_edit": url(OFFICER, ids={"pk": "cicc_action"}, writes=True),
    "return_detail": url(OFFICER, ids={"pk": "quarterly_return"}, writes=True),
    "return_audit": url(OFFICER, ids={"pk": "quarterly_return"}),
    "return_section": url(
        OFFICER, ids={"pk": "quarterly_return"}, fixed={"section": "fostering"}, writes=True
    ),
    "return_template": url(OFFICER, ids={"pk": "quarterly_return"}),
    "return_upload": url(OFFICER, ids={"pk": "quarterly_return"}, writes=True),
    "returns_reconciliation": url(OFFICER),
    # --- committee: clerks run meetings, officers write reports, all read ---------------
    # The report is published, so councillors may read it (a draft is missing to them).
    "meeting_list": url(*READERS),
    "meeting_create": url(CLERK, writes=True),
    "meeting_detail": url(*READERS, ids={"pk": "meeting"}),
    "agenda_item_create": url(CLERK, ids={"pk": "meeting"}, writes=True),
    "agenda_item_edit": url(CLERK, ids={"pk": "meeting", "item_pk": "agenda_item"}, writes=True),
    "appendix_create": url(CLERK, ids={"pk": "meeting", "item_pk": "agenda_item"}, writes=True),
    "resolution_create": url(CLERK, ids={"pk": "meeting"}, writes=True),
    "meeting_action_create": url(CLERK, ids={"pk": "meeting"}, writes=True),
    "meeting_action_edit": url(
        CLERK, ids={"pk": "meeting", "action_pk": "meeting_action"}, writes=True
    ),
    "pack_create": url(CLERK, ok=302, ids={"pk": "meeting"}, writes=True),  # GET: the meeting
    "pack_detail": url(*READERS, ids={"pk": "meeting", "pack_pk": "pack"}),
    "pack_download": url(*READERS, ids={"pk": "meeting", "pack_pk": "pack"}),
    "report_list": url(*READERS),
    "report_create": url(OFFICER, writes=True),
    # Officers approve and clerks publish; to a councillor's post there is no report.
    "report_detail": url(
        *READERS,
        ids={"pk": "report"},
        writes=True,
        writers=frozenset({OFFICER, CLERK}),
        reader_posts=404,
    ),
    "report_edit": url(OFFICER, ids={"pk": "report"}, writes=True),
    "report_pdf": url(*READERS, ids={"pk": "report"}),
    "report_docx": url(*READERS, ids={"pk": "report"}),
    "report_table_csv": url(*READERS, ids={"pk": "report"}, fixed={"n": "1"}),
    "report_tables_xlsx": url(*READERS, ids={"pk": "report"}),
    # --- performance --------------------------------------------------------------------
    "dashboard": url(*DASHBOARD_READERS),
    # The code names a national indicator, not a council's object: the commentary is
    # always the user's own council's, so the other council's officer edits its own.
    "commentary_edit": url(
        OFFICER,
        fixed={"code": INDICATOR},
        query=f"year={RETURN_YEAR}&quarter=0",
        writes=True,
    ),
    "glossary": url(*DASHBOARD_READERS),
    "targets_edit": url(OFFICER, COUNCIL_ADMIN, writes=True),
    "compare": url(*DASHBOARD_READERS, ids={"pk": "comparison_group"}),
    # Every council's figures, suppressed: for system admins, who belong to no council.
    "england": url(SYSTEM_ADMIN),
    "england_region": url(SYSTEM_ADMIN, fixed={"region": "east-midlands"}),
}

# Objects some of a page's users may not see: to them the object is missing (404), as
# another council's is. (URL name, the objects it is tried with, who sees them.)
HIDDEN: list[tuple[str, dict[str, str], frozenset[str]]] = [
    # A report never published is missing to councillors, with its downloads.
    ("report_detail", {"pk": "draft_report"}, frozenset({OFFICER, CLERK})),
    ("report_docx", {"pk": "draft_report"}, frozenset({OFFICER, CLERK})),
    # A confidential (Part II) pack is for the council's clerks only.
    ("pack_detail", {"pk": "meeting", "pack_pk": "confidential_pack"}, frozenset({CLERK})),
    ("pack_download", {"pk": "meeting", "pack_pk": "confidential_pack"}, frozenset({CLERK})),
]

# Single sign-on's pages exist only when it is turned on.
OIDC_MATRIX: dict[str, Url] = {
    # Sent to the council's identity provider, and back from it: nothing without a code.
    "oidc_authentication_init": url(*EVERYONE, ok=302, anonymous=302),
    "oidc_authentication_callback": url(*EVERYONE, ok=302, anonymous=302),
    "sso_refused": url(*EVERYONE, anonymous=200),
}


def matrix() -> dict[str, Url]:
    """The rows for the URLs this configuration has."""
    return MATRIX | (OIDC_MATRIX if settings.CP_OIDC_ENABLED else {})


# --- the Django admin ---------------------------------------------------------------------
# Only system admins may use it (corporate_parenting/admin_site.py): every council user is
# refused (403), and an anonymous visitor is sent to the one sign-in page. Its pages that
# name an object are tried with a real row's id, where the model has any rows.

ADMIN_REFUSED = frozenset(
    {
        # The product has one sign-in page: a signed-in user, even a system admin, is
        # refused the admin's.
        "admin:login",
        # Append-only or kept by code: the audit log, the indicator catalogue, the
        # background worker's records, and django-axes' records of sign-in attempts.
        "admin:corporate_parenting_auditlog_add",
        "admin:corporate_parenting_auditlog_delete",
        "admin:performance_indicator_add",
        "admin:performance_indicator_delete",
        "admin:django_tasks_database_dbtaskresult_add",
        "admin:django_tasks_database_dbtaskresult_delete",
        "admin:axes_accessattempt_add",
        "admin:axes_accesslog_add",
        "admin:axes_accessfailurelog_add",
        # An authenticator app's secret is never shown (OTP_ADMIN_HIDE_SENSITIVE_DATA).
        "admin:otp_totp_totpdevice_config",
        "admin:otp_totp_totpdevice_qrcode",
    }
)
ADMIN_ROWS: dict[str, Url] = {
    "admin:logout": url(SYSTEM_ADMIN, ok=405),  # signing out is a POST
    # No model here has a page of its own on the site, so "view on site" finds nothing.
    "admin:view_on_site": url(SYSTEM_ADMIN, ok=404),
    "admin:autocomplete": url(
        SYSTEM_ADMIN, query="app_label=corporate_parenting&model_name=population&field_name=la"
    ),
}
ADMIN_PAGE = url(SYSTEM_ADMIN)
ADMIN_REDIRECT = url(SYSTEM_ADMIN, ok=302)
ADMIN_CATCH_ALL = url(SYSTEM_ADMIN, ok=404)  # any other path under /admin/


def is_admin(name: str) -> bool:
    return name.startswith("admin:")


def admin_row(name: str, pattern: str, *, has_row: bool) -> Url:
    """The row for one of the admin's URLs, by its name (or pattern, if unnamed).
    `has_row`: the model the URL names an object of has a row to name."""
    if name in ADMIN_REFUSED:
        return url()
    if name in ADMIN_ROWS:
        return ADMIN_ROWS[name]
    if name == "admin:?" and not pattern.endswith("<path:object_id>/"):
        return ADMIN_CATCH_ALL
    # <id>/ redirects to <id>/change/; a missing object's page, to the admin's index.
    if name == "admin:?" or not has_row:
        return ADMIN_REDIRECT
    return ADMIN_PAGE
