"""Exporting a finished postmortem: checks, render, scan, write, commit.

``export_request`` records a run and queues the task on commit;
``export_run`` does the work and may run more than once for one run (a
worker killed mid-way, a retry): every step is safe to repeat. Files are
written whole or not at all, unchanged files are not written, git commits
only when the files differ from HEAD, and a run already finished answers
its stored contract again. Nothing is written until every check has passed.
"""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from incidents.models import Incident
from incidents.refs import CHANGE_ID_RE
from postmortems.export import contract, files, git, render, scan
from postmortems.export.contract import Blocker, NotApplicable
from postmortems.export.document import Doc, collect
from postmortems.kinds import Kind
from postmortems.models import ExportRun, Postmortem
from postmortems.paths import resolve_inside
from postmortems.services import hotfix_blocker, hotfix_not_applicable_reason

Status = ExportRun.Status
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOCK_NAME = "postmortems-export.lock"
TRACKING = "POST_MORTEM_TRACKING.md"


class ExportInProgress(Exception):
    def __init__(self, run: ExportRun):
        super().__init__(f"An export of this postmortem is {run.status} already.")
        self.run = run


@transaction.atomic
def export_request(
    *, postmortem: Postmortem, by, redact: bool = False, queue: bool = True
) -> ExportRun:
    """A queued run, exported by a worker once this transaction commits (or by
    the caller, with ``queue=False``); ExportInProgress with the run already
    queued or running when there is one."""
    locked = Postmortem.objects.select_for_update().get(pk=postmortem.pk)
    if active := locked.exports.filter(status__in=[Status.QUEUED, Status.RUNNING]).first():
        raise ExportInProgress(active)
    run = ExportRun.objects.create(postmortem=locked, requested_by=by, redact=redact)
    from postmortems.tasks import export_postmortem  # tasks import this module

    if queue:
        export_postmortem.delay_on_commit(run.pk)
    return run


# --- the run --------------------------------------------------------------------


@dataclass
class Target:
    role: str  # the contract's artifact name
    path: Path  # resolved, inside its root
    shown: str  # the path as the contract writes it
    content: str = ""
    in_repo: bool = False


def _progress(run: ExportRun, step: str) -> None:
    ExportRun.objects.filter(pk=run.pk).update(progress=step)


def _claim(run_id: int) -> ExportRun | None:
    """Mark the run running (again, after a killed worker); None once finished,
    or failed once it has had EXPORT_MAX_ATTEMPTS deliveries: a run that kills
    its worker every time (out of memory) would otherwise come back forever."""
    claimed = ExportRun.objects.filter(
        pk=run_id,
        status__in=[Status.QUEUED, Status.RUNNING],
        attempts__lt=settings.EXPORT_MAX_ATTEMPTS,
    ).update(
        status=Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=timezone.now(),
        progress="Checking",
    )
    if not claimed:
        export_fail(
            run_id,
            f"Gave up after {settings.EXPORT_MAX_ATTEMPTS} attempts: each one stopped "
            "before it finished (the worker was killed or ran out of memory).",
        )  # changes nothing when the run had finished
        return None
    return ExportRun.objects.select_related("postmortem__incident").get(pk=run_id)


def _finish(run: ExportRun, status: str, answer: dict, **fields) -> dict:
    ExportRun.objects.filter(pk=run.pk).update(
        status=status, contract=answer, progress="", finished_at=timezone.now(), **fields
    )
    return answer


def export_fail(run_id: int, error: str) -> None:
    """The task gave up (its retries ran out): say why on the run."""
    ExportRun.objects.filter(pk=run_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.FAILED, error=error[:2000], progress="", finished_at=timezone.now()
    )


def export_run(run_id: int) -> dict:
    """Run export ``run_id`` and answer its JSON contract."""
    run = _claim(run_id)
    if run is None:
        return ExportRun.objects.get(pk=run_id).contract
    doc = collect(run.postmortem)
    try:
        _check(doc, run.postmortem.incident)
        targets, message = _prepare(doc, run)
        _progress(run, "Writing files")
        with files.locked(_lock_file()):
            written = _write(doc, targets)
            _progress(run, "Committing")
            sha = _commit(targets, message)
            files.pause_for_tests("after-commit")
    except NotApplicable as answer:
        return _finish(run, Status.NOT_APPLICABLE, contract.not_applicable(answer.reason))
    except Blocker as blocker:
        answer = contract.blocked(doc, blocker)
        return _finish(run, Status.BLOCKED, answer, findings=blocker.findings)
    main = targets[0]
    answer = contract.complete(doc, {t.role: t.shown for t in targets})
    return _finish(
        run,
        Status.COMPLETE,
        answer,
        commit_sha=sha,
        markdown=main.content,
        files=[
            {"role": t.role, "path": str(t.path), "written": t.path in written} for t in targets
        ],
    )


