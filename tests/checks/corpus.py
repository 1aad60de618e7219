"""The sentences and action items the language checks are tuned on, each
labelled by hand, and the precision and recall the checks reach on them.

Blame is labelled by what a blameless reviewer would ask the author to
rewrite; an action is vague when nobody could tell it is done. Hard cases
the checks get wrong are kept (marked "miss" below) so the figures stay
honest. tests/checks/test_language.py asserts the figures; print them
with ``pytest tests/checks/test_language.py -k corpus -s``.
"""

from dataclasses import dataclass
from typing import NamedTuple

from postmortems.checks.language import blaming_phrases, vague_action

# The people on the incidents the sentences come from.
PEOPLE = (
    *("Bob Martin", "Bob", "bmartin", "Priya Raman", "Priya", "Alice Chen", "Alice"),
    *("Carlos Ruiz", "Carlos", "Dana", "Eve Tran", "Eve", "eve.t", "jlee", "Grace"),
    *("Sam", "Tom"),
)


class Sentence(NamedTuple):
    text: str
    blaming: bool


class Action(NamedTuple):
    title: str
    signal: str
    vague: bool


BLAMING = [
    Sentence("Root cause: human error during the database migration.", True),
    Sentence(
        "The outage was caused by operator error when the failover script was run against "
        "the wrong region.",
        True,
    ),
    Sentence("Ultimately this was user error: the customer admin deleted their own API key.", True),
    Sentence("Bob forgot to renew the TLS certificate for the public API.", True),
    Sentence("bmartin broke the build by merging without waiting for CI.", True),
    Sentence("The on-call engineer should have noticed the disk filling up hours earlier.", True),
    Sentence("Engineers need to be more careful when editing production configs by hand.", True),
    Sentence("The config change was careless and went out without a second look.", True),
    Sentence("It was negligent to run the migration during peak traffic.", True),
    Sentence("The reviewer failed to spot the missing WHERE clause in the migration.", True),
    Sentence(
        "If only Priya had checked the dashboard before deploying, none of this would have "
        "happened.",
        True,
    ),
    Sentence("Alice messed up the load balancer weights during the rollout.", True),
    Sentence(
        "Frankly the deploy was lazy: no canary, no rollback plan, no heads-up in the channel.",
        True,
    ),
    Sentence(
        "We should have known better than to ship a schema change on a Friday afternoon.", True
    ),
    Sentence("The engineer who pushed the bad config did not follow the checklist.", True),
    Sentence(
        "This incident was entirely the fault of the new hire, who had production access on "
        "day two.",
        True,
    ),
    Sentence("Carlos didn't bother to run the integration suite before merging.", True),
    Sentence("Someone should have caught the expired credential during the weekly review.", True),
    Sentence("He ignored the low-disk warning for three days.", True),
    Sentence("The incident commander made a mistake by declaring recovery too early.", True),
    Sentence("In the end it comes down to sloppiness in how the secrets were rotated.", True),
    Sentence("Dana's mistake was approving the PR without reading the diff.", True),
    Sentence("It should have been obvious to anyone that the queue was backing up.", True),
    Sentence("The team dropped the ball on the certificate renewal.", True),
    Sentence("Support blamed the on-call for the slow response.", True),
    Sentence("The developer carelessly deleted the production bucket instead of staging.", True),
    Sentence("Eve caused the outage by running the cleanup job with the wrong flag.", True),
    Sentence("This is a classic PEBKAC: the config was edited in the wrong environment.", True),
    Sentence(
        "Had the on-call simply read the runbook, recovery would have taken ten minutes.", True
    ),
    Sentence("The SRE on shift was not paying attention to the pager.", True),
    Sentence("Mistakes like this come from incompetent code review.", True),
    Sentence("They forgot to drain the node before rebooting it.", True),
    Sentence("The responder failed to escalate to the database team for 40 minutes.", True),
    Sentence("@jlee overlooked the warning in the deploy output.", True),
    Sentence(
        "Grace should\u2019ve double-checked the target cluster before applying the manifest.", True
    ),
    Sentence("Sam simply wasn't careful enough with the feature flag.", True),
    Sentence(
        "eve.t mistakenly pointed the restore job at the live database instead of the snapshot.",
        True,
    ),
    Sentence(
        "Timeline note: 02:14 Bob Martin fat-fingered the weight (100 instead of 10) and "
        "all traffic moved to the canary.",
        True,
    ),
    Sentence("The on-call engineer shouldn't have restarted the primary during peak.", True),
    Sentence("The primary cause was a human mistake in the Terraform plan review.", True),
    Sentence("Priya Raman's carelessness with the production credentials led to the leak.", True),
    Sentence("Ops staff error during the maintenance window took down the storage cluster.", True),
    Sentence(
        "It was clearly Carlos's fault for approving the change without a rollback plan.", True
    ),
    Sentence("The intern accidentally dropped the orders table.", True),
    Sentence(
        "Everyone knows the workers need a restart after a config change, and he didn't.", True
    ),
    Sentence("Bob should have been more careful with the rollout percentage.", True),
    Sentence("The engineers responsible for the outage have been spoken to.", True),
    # miss: a verdict ("unacceptable") with no blame word the rules know.
    Sentence(
        "Although alerts fired at 03:12, the on-call acknowledged them and went back to "
        "sleep, which is unacceptable.",
        True,
    ),
    # miss: a counterfactual person, not a subject the rules know.
    Sentence("A more experienced engineer would have caught this in review.", True),
    # miss: "pushed ahead anyway" judges without a blame verb.
    Sentence("Despite the warnings in the channel, the deployer pushed ahead anyway.", True),
    # miss: "DBA" is not among the roles.
    Sentence("The DBA neglected to check replication status before promoting the replica.", True),
    # miss: blame by insinuation, without a verdict word or a blame verb.
    Sentence(
        "Tom, who had been on the team for two weeks, deployed straight to production "
        "without asking anyone.",
        True,
    ),
    # miss: "who did not understand" after "a junior developer", not "the ... who broke".
    Sentence(
        "The root cause was a junior developer who did not understand how the cache works.",
        True,
    ),
    # miss: the person is only implied ("the same engineer").
    Sentence("Once again the same engineer took the site down.", True),
]

