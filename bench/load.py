"""Load: the app served by gunicorn on loopback, with the real PostgreSQL, used by many
people at once through its real pages.

1. Reading (2 minutes): 50 councillors browse dashboards, the comparison view, homes
   and inspections, committee meetings and published reports, each waiting 1-5 s
   between pages as people do. Target: p95 under 300 ms with no errors.
2. Writing, at the same time: 10 officers open and save sections of the SAME draft
   quarterly return, so their saves clash. Afterwards every accepted save must be in
   the database and the audit log, no save may have overwritten a newer one, and every
   rejected save must have been told why (the clash message).
3. Without think time: clients ask for pages as fast as the server answers, to find the
   most requests per second.

Everyone signs in through the real sign-in form (and the two-factor step, if the app
asks for one), so sessions, CSRF and middleware are all exercised. The client is the
standard library: a thread per person with its own connection (kept alive when the
server allows) and cookies. Everything runs in its own database, cp_bench_load.

Usage: make bench-load   (about 3 1/2 minutes on a quiet machine)
"""

from __future__ import annotations

import html
import http.client
import io
import math
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from _db import ROOT, machine, use_bench_database

SEED = 20261123
PASSWORD = "bench-load-synthetic-1"
READERS, THINK = 50, (1.0, 5.0)
READ_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "120"))
WRITERS, TYPING = 10, (0.5, 2.5)  # an officer's pause between opening a form and saving
BURST_STEPS, BURST_SECONDS = (4, 8, 16), 10.0
# gunicorn on 2 cores: see workers() and docs/performance.md for why.
THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "1"))
# The draft return the officers fight over, and the figures they change in it.
RETURN_PERIOD = (2023, 1)
TARGETS = {
    "fostering": ["enquiries", "information_packs", "initial_visits", "applications"],
    "permanence": ["exits_sgo", "placed_for_adoption", "matches"],
}


# --- the client ---------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    ms: float
    path: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return urlsplit(self.headers.get("location", "")).path or ""


class Browser:
    """One person's browser: a keep-alive connection to the server and a cookie jar."""

    def __init__(self, port: int) -> None:
        self.origin = f"http://127.0.0.1:{port}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, None, headers or {})

    def post(self, path: str, fields: dict[str, str]) -> Response:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + path,
        }
        return self.request("POST", path, urlencode(fields).encode(), headers)

    def request(self, method: str, path: str, body: bytes | None, headers: dict) -> Response:
        """Send one request and read the whole answer. A keep-alive connection the server
        has already closed is reopened and the request sent again, as browsers do."""
        headers = {"Accept": "text/html,*/*", **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body, headers)
                answer = self.conn.getresponse()
                data = answer.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
        ms = (time.perf_counter() - started) * 1000
        for raw in answer.msg.get_all("Set-Cookie") or []:
            self._store_cookie(raw)
        return Response(
            answer.status, {k.lower(): v for k, v in answer.getheaders()}, data, ms, path
        )

    def _store_cookie(self, raw: str) -> None:
        for name, morsel in SimpleCookie(raw).items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def close(self) -> None:
        self.conn.close()


class FormReader(HTMLParser):
    """The forms on a page: each form's method, action and the values a browser would
    send (text inputs, hidden fields, checked boxes, selected options, text areas)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"method": a.get("method", "get").lower(), "action": a.get("action", ""), "f": []}
            )
        elif not self.forms:
            return
        elif tag == "option" and self._select:
            entry = self.forms[-1]["f"][-1]
            if entry[1] is None or "selected" in a:
                entry[1] = a.get("value", "")
        elif not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "reset", "file"):
                self.forms[-1]["f"].append([a["name"], a.get("value", ""), kind])
        elif tag == "select":
            self._select = a["name"]
            self.forms[-1]["f"].append([a["name"], None, "select"])
        elif tag == "textarea":
            self._textarea = a["name"]
            self.forms[-1]["f"].append([a["name"], "", "textarea"])

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1]["f"][-1][1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(page: str) -> list[dict]:
    reader = FormReader()
    reader.feed(page)
    return reader.forms


def post_forms(page: str) -> list[dict]:
    """The page's POST forms other than the sign-out button in the header."""
    return [f for f in forms_on(page) if f["method"] == "post" and "sign-out" not in f["action"]]