# --- checks ---------------------------------------------------------------------


def _check(doc: Doc, incident: Incident) -> None:
    """The seeds' and this workspace's conditions for an export, in order."""
    if doc.kind == Kind.HOTFIX and (reason := hotfix_not_applicable_reason(incident)):
        raise NotApplicable(reason)
    if doc.state not in (Postmortem.State.FINAL, Postmortem.State.CLOSED):
        raise Blocker(
            f"The postmortem is {doc.state_label}; only a Final postmortem is exported.",
            "Finish the review and move it to Final",
            ["state"],
        )
    if doc.restricted:
        raise Blocker(
            "The incident is restricted (security track): its postmortem does not go "
            "to the shared repository.",
            "Lift the restriction on the incident once it may be shared",
            ["restricted"],
        )
    if doc.kind == Kind.HOTFIX:
        if not CHANGE_ID_RE.match(doc.change_id):
            raise Blocker(
                f"The change id {doc.change_id!r} is not CHG-YYYYMMDD-<slug>.",
                "Correct the incident's change id",
                ["change_id"],
            )
        if blocker := hotfix_blocker(incident):
            raise Blocker(**blocker)
        if not doc.log_root:
            raise Blocker(
                "The postmortem has no log_root; the seed archives to the log root too.",
                "Set the postmortem's log_root (from the triage frontmatter)",
                ["log_root"],
            )
    unassigned = [a.ref for a in doc.actions if not a.dropped and not (a.owner and a.due)]
    if unassigned:
        raise Blocker(
            f"Follow-up actions without an owner or a target date: {', '.join(unassigned)}.",
            "Give every follow-up action an owner and a target date",
            ["actions"],
        )


# --- paths and content ----------------------------------------------------------


