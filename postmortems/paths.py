"""Paths that users type, checked against the configured roots.

A log_root (hotfix seed) is a folder the export writes into, so a path typed
in a form must land inside one of ``EXPORT_LOG_ROOTS`` once ``..`` and
symbolic links are resolved. Imports no domain models.
"""

from pathlib import Path


def resolve_inside(path: str, roots: list[Path]) -> Path:
    """The real path of ``path`` if it lies inside one of ``roots``.

    A relative path is taken relative to the first root. Raises ValueError
    when the path is empty or resolves (through ``..`` or a symlink, also one
    that does not exist yet further down) outside every root.
    """
    text = path.strip()
    if not text:
        raise ValueError("Give a path.")
    if "\x00" in text:
        raise ValueError("A path cannot contain a NUL character.")
    if not roots:
        raise ValueError("No log roots are configured (EXPORT_LOG_ROOTS).")
    candidate = Path(text).expanduser()
    if not candidate.is_absolute():
        candidate = Path(roots[0]) / candidate
    # resolve() follows every symlink that exists and collapses "..", so a
    # link inside a root that points elsewhere resolves to where it points.
    resolved = candidate.resolve(strict=False)
    for root in roots:
        if resolved.is_relative_to(Path(root).resolve(strict=False)):
            return resolved
    allowed = ", ".join(str(root) for root in roots)
    raise ValueError(f"{text} is outside the allowed log roots ({allowed}).")