BLAMELESS = [
    Sentence("The deploy tool allowed an unreviewed config change to reach production.", False),
    Sentence(
        "The alert threshold was set to 95% disk usage, too high to give responders time to act.",
        False,
    ),
    Sentence("The runbook lacked a rollback step for the schema migration.", False),
    Sentence(
        "Alice rolled back the deploy at 14:32 and error rates returned to baseline within "
        "five minutes.",
        False,
    ),
    Sentence("The error rate on the checkout API peaked at 38% at 14:20 UTC.", False),
    Sentence(
        "The Postgres operator restarted the primary pod after the liveness probe failed three "
        "times.",
        False,
    ),
    Sentence(
        "Refunds over $500 require human-in-the-loop approval, which added 20 minutes to "
        "mitigation.",
        False,
    ),
    Sentence(
        'Our guidance asks authors to avoid conclusions such as "human error" and actions '
        'such as "be more careful".',
        False,
    ),
    Sentence(
        "During the incident the UI showed a user error message (“Invalid card”) for valid cards.",
        False,
    ),
    Sentence(
        "The API returned user errors (HTTP 4xx) for 12% of requests, which the alert "
        "counted as healthy.",
        False,
    ),
    Sentence(
        "This was not human error: the CLI defaulted to the production context when no flag "
        "was given.",
        False,
    ),
    Sentence("Bob paged the database team at 02:10 and they confirmed replica lag.", False),
    Sentence(
        "The canary should have caught the regression, but it only sampled 1% of read traffic.",
        False,
    ),
    Sentence(
        "The integration tests failed to cover the retry path, so the bug reached staging "
        "unnoticed.",
        False,
    ),
    Sentence(
        "Certificate renewal depended on a calendar reminder that went to a former "
        "employee's inbox.",
        False,
    ),
    Sentence(
        "Nothing in the deploy pipeline checked that the pool config set a maximum size.", False
    ),
    Sentence("Priya noticed the queue depth climbing at 09:41 and opened the incident.", False),
    Sentence(
        "The on-call engineer followed the runbook, but step 4 referred to a dashboard that "
        "had been deleted.",
        False,
    ),
    Sentence(
        "Lazy loading of the settings module meant the bad value was only read on the first "
        "request.",
        False,
    ),
    Sentence(
        "The fault domain was a single availability zone, so one power event took out all "
        "three replicas.",
        False,
    ),
    Sentence("Error handling in the worker swallowed the timeout, so no alert fired.", False),
    Sentence(
        "The responder's shell history shows the command ran against prod because both "
        "terminals had the same prompt.",
        False,
    ),
    Sentence(
        "The migration failed to acquire a lock and retried until the connection pool was "
        "exhausted.",
        False,
    ),
    Sentence("Eve deployed the fix at 15:02; error rates dropped to 0.2% by 15:10.", False),
    Sentence("The engineer who handled the page had no access to the replica dashboards.", False),
    Sentence(
        "Alerting only covered the primary region, so the outage in eu-west went unnoticed "
        "for 40 minutes.",
        False,
    ),
    Sentence(
        "Carlos was paged, but the page went to a phone number that had been removed from the "
        "rotation.",
        False,
    ),
    Sentence(
        "The Kubernetes operator failed to reconcile the StatefulSet because the CRD version "
        "was outdated.",
        False,
    ),
    Sentence(
        "In hindsight the retry budget was too generous: each client retried five times with "
        "no jitter.",
        False,
    ),
    Sentence(
        "Reviewers had no way to see the rendered config; the PR showed only the template diff.",
        False,
    ),
    Sentence("Nobody is to blame here; the question is why the guard rail was missing.", False),
    Sentence(
        "Dana didn't get the page because the escalation policy skipped the secondary on weekends.",
        False,
    ),
    Sentence(
        "The load balancer ignored the health check results because of a misconfigured interval.",
        False,
    ),
    Sentence(
        "Human review of the change took place, but the diff tool hid whitespace-only changes "
        "in YAML.",
        False,
    ),
    Sentence("jlee's runbook update added the missing rollback command.", False),
    Sentence(
        "The operator role in the incident was filled by Grace, who coordinated the failover.",
        False,
    ),
    Sentence("We should have had a load test for the new endpoint; action AI-004 adds one.", False),
    Sentence(
        "Replicas fell behind and they failed to catch up until the batch job was paused.",
        False,
    ),
    Sentence("Sam didn't know the flag was global because the flag UI shows no scope.", False),
    Sentence(
        "The postmortem template's “What went poorly” section asks for conditions, not culprits.",
        False,
    ),
    Sentence(
        "At 03:12 the on-call acknowledged the page, but the alert text did not say which "
        "shard was affected.",
        False,
    ),
    Sentence(
        "Bob Martin wrote the migration; the review checklist had no item for lock duration.",
        False,
    ),
    Sentence(
        "Because the restore runbook was last tested in 2021, step 6 pointed to a bucket that "
        "no longer existed.",
        False,
    ),
    Sentence(
        "The operator's reconciliation loop failed to converge, so the Redis cluster never "
        "elected a new leader.",
        False,
    ),
    Sentence("Customers saw a generic user error page instead of the maintenance banner.", False),
    Sentence("Tom caught the regression in staging and held the release.", False),
    Sentence(
        "The failover missed its 5-minute target because DNS TTLs were set to one hour.", False
    ),
    Sentence(
        "The human cost of the incident was high: three responders worked through the night.",
        False,
    ),
    Sentence("Error budgets for the quarter were exhausted by the 14th.", False),
    Sentence(
        "The config linter did not check for duplicate keys, so the second value silently won.",
        False,
    ),
    Sentence(
        "There was no staging environment for the queue, so the change was first exercised "
        "in production.",
        False,
    ),
    # false positive: "broke" as in "divided", with a name as the subject.
    Sentence("Grace broke the incident into three workstreams and assigned a lead to each.", False),
    # false positive: "didn't see" is what reached Alice, but it reads as a blame verb.
    Sentence("Alice didn't see the alert because it was routed to the old #ops channel.", False),
    # false positive: the negation is too far from "careless" to be noticed.
    Sentence(
        "We found no evidence of careless handling; the script simply had no dry-run mode.",
        False,
    ),
]