def _repo_root() -> Path:
    root = Path(settings.EXPORT_REPO_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root.resolve()


def _lock_file() -> Path:
    root = _repo_root()
    top = git.work_tree(root)
    return git.git_dir(top) / LOCK_NAME if top else root / f".{LOCK_NAME}"


def _inside(path: Path, roots: list[Path], field: str) -> Path:
    try:
        return resolve_inside(str(path), roots)
    except ValueError as error:
        raise Blocker(
            f"Refused to write outside the configured roots: {error}",
            "Use a path inside EXPORT_REPO_ROOT or EXPORT_LOG_ROOTS (no .. and no "
            "symbolic link leading out)",
            [field],
        ) from error


def _log_root(doc: Doc) -> Path:
    return _inside(Path(doc.log_root), list(settings.EXPORT_LOG_ROOTS), "log_root")


def file_stem(doc: Doc) -> str:
    """``post-mortem-<YYYY-MM-DD>-<slug>`` (full seed), checked against its format."""
    words, slug = slugify(doc.title).split("-"), ""
    for word in words:  # whole words, up to 60 characters
        if slug and len(slug) + len(word) + 1 > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    slug = slug or doc.ref.lower()
    if not SLUG_RE.match(slug):
        raise Blocker(
            f"The file name slug {slug!r} is not lower-case words joined by hyphens.",
            "Give the incident a title with letters or digits",
            ["title"],
        )
    return f"post-mortem-{render.day(doc.started)}-{slug}"


def _targets(doc: Doc) -> list[Target]:
    repo = _repo_root()
    log_root = _log_root(doc) if doc.log_root else None
    targets: list[Target] = []
    if doc.kind == Kind.HOTFIX:
        relative = f"Planning/Changes/{doc.change_id}/99-postmortem.md"
        targets.append(Target("postmortem", repo / relative, f"../{relative}", in_repo=True))
    else:
        relative = f"tasks/{file_stem(doc)}.md"
        targets.append(Target("postmortem", repo / relative, relative, in_repo=True))
    if log_root is not None:
        for role, name in (
            ("postmortem_log_copy", "postmortem/postmortem.md"),
            ("postmortem_log", "meta/postmortem.log.md"),
        ):
            if role == "postmortem_log" and doc.kind != Kind.HOTFIX:
                continue  # the execution log is the hotfix seed's
            targets.append(Target(role, log_root / name, f"{log_root}/{name}"))
    if doc.kind != Kind.HOTFIX:
        targets.append(Target("tracking", repo / TRACKING, TRACKING, in_repo=True))
    for target in targets:
        roots = [repo] if target.in_repo else [log_root]
        target.path = _inside(target.path, roots, "repository" if target.in_repo else "log_root")
    return targets


def _prepare(doc: Doc, run: ExportRun) -> tuple[list[Target], str]:
    """Every file's content and the commit message, scanned (and redacted if
    chosen); Blocker on findings, so nothing is written with them."""
    _progress(run, "Rendering")
    targets = _targets(doc)
    markdown = render.render(doc)
    message = render.commit_message(doc)
    _progress(run, "Scanning for secrets and PII")
    # The commit message is made of the document's own text (title, root
    # cause): the document's findings cover it, and redaction treats both.
    findings = _locate(scan.scan(markdown), markdown)
    if findings and not run.redact:
        raise Blocker(
            f"{len(findings)} possible secret(s) or personal data found; nothing was written.",
            "Edit the places listed, or export again choosing to redact them",
            sorted({f["where"] for f in findings}),
            findings=findings,
        )
    notes = [f"Exported from {doc.ref} ({doc.state_label}) by the postmortem workspace."]
    if findings:
        markdown = scan.redact(markdown, scan.scan(markdown))
        message = scan.redact(message, scan.scan(message))
        kinds = ", ".join(sorted({f["kind"] for f in findings}))
        notes.append(f"Sanitized: {len(findings)} finding(s) redacted ({kinds}).")
    else:
        notes.append("Sanitized: no secrets or PII found.")
    for target in targets:
        if target.role in ("postmortem", "postmortem_log_copy"):
            target.content = markdown
        elif target.role == "postmortem_log":
            target.content = _execution_log(doc, targets, notes, target.path)
    return targets, message


def _locate(findings: list[scan.Finding], text: str) -> list[dict]:
    """Each finding with the heading it sits under: where a person fixes it."""
    headings: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if match := re.match(r"^(#{1,6}) (.+)$", line):
            headings.append((number, match[2].strip()))
    located = []
    for finding in findings:
        under = [title for number, title in headings if number <= finding.line]
        where = under[-1] if under else "frontmatter"
        located.append(finding.as_dict() | {"where": where})
    return located


def _execution_log(doc: Doc, targets: list[Target], notes: list[str], path: Path) -> str:
    changes = f"../Planning/Changes/{doc.change_id}"
    shown = {t.role: t.shown for t in targets}

    def content(created: str) -> str:
        return render.execution_log(
            doc,
            created=created,
            inputs={
                "intent": f"{changes}/00-change-intent.md",
                "triage": f"{changes}/01-triage.md",
                "deployment": doc.deployed.source if doc.deployed else "",
            },
            outputs={
                "postmortem": shown["postmortem"],
                "log_copy": shown["postmortem_log_copy"],
            },
            notes=notes,
        )

    # Keep the first export's timestamp while nothing else changes, so a
    # re-export of the same postmortem rewrites nothing.
    if path.exists():
        match = re.search(r'^created: "([^"]+)"$', path.read_text(), re.M)
        if match and files.same_content(path, kept := content(match[1])):
            return kept
    return content(timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"))


# --- writing --------------------------------------------------------------------


def _write(doc: Doc, targets: list[Target]) -> set[Path]:
    """Write each file that changed (atomically); the paths written."""
    written: set[Path] = set()
    for target in targets:
        if target.role == "tracking":
            continue
        if files.write_atomic(target.path, target.content):
            written.add(target.path)
    for target in targets:
        if target.role == "tracking":
            target.content = render.tracking_file(
                target.path.read_text() if target.path.exists() else "",
                key=targets[0].path.stem,
                severity=doc.severity,
                status=render.SEED_STATUS[doc.state],
                today=timezone.localdate(),
            )
            if files.write_atomic(target.path, target.content):
                written.add(target.path)
    return written


def _commit(targets: list[Target], message: str) -> str:
    """One commit of the repository's files when they changed; the commit that
    holds them either way; empty when the repository is not a git work tree."""
    top = git.work_tree(_repo_root())
    if top is None:
        return ""
    paths = [str(t.path.relative_to(top)) for t in targets if t.in_repo]
    if git.changed(top, paths):
        return git.commit(
            top,
            paths,
            message,
            name=settings.EXPORT_GIT_AUTHOR_NAME,
            email=settings.EXPORT_GIT_AUTHOR_EMAIL,
        )
    return git.last_commit(top, paths[0])
