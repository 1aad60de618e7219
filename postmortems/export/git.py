"""The few git commands an export needs, run with the real ``git`` binary.

Always a list of arguments (never a shell), a timeout, no prompts, and the
author identity given by the caller. Commits name their paths, so whatever
else someone staged in the repository stays out of the export's commit.
Imports no domain models.
"""

import os
import subprocess
from pathlib import Path

TIMEOUT = 60


class GitError(Exception):
    pass


def _env(name: str = "", email: str = "") -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "GIT_TERMINAL_PROMPT": "0",
    }
    if name:
        env |= {"GIT_AUTHOR_NAME": name, "GIT_COMMITTER_NAME": name}
    if email:
        env |= {"GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_EMAIL": email}
    return env


def git(repo: Path, *args: str, check: bool = True, **identity: str) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), "-c", "commit.gpgsign=false", *args],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=_env(**identity),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(f"git {args[0]}: {error}") from error
    if check and result.returncode != 0:
        raise GitError(f"git {args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout if result.returncode == 0 else ""


def work_tree(path: Path) -> Path | None:
    """The top folder of the git work tree ``path`` is in, or None."""
    if not path.is_dir():
        return None
    top = git(path, "rev-parse", "--show-toplevel", check=False).strip()
    return Path(top).resolve() if top else None


def git_dir(top: Path) -> Path:
    path = Path(git(top, "rev-parse", "--git-dir").strip())
    return path if path.is_absolute() else top / path


def changed(top: Path, paths: list[str]) -> bool:
    """Whether any of ``paths`` differs from HEAD (or is untracked)."""
    return bool(git(top, "status", "--porcelain", "--untracked-files=all", "--", *paths).strip())


def commit(top: Path, paths: list[str], message: str, *, name: str, email: str) -> str:
    """Commit exactly ``paths``; the new commit's hash."""
    git(top, "add", "--", *paths)
    # --no-verify: the content was scanned already, and a hook that waits
    # for input or the network would hang the worker.
    git(top, "commit", "--no-verify", "-q", "-m", message, "--", *paths, name=name, email=email)
    return git(top, "rev-parse", "HEAD").strip()


def last_commit(top: Path, path: str) -> str:
    """The last commit that touched ``path``; empty in a repository without one."""
    return git(top, "log", "-1", "--format=%H", "--", path, check=False).strip()