# --- signing in ---------------------------------------------------------------------------


@dataclass
class Person:
    username: str
    home: str  # the page the role lands on
    totp: tuple | None = None  # (key, step, t0, digits, drift) when two-factor is on

    def code(self) -> str:
        from django_otp.oath import totp

        key, step, t0, digits, drift = self.totp
        return str(totp(key, step=step, t0=t0, digits=digits, drift=drift)).zfill(digits)


def _code_field(form: dict) -> str | None:
    """The one box a two-factor form asks a person to type into, if it is one."""
    visible = [f for f in form["f"] if f[2] in ("text", "number", "tel")]
    if any(f[2] == "password" for f in form["f"]) or len(visible) != 1:
        return None
    return visible[0][0]


def sign_in(browser: Browser, person: Person) -> float:
    """Sign in as a person would, through the sign-in form and any two-factor step.
    Returns the time taken; raises if the person doesn't reach their home page."""
    started = time.perf_counter()
    page = browser.get("/sign-in/")
    (form,) = post_forms(page.text)
    fields = {name: value for name, value, _ in form["f"]}
    fields.update(username=person.username, password=PASSWORD)
    response = browser.post("/sign-in/", fields)
    code_sent = False
    for _ in range(8):
        if response.status in (301, 302, 303):
            response = browser.get(response.location)
            continue
        forms = post_forms(response.text) if response.status == 200 else []
        box = next((b for b in map(_code_field, forms) if b), None)
        if box and person.totp and not code_sent and response.path != person.home:
            form = next(f for f in forms if _code_field(f) == box)
            fields = {name: value for name, value, _ in form["f"]} | {box: person.code()}
            response = browser.post(form["action"] or response.path, fields)
            code_sent = True
            continue
        break
    if response.status != 200 or response.path != person.home:
        raise SystemExit(
            f"{person.username} could not sign in: ended on {response.path} "
            f"({response.status}).\n{response.text[:600]}"
        )
    return (time.perf_counter() - started) * 1000


def sign_everyone_in(port: int, people: list[Person]) -> tuple[list[Browser], list[float]]:
    """Sign everyone in, four at a time (each sign-in checks an Argon2 hash)."""
    browsers = [Browser(port) for _ in people]
    timings: list[float] = [0.0] * len(people)
    failures: list[str] = []

    def work(indexes: range) -> None:
        for i in indexes:
            try:
                timings[i] = sign_in(browsers[i], people[i])
            except (SystemExit, OSError, http.client.HTTPException, ValueError) as error:
                failures.append(str(error))

    run_threads([(work, range(k, len(people), 4)) for k in range(4)])
    if failures:
        raise SystemExit(f"{len(failures)} could not sign in. The first: {failures[0]}")
    return browsers, timings


# --- setting up the data ------------------------------------------------------------------


def bench_people() -> tuple[list[Person], list[Person]]:
    """50 synthetic councillors and 10 officers for Derby, with a known password and, if
    the app has two-factor sign-in, a confirmed authenticator for each officer with a
    known key."""
    from django.apps import apps
    from django.contrib.auth.hashers import make_password

    from corporate_parenting.models import LocalAuthority, Role, User

    derby = LocalAuthority.objects.get(la_code="831")
    hashed = make_password(PASSWORD)  # one Argon2 hash for all: setting 60 would take seconds
    wanted = [(f"bench.councillor.{n:02d}", Role.COUNCILLOR) for n in range(1, READERS + 1)]
    wanted += [(f"bench.officer.{n:02d}", Role.OFFICER) for n in range(1, WRITERS + 1)]
    people = {"councillor": [], "officer": []}
    for username, role in wanted:
        number = username.rsplit(".", 1)[1]
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "la": derby,
                "role": role,
                "first_name": "Bench",
                "last_name": f"{role.label} {number}",
                "email": f"{username}@example.org",
                "password": hashed,
                "is_active": True,
            },
        )
        totp = None
        if apps.is_installed("django_otp.plugins.otp_totp"):
            # Officers must use two-factor sign-in; councillors needn't, and the bench's don't.
            totp = _authenticator(user, wanted=role == Role.OFFICER)
        home = "/dashboard/" if role == Role.COUNCILLOR else "/officer/"
        people[role.value].append(Person(username, home, totp))
    if apps.is_installed("axes"):
        from axes.utils import reset

        reset()  # this database's failed-attempt records only; the bench never fails one
    return people["councillor"], people["officer"]