SENTENCES = BLAMING + BLAMELESS

ACTIONS = [
    # Vague: asks people to change, whatever the signal.
    Action("Be more careful when editing production configs", "", True),
    Action(
        "Be more careful when editing production configs",
        "No config-related incidents next quarter",
        True,
    ),
    Action("Be vigilant about certificate expiry", "", True),
    Action("Double-check the target cluster before applying manifests", "", True),
    Action("Engineers should pay more attention to the deploy output", "", True),
    Action("Remind the team to drain nodes before rebooting", "", True),
    Action(
        "Take more care with manual failovers",
        "Failover checklist signed by two people every time",
        True,
    ),
    Action("Try harder to keep runbooks current", "", True),
    # Vague: cannot be seen done without a signal.
    Action("Monitor better", "", True),
    Action("Improve tests", "", True),
    Action("Improve tests", "Tests are better", True),
    Action("Communicate better during incidents", "", True),
    Action("Review and update alerts", "", True),
    Action("Improve monitoring of the payments service", "", True),
    Action("Make sure this doesn't happen again", "", True),
    Action("Look into the replica lag", "", True),
    Action("Add more tests", "", True),
    Action("Improve documentation", "Docs updated", True),
    Action("Improve alerting", "TBD", True),
    Action("Improve alerting", "Done by Q3 2025", True),
    Action("Conduct incident response training", "", True),
    Action("Harden the deploy process", "", True),
    Action("Revisit our approach to on-call", "", True),
    Action("Monitor the database", "Monitoring is in place and the team is aware", True),
    Action("Be more mindful of rate limits when running backfills", "", True),
    Action("Improve the on-call handover process", "", True),
    Action("Better communication with the support team", "", True),
    Action("Increase test coverage", "More tests were added", True),
    # miss: "ensure" + a hope, not one of the vague phrases.
    Action("Ensure backups are working", "", True),
    # miss: teaching people, said with a verb the rules do not know.
    Action("Educate developers about connection pooling", "", True),
    # miss: a vague fix with no vague keyword.
    Action("Fix the database issues", "", True),
    # miss: "more resilient" as an adjective, not a thing to improve.
    Action("Make the system more resilient", "", True),
    # Concrete.
    Action("Improve tests", "CI fails when the pool config lacks a max", False),
    Action("Add a CI check that rejects pool configs without max_connections", "", False),
    Action("Page the on-call when replica lag exceeds 30 seconds for 5 minutes", "", False),
    Action(
        "Add a rollback step to the schema migration runbook",
        "The runbook's Rollback section lists the down-migration command and was used in "
        "the March game day",
        False,
    ),
    Action(
        "Monitor better",
        "An alert pages the database on-call when free disk is below 15% for 10 minutes",
        False,
    ),
    Action(
        "Improve monitoring of the payments service",
        "Dashboard shows p99 latency and 5xx rate per region; alert fires when 5xx > 2%",
        False,
    ),
    Action(
        "Automate certificate renewal for the public API",
        "Renewal runs 30 days before expiry; an alert fires at 14 days left",
        False,
    ),
    Action(
        "Require two approvals for changes under config/production/",
        "Branch protection blocks merges with fewer than two approvals",
        False,
    ),
    Action(
        "Make the CLI refuse to run against prod without --context",
        "Running `deployctl apply` with no --context exits with an error",
        False,
    ),
    Action(
        "Communicate better during incidents",
        "The status update form has a next-update time field and the bot reminds the "
        "comms lead every 30 minutes",
        False,
    ),
    Action("Add integration tests for the retry path in the worker", "", False),
    Action("Alert when the checkout error rate exceeds 2% for 5 minutes", "", False),
    Action(
        "Add a dry-run mode to the cleanup script",
        "The cleanup script prints the objects it would delete and deletes nothing without --apply",
        False,
    ),
    Action(
        "Document the failover procedure",
        "The runbook page links the failover script and was followed end to end in the Q3 drill",
        False,
    ),
    Action(
        "Conduct incident response training",
        "Every on-call has run the failover drill in staging, recorded in the drill log",
        False,
    ),
    Action(
        "Double-check migrations in CI: fail the build when a migration locks a table",
        "",
        False,
    ),
    Action(
        "Review and update alerts",
        "Every alert in the payments folder has an owner and a runbook link",
        False,
    ),
    Action(
        "Investigate why replica lag spikes at 02:00 UTC",
        "Findings are written up in the incident doc with a follow-up action each",
        False,
    ),
    Action("Route disk alerts for the primary to the database on-call rotation", "", False),
    Action("Add jitter and a cap of 3 retries to the client SDK", "", False),
    Action("Improve test coverage of the billing module to 80% of lines", "", False),
    Action("Update the deploy runbook with the rollback command for schema migrations", "", False),
    Action("Monitor replica lag", "An alert on replica lag over 30s pages the DB on-call", False),
    Action(
        "Better alerting for disk usage", "The disk alert fires at 80% and 90% on every host", False
    ),
    Action("Set statement_timeout to 30s for the reporting role", "", False),
    Action(
        "Add a pre-deploy check that the target cluster matches the branch",
        "Deploys from main to staging are refused by the pipeline",
        False,
    ),
    Action(
        "Improve alert routing",
        "Disk, replication and backup alerts for the primary page the database on-call, not #ops",
        False,
    ),
    Action(
        "Write a runbook for restoring a single tenant from backup",
        "A new responder restored tenant 42 in staging using only the runbook",
        False,
    ),
    Action("Make the deploy CLI print the target cluster and ask for confirmation", "", False),
    Action(
        "Monitor certificate expiry",
        "An alert fires 21 days before any certificate in the inventory expires",
        False,
    ),
    # false positive: a concrete guard whose title quotes the habit it replaces.
    Action(
        "Show the target cluster in the deploy prompt so nobody has to stay alert to it",
        "",
        False,
    ),
]


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        positives = self.true_positives + self.false_negatives
        return self.true_positives / positives if positives else 1.0

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.2f}, recall {self.recall:.2f} "
            f"(tp {self.true_positives}, fp {self.false_positives}, "
            f"fn {self.false_negatives}, tn {self.true_negatives})"
        )


