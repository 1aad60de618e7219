"""Export of a finished postmortem into the team's repository and log_root,
and import of a hotfix change folder (the hotfix seed's inputs).

``services`` runs an export (``document`` reads the postmortem, ``render``
writes its Markdown, ``scan`` looks for secrets and PII, ``files`` writes
atomically under a lock, ``git`` commits, ``contract`` is the JSON answer);
``importer`` reads a change folder. The task is ``postmortems.tasks``.
"""