def _authenticator(user: object, *, wanted: bool) -> tuple | None:
    """A fresh confirmed TOTP device if `wanted` (fresh, so no code counts as used
    already), else none: a councillor with a device would be asked for codes too."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    if not wanted:
        return None
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return (device.bin_key, device.step, device.t0, device.digits, device.drift)


def publish_demo_reports() -> None:
    """Publish the demo meeting's approved reports, as the clerk would before a meeting,
    so councillors have the whole pack to read (the demo leaves five waiting)."""
    from committee import workflow
    from committee.models import Report, ReportStatus
    from corporate_parenting.models import User

    clerk = User.objects.get(username="derby.clerk")
    for report in Report.objects.filter(la=clerk.la, status=ReportStatus.APPROVED):
        workflow.publish(report, clerk, report.version)


def draft_return() -> object:
    """A fresh draft return for Derby, copied forward so its sections exist (a clash is
    about a section someone else has saved)."""
    from corporate_parenting.models import User
    from returns import workflow
    from returns.models import QuarterlyReturn

    officer = User.objects.get(username="derby.officer")
    QuarterlyReturn.objects.filter(
        la=officer.la, year=RETURN_PERIOD[0], quarter=RETURN_PERIOD[1]
    ).delete()
    return workflow.create_return(officer.la, *RETURN_PERIOD, officer, copy_forward=True)


@dataclass
class Page:
    label: str
    paths: list[str]
    weight: int
    htmx: bool = False


def councillor_pages() -> list[Page]:
    """What councillors read before a committee meeting, with how often each is read,
    using the demo's own records for the ids."""
    from committee.models import Meeting, Report
    from corporate_parenting.models import ComparisonGroup, LocalAuthority
    from inspections.models import CouncilInspection
    from inspections.ratings import council_homes
    from performance import dashboard

    derby = LocalAuthority.objects.get(la_code="831")
    years = dashboard.available_periods(derby)
    group = ComparisonGroup.objects.get(name="D2N2").pk
    homes = list(council_homes(derby.pk).values_list("pk", flat=True))
    meetings = list(Meeting.objects.filter(committee__la=derby).values_list("pk", flat=True))
    reports = list(
        Report.objects.filter(la=derby, published__isnull=False)
        .distinct()
        .values_list("pk", flat=True)
    )
    inspections = list(CouncilInspection.objects.filter(la=derby).values_list("pk", flat=True))
    return [
        Page("dashboard, latest year", ["/dashboard/"], 6),
        Page("dashboard, earlier years", [f"/dashboard/?year={y}" for y in years[1:]], 4),
        Page(
            "dashboard, a quarter",
            [f"/dashboard/?year={years[0]}&quarter={q}" for q in (1, 2, 3, 4)],
            3,
        ),
        Page(
            "dashboard breakdown (htmx)",
            [f"/dashboard/?year={years[0]}&breakdown={d}" for d in dashboard.DIMENSIONS],
            4,
            htmx=True,
        ),
        Page("comparison view, D2N2", [f"/compare/{group}/?year={y}" for y in years[:3]], 3),
        Page("inspections overview", ["/inspections/"], 2),
        Page("homes: Ofsted outcomes", ["/inspections/homes/"], 2),
        Page("a home", [f"/inspections/homes/{pk}/" for pk in homes], 2),
        Page("homes: next inspection", ["/inspections/due/"], 1),
        Page("Regulation 44 grid", [f"/inspections/reg44/?year={years[0]}"], 1),
        Page("inspections of the council", ["/inspections/council/"], 1),
        Page("a council inspection", [f"/inspections/council/{pk}/" for pk in inspections], 1),
        Page("committee meetings", ["/committee/"], 1),
        Page("a meeting", [f"/committee/meetings/{pk}/" for pk in meetings], 2),
        Page("published reports", ["/committee/reports/"], 1),
        Page("a report (HTML)", [f"/committee/reports/{pk}/" for pk in reports], 3),
        Page("a report (PDF)", [f"/committee/reports/{pk}/report.pdf" for pk in reports], 1),
        Page("glossary", ["/glossary/"], 1),
        Page("you said, we did", ["/returns/cicc-actions/"], 1),
    ]


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workers() -> int:
    """2 x cores + 1 synchronous workers (5 on 2 cores): each Django request is mostly
    Python on the CPU, so a process per core keeps both busy, and the spare processes
    cover the moments one waits for PostgreSQL."""
    return int(os.environ.get("BENCH_GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))


def start_server(port: int, log: Path) -> subprocess.Popen:
    """gunicorn in its own process group (so all its workers can be stopped together),
    on the bench database, which `use_bench_database` put in DATABASE_URL."""
    command = [
        sys.executable, "-m", "gunicorn", "corporate_parenting.wsgi",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers()),
        "--threads", str(THREADS), "--keep-alive", "10", "--graceful-timeout", "5",
    ]  # fmt: skip
    env = os.environ | {"DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_DEBUG": "false"}
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"gunicorn stopped (exit {server.returncode}):\n{log.read_text()[-2000:]}"
            )
        try:
            if Browser(port).get("/healthz").status == 200:
                return server
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s:\n{log.read_text()[-2000:]}")