def score(pairs: list[tuple[bool, bool]]) -> Score:
    """``pairs`` of (labelled, flagged)."""
    return Score(
        true_positives=sum(label and flagged for label, flagged in pairs),
        false_positives=sum(not label and flagged for label, flagged in pairs),
        false_negatives=sum(label and not flagged for label, flagged in pairs),
        true_negatives=sum(not label and not flagged for label, flagged in pairs),
    )


def blame_flagged(sentence: Sentence) -> bool:
    return bool(blaming_phrases(sentence.text, names=PEOPLE))


def vague_flagged(action: Action) -> bool:
    return vague_action(action.title, action.signal) is not None


def blame_score() -> Score:
    return score([(s.blaming, blame_flagged(s)) for s in SENTENCES])


def vague_score() -> Score:
    return score([(a.vague, vague_flagged(a)) for a in ACTIONS])


def report() -> str:
    """The figures, and each sentence or action the checks get wrong."""
    lines = []
    for label, items, flagged, result in (
        ("Blame", SENTENCES, blame_flagged, blame_score()),
        ("Vague actions", ACTIONS, vague_flagged, vague_score()),
    ):
        positives = sum(item[-1] for item in items)
        lines.append(f"{label}: {len(items)} labelled, {positives} positive: {result}")
        for item in items:
            if flagged(item) != item[-1]:
                kind = "missed" if item[-1] else "false positive"
                lines.append(f"  {kind}: {' | '.join(filter(None, item[:-1]))}")
    return "\n".join(lines)