def stop_server(server: subprocess.Popen) -> None:
    """Stop gunicorn's master and workers: its process group, which it alone is in."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def cpu_seconds(server: subprocess.Popen) -> dict[tuple[str, int], float]:
    """CPU time used so far by each gunicorn process (its process group) and each
    PostgreSQL backend serving the bench database, by ("app" or "db", pid). Latency on a
    shared machine depends on what else runs; CPU time per request doesn't, much."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            title = (proc / "cmdline").read_bytes()
        except OSError:
            continue  # gone already
        seconds = (int(stat[11]) + int(stat[12])) / tick
        if int(stat[2]) == server.pid:
            used["app", int(proc.name)] = seconds
        elif title.startswith(b"postgres: ") and b" cp_bench_load " in title:
            used["db", int(proc.name)] = seconds
    return used


# --- readers ------------------------------------------------------------------------------


@dataclass
class Hit:
    label: str
    ms: float
    error: str = ""


def read_page(browser: Browser, page: Page, rng: random.Random) -> Hit:
    """One page view. Anything but the page itself (an error status, a redirect to the
    sign-in page, a dropped connection) counts as an error."""
    path = rng.choice(page.paths)
    headers = {"HX-Request": "true"} if page.htmx else {}
    try:
        response = browser.get(path, headers)
    except (OSError, http.client.HTTPException) as error:
        return Hit(page.label, 0.0, f"{path}: {type(error).__name__}: {error}")
    error = "" if response.status == 200 else f"{path}: {response.status} {response.location}"
    if not error and path.endswith(".pdf") and not response.body.startswith(b"%PDF"):
        error = f"{path}: not a PDF"
    return Hit(page.label, response.ms, error)


def browse(
    browser: Browser, pages: list[Page], rng: random.Random, until: float, think: tuple, hits: list
) -> None:
    """A councillor reading pages until `until`, pausing `think` seconds between them."""
    weights = [p.weight for p in pages]
    if think[1]:
        time.sleep(rng.uniform(0, think[1]))  # people don't all arrive in the same second
    while time.monotonic() < until:
        hits.append(read_page(browser, rng.choices(pages, weights)[0], rng))
        if think[1]:
            time.sleep(max(0.0, min(rng.uniform(*think), until - time.monotonic())))


# --- writers ------------------------------------------------------------------------------

CLASH = (
    "while you were editing. Their version is now in the form; your changes were not saved "
    "and are listed below so you can make them again."
)


@dataclass
class Save:
    officer: str
    section: str
    field: str
    marker: int
    seen_version: int
    outcome: str  # "accepted", "rejected" (with the clash message) or what went wrong


def edit_sections(
    browser: Browser, person: Person, index: int, ret_pk: int, until: float, out: dict
) -> None:
    """An officer opening a section, changing one figure to a value no one else uses,
    and saving, again and again until `until`. Saves go to `out["saves"]`, timings to
    `out["hits"]`."""
    rng = random.Random(SEED + 1000 + index)
    attempt = 0
    while time.monotonic() < until:
        attempt += 1
        section = rng.choice(sorted(TARGETS))
        name = rng.choice(TARGETS[section])
        marker = 100_000 + index * 10_000 + attempt  # unique to this officer and attempt
        try:
            save = save_once(browser, f"/returns/{ret_pk}/{section}/", name, marker, rng, out)
        except (OSError, http.client.HTTPException) as error:
            out["hits"].append(Hit("officer: save a section", 0.0, f"{type(error).__name__}"))
        else:
            if save:
                out["saves"].append(Save(person.username, section, *save))
        time.sleep(rng.uniform(*THINK))


def save_once(
    browser: Browser, path: str, name: str, marker: int, rng: random.Random, out: dict
) -> tuple | None:
    """Open the section's form, wait as someone typing would, set one figure and save.
    Returns (field, marker, version the form was opened at, outcome), or None if the
    form didn't open."""
    opened = browser.get(path)
    error = "" if opened.status == 200 else f"{path}: {opened.status}"
    out["hits"].append(Hit("officer: open a section", opened.ms, error))
    if error:
        return None
    (form,) = post_forms(opened.text)
    fields = {n: v for n, v, _ in form["f"]} | {name: str(marker)}
    time.sleep(rng.uniform(*TYPING))
    answer = browser.post(path, fields)
    result = outcome(answer, path)
    error = "" if result in ("accepted", "rejected") else f"{path}: {result}"
    out["hits"].append(Hit("officer: save a section", answer.ms, error))
    return name, marker, int(fields["seen_version"]), result


def outcome(answer: Response, path: str) -> str:
    """Accepted (back to the return's page), rejected with the clash message, or neither."""
    ret_path, section = path.rstrip("/").rsplit("/", 1)
    if answer.status == 302 and answer.location == ret_path + "/":
        return "accepted"
    text = html.unescape(answer.text)
    if answer.status == 200 and f"changed this {section} section" in text and CLASH in text:
        return "rejected"
    return f"unexpected answer {answer.status} {answer.location}"


def check_saves(ret: object, saves: list[Save], before: dict, since: object) -> tuple[int, list]:
    """Lost updates, and any other problem, read back from the database and the audit log.

    An accepted save is lost if another accepted save was based on the same version (one
    of them overwrote the other unseen), if the audit log doesn't show it changing its
    figure from the value the save before it left, or if it was the last accepted save
    of its figure and the figure doesn't hold its value now. Also wrong: a stored version
    that hasn't moved on by exactly the number of accepted saves, an audit entry no
    accepted save explains, or a rejected save's value stored.
    """
    from corporate_parenting.models import AuditLog
    from returns import workflow

    lost, problems = 0, []
    for slug in TARGETS:
        stored = workflow.section_of(ret, slug)
        audit = AuditLog.objects.filter(
            object_type=type(stored)._meta.label, object_id=str(stored.pk), at__gte=since
        ).order_by("pk")
        found = [(entry.username, entry.changed_fields) for entry in audit]
        mine = [s for s in saves if s.section == slug]
        n, wrong = check_section(slug, stored, before[slug], mine, found)
        lost, problems = lost + n, problems + wrong
    return lost, problems


def check_section(
    slug: str, stored: object, before: tuple[int, dict], saves: list[Save], found: list
) -> tuple[int, list[str]]:
    """check_saves for one section: `found` is its audit entries as (username, changes)."""
    start_version, current = before[0], dict(before[1])
    accepted = sorted((s for s in saves if s.outcome == "accepted"), key=lambda s: s.seen_version)
    based_on = Counter(s.seen_version for s in accepted)
    lost, last = set(), {}
    for save in accepted:
        entry = (
            save.officer,
            {save.field: {"old": _shown(current[save.field]), "new": str(save.marker)}},
        )
        if based_on[save.seen_version] > 1 or entry not in found:
            lost.add(save.marker)
        current[save.field] = last[save.field] = save.marker
    lost |= {m for name, m in last.items() if getattr(stored, name) != m}
    problems = [f"{slug}: {len(lost)} accepted saves lost: {sorted(lost)[:5]}"] if lost else []
    if stored.version != start_version + len(accepted):
        problems.append(f"{slug}: version {stored.version}, not {start_version + len(accepted)}")
    markers = {str(s.marker) for s in accepted}
    unexplained = [f for f in found if not any(c.get("new") in markers for c in f[1].values())]
    if unexplained or len(found) != len(accepted):
        problems.append(f"{slug}: {len(found)} audit entries for {len(accepted)} accepted saves")
    rejected = {s.marker for s in saves if s.outcome == "rejected"}
    if leaked := rejected & {getattr(stored, n) for n in TARGETS[slug]}:
        problems.append(f"{slug}: values of rejected saves stored: {sorted(leaked)}")
    return len(lost), problems


def _shown(value: object) -> str:
    return "(blank)" if value is None else str(value)


def section_state(ret: object) -> dict[str, tuple[int, dict]]:
    """Each target section's version and figures now: what the saves are checked from."""
    from returns import workflow

    state = {}
    for slug, names in TARGETS.items():
        stored = workflow.section_of(ret, slug)
        state[slug] = (stored.version, {n: getattr(stored, n) for n in names})
    return state


# --- running it ---------------------------------------------------------------------------


def run_threads(targets: list[tuple]) -> None:
    threads = [threading.Thread(target=fn, args=args, daemon=True) for fn, *args in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile: the value p% of requests took at most."""
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)] if sorted_ms else 0.0


def table(hits: list[Hit], title: str) -> None:
    """Count, p50, p95, p99, max and errors by page and overall, as a Markdown table."""
    by_label: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_label[hit.label].append(hit)
    print(f"\n{title}\n")
    print("| page | count | p50 ms | p95 ms | p99 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, group in [*by_label.items(), ("all", hits)]:
        ms = sorted(h.ms for h in group if not h.error)
        figures = " | ".join(f"{percentile(ms, p):.1f}" for p in (50, 95, 99, 100))
        errors = sum(1 for h in group if h.error)
        print(f"| {label} | {len(group)} | {figures} | {errors} |")
    for hit in [h for h in hits if h.error][:10]:
        print(f"  error: {hit.label}: {hit.error}")


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, all processes and cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values) - values[3] - values[4], sum(values)  # idle and iowait aren't busy


class CpuMeter:
    """CPU time per request over a stretch of the run (gunicorn's, PostgreSQL's and the
    client's own), and how busy the whole machine was: on a shared machine, what else
    was running shows as the difference. A database connection Django recycles within
    the stretch takes its process's time with it, so PostgreSQL's figure is a floor."""

    def __init__(self, server: subprocess.Popen) -> None:
        self.server = server
        self.start, self.client = cpu_seconds(server), time.process_time()
        self.machine = machine_ticks()

    def line(self, requests: int) -> str:
        spent = {"app": 0.0, "db": 0.0}
        for key, seconds in cpu_seconds(self.server).items():
            spent[key[0]] += seconds - self.start.get(key, 0.0)
        spent["client"] = time.process_time() - self.client
        busy, total = (b - a for a, b in zip(self.machine, machine_ticks(), strict=True))
        ours = sum(spent.values()) * os.sysconf("SC_CLK_TCK") / max(total, 1)
        per = 1000 / max(requests, 1)
        return (
            f"CPU per request: gunicorn {spent['app'] * per:.1f} ms, PostgreSQL at least "
            f"{spent['db'] * per:.1f} ms, the client {spent['client'] * per:.1f} ms. The "
            f"machine was {busy / max(total, 1):.0%} busy, {ours:.0%} with this run."
        )


def sign_in_and_warm_up(
    port: int, pages: list[Page], councillors: list[Person], officers: list[Person]
) -> tuple[list[Browser], list[Browser]]:
    readers, timings = sign_everyone_in(port, councillors)
    writers, officer_timings = sign_everyone_in(port, officers)
    timings = sorted(timings + officer_timings)
    print(
        f"{len(timings)} sign-ins (officers' with a two-factor code): "
        f"p50 {percentile(timings, 50):.0f} ms, max {timings[-1]:.0f} ms"
    )
    for page in pages:  # each path once, so the measured run starts warm
        for path in page.paths:
            read_page(readers[0], Page(page.label, [path], 1, page.htmx), random.Random(0))
    return readers, writers


def read_and_write(
    server: subprocess.Popen, readers: list[Browser], writers: list[Browser], pages: list[Page],
    officers: list[Person], ret: object,
) -> None:  # fmt: skip
    """Phases 1 and 3 together: councillors reading while officers save."""
    from django.utils import timezone

    since, before = timezone.now(), section_state(ret)
    hits: list[Hit] = []
    writing: dict[str, list] = {"saves": [], "hits": []}
    until = time.monotonic() + READ_SECONDS
    jobs = [
        (browse, b, pages, random.Random(SEED + i), until, THINK, hits)
        for i, b in enumerate(readers)
    ]
    jobs += [
        (edit_sections, browser, person, i, ret.pk, until, writing)
        for i, (browser, person) in enumerate(zip(writers, officers, strict=True))
    ]
    meter = CpuMeter(server)
    run_threads(jobs)
    cpu = meter.line(len(hits) + len(writing["hits"]))
    table(
        hits,
        f"Reading: {READERS} councillors for {READ_SECONDS:.0f} s, {THINK[0]:.0f}-{THINK[1]:.0f} s "
        f"between pages ({len(hits) / READ_SECONDS:.1f} requests/s)",
    )
    table(writing["hits"], f"Writing at the same time: {WRITERS} officers, one draft return")
    print(f"\n{cpu}")
    report_saves(ret, writing["saves"], before, since)


def report_saves(ret: object, saves: list[Save], before: dict, since: object) -> None:
    accepted = sum(1 for s in saves if s.outcome == "accepted")
    rejected = sum(1 for s in saves if s.outcome == "rejected")
    unclear = [s for s in saves if s.outcome not in ("accepted", "rejected")]
    lost, problems = check_saves(ret, saves, before, since)
    print(
        f"\nsaves: {len(saves)}; accepted {accepted}; rejected with the clash message "
        f"{rejected}; with no clear answer {len(unclear)}"
    )
    print(f"lost updates: {lost}")
    for problem in problems + [f"{s.officer}: {s.outcome}" for s in unclear[:5]]:
        print(f"  PROBLEM: {problem}")


def flat_out(server: subprocess.Popen, readers: list[Browser], pages: list[Page]) -> None:
    """Phase 2: clients asking for the next page as soon as the last one arrives."""
    print("\nWithout think time (the same pages):")
    best = 0.0
    for clients in BURST_STEPS:
        hits: list[Hit] = []
        until = time.monotonic() + BURST_SECONDS
        meter = CpuMeter(server)
        run_threads(
            [
                (browse, b, pages, random.Random(SEED + 500 + i), until, (0, 0), hits)
                for i, b in enumerate(readers[:clients])
            ]
        )
        ms = sorted(h.ms for h in hits if not h.error)
        rate = len(hits) / BURST_SECONDS
        best = max(best, rate)
        figures = ", ".join(f"p{p} {percentile(ms, p):.0f} ms" for p in (50, 95, 99))
        errors = sum(1 for h in hits if h.error)
        print(f"  {clients:>2} clients: {rate:6.1f} requests/s; {figures}; errors {errors}")
        print(f"     {meter.line(len(hits))}")
    print(f"  maximum: {best:.1f} requests/s")


def main() -> None:
    os.environ["CP_REPLICA_URL"] = ""  # one database: the primary (the server inherits this)
    use_bench_database("cp_bench_load")
    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    call_command("load_demo", stdout=io.StringIO())
    publish_demo_reports()
    councillors, officers = bench_people()
    ret = draft_return()
    pages = councillor_pages()
    print(f"# load; {machine()}; demo data ready in {time.monotonic() - started:.0f} s")
    print(f"load average before: {load_average()} (the machine is shared: see it after too)")
    connection.close()  # the server's workers are the ones that should hold connections

    log = ROOT / "var" / "bench-load-gunicorn.log"
    port = free_port()
    # Stopped with `kill` or by a time limit, still run the `finally` that stops gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("Stopped: stopping gunicorn."))
    server = start_server(port, log)
    try:
        print(f"gunicorn on 127.0.0.1:{port}: {workers()} workers x {THREADS} threads")
        readers, writers = sign_in_and_warm_up(port, pages, councillors, officers)
        read_and_write(server, readers, writers, pages, officers, ret)
        flat_out(server, readers, pages)
        for browser in readers + writers:
            browser.close()
    finally:
        stop_server(server)
    print(f"load average after: {load_average()}")


def load_average() -> str:
    return ", ".join(f"{n:.2f}" for n in os.getloadavg())


if __name__ == "__main__":
    main()
