"""Blame and vague action items in postmortem text: the language half of
blameless_check and action_check.

The incident-response seed refuses "human error" as a conclusion and action
items that read "be more careful"; the other seeds ask for focus on systems,
not individuals, and for concrete actions. Both are regex rules over plain
text, each in one table below so a rule is changed in one place; the
corpus in tests/checks/corpus.py measures them (docs/quality-checks.md).

A rule flags words that judge a person: a name or a person as the subject
of a blame verb ("Bob forgot", "the reviewer failed to"), a verdict
("human error", "careless") or hindsight ("should have known"). Describing
what a person did ("Alice rolled back the deploy") or what a system did
("the canary failed to catch it") is not blame. Imports no domain models.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Flag:
    rule: str  # "human-error", "carelessness", "should-have", "hindsight", ...
    phrase: str  # the words exactly as they stand in the text
    start: int  # offset of phrase in the text
    suggestion: str  # a rewrite toward the system condition


# --- blame --------------------------------------------------------------------

# Pieces the patterns below share, spliced in where a pattern says {role},
# {person}, {anyone}, {name}, {subject} or {adverb}. Apostrophes in the
# patterns also match the typographic one (U+2019).
ROLE = (
    r"(?:on-?call(?:er)?(?:\s+engineer)?s?|engineers?|developers?|devs?|sres?|reviewers?"
    r"|approvers?|authors?|responders?|admins?|administrators?|interns?|new\s+hires?"
    r"|contractors?|person|guy|team\s+members?|incident\s+commanders?|committers?|deployers?)"
)
# A person as the subject, whatever the verb: "the on-call engineer", "she".
# Not "the operator" (a Kubernetes operator fails too) nor "they" (replicas
# are "they" as often as people are).
PERSON = (
    r"(?:\b(?:he|she|someone|somebody)\b"
    r"|\b(?:the|an?|our|their|one)\s+(?:(?:new|junior|senior|on-?call|same|primary|secondary"
    r"|other|responsible)\s+)?{role}\b)"
)
# Whoever may be the subject of a verb only people do ("forgot", "ignored").
ANYONE = r"(?:{person}|{name}|\b(?:they|we|i|you|the\s+team)\b)"
ADVERB = (
    r"(?:(?:just|simply|then|also|again|apparently|clearly|obviously|completely|totally"
    r"|probably|basically|unfortunately|still)\s+)?"
)
# Verbs only people do: blame whoever the subject.
PERSON_VERBS = (
    r"(?:forgot|forgotten|neglected|messed\s+up|screwed\s+up|botched|blundered|fat-fingered"
    r"|goofed|dropped\s+the\s+ball|didn't\s+bother|did\s+not\s+bother|couldn't\s+be\s+bothered"
    r"|overlooked|ignored|slacked(?:\s+off)?|made\s+(?:a|an|the)\s+(?:mistake|error|blunder)"
    r"|was\s+careless|was\s+negligent|(?:was|were)(?:n't|\s+not)\s+paying\s+attention"
    r"|(?:was|were)(?:n't|\s+not)\s+(?:careful|thorough|attentive)\s+enough)\b"
)
# Verbs systems do too ("the migration failed to acquire a lock"): blame only
# with a person as the subject. "Didn't get/receive/have/know/hear" describe
# what reached the person, not what they did.
SUBJECT_VERBS = (
    r"(?:failed\s+to|broke|caused|missed|wrongly|mistakenly|accidentally|carelessly"
    r"|(?:didn't|did\s+not)(?!\s+(?:get|receive|have|know|hear)\b)"
    r"|(?:is|was|were|are)\s+(?:to\s+blame|at\s+fault))\b"
)
# A person's failing, as a noun.
FAILING = r"(?:fault|mistake|error|blunder|screw-?up|carelessness|negligence|oversight)\b"
# "user error message" describes the product, not the user.
NOT_BLAME_NOUN = (
    r"(?!\s+(?:message|messages|msg|page|pages|dialog|modal|toast|banner|text|string|code|codes"
    r"|rate|rates|count|counts|budget|response|responses|log|logs|handling|handler|path|state"
    r"|screen|field|metric|metrics|event|events|class|type|out)\b)"
)

SYSTEM_CONDITION = (
    "Name the condition that let the mistake through: which check, guard or default was missing?"
)
EASY_TO_GET_WRONG = (
    "Describe what made the step easy to get wrong (a missing confirmation, an unclear "
    "default, time pressure) instead of judging a person's care."
)
HINDSIGHT = (
    "Say what the people involved could see at the time and why their actions made sense; "
    "name the signal or review step that would have made it visible."
)
PERSON_TO_CONDITION = (
    "Keep to what happened and what allowed it: which guard, review step or default "
    "let this through, rather than who."
)
NAMED = (
    "A name belongs with what someone did, not with a verdict: say what in the system made "
    "the step possible or the gap invisible."
)

# (rule, pattern, suggestion): where several rows share a rule they share its
# suggestion. Where rows flag overlapping words, blaming_phrases keeps one.
BLAME_RULES: list[tuple[str, str, str]] = [
    (
        "human-error",
        r"\b(?:human|operator|personnel|staff)\s+(?:error|mistake|failure|slip)s?\b"
        + NOT_BLAME_NOUN,
        SYSTEM_CONDITION,
    ),
    # Only the singular: "user errors (4xx)" are what an API returns.
    ("human-error", r"\buser\s+error\b" + NOT_BLAME_NOUN, SYSTEM_CONDITION),
    (
        "human-error",
        r"\b(?:pebkac|pebcak|id-?10-?t|layer\s+8\s+(?:issue|problem|error))\b",
        SYSTEM_CONDITION,
    ),
    (
        "should-have",
        r"\b(?:should(?:'ve|\s+have)|ought\s+to\s+have)\s+(?:been\s+(?:more\s+)?(?:careful|aware"
        r"|vigilant|attentive|thorough|cautious|diligent)|known(?:\s+better)?|realized|realised"
        r"|paid\s+(?:more\s+|closer\s+)?attention|noticed|spotted|remembered|anticipated"
        r"|foreseen)\b",
        HINDSIGHT,
    ),
    # Tests and canaries "should have caught" things too: only with a person.
    (
        "should-have",
        r"(?:{subject}|\b(?:we|they|you)\b)\s+(?:really\s+|clearly\s+|obviously\s+)?"
        r"(?:should(?:'ve|\s+have)|ought\s+to\s+have)\s+(?:caught|checked|double-checked"
        r"|verified|tested|seen|read|asked|reviewed|validated|confirmed|looked)\b",
        HINDSIGHT,
    ),
    (
        "should-have",
        r"(?:{subject}|\b(?:we|they|you)\b)\s+should(?:n't|\s+not)\s+have\s+\w+",
        HINDSIGHT,
    ),
    ("hindsight", r"\bif\s+only\b[^.!?;\n]{1,60}?\bhad\b", HINDSIGHT),
    (
        "hindsight",
        r"\bhad\s+(?:{subject}|they|we)\s+(?:just|only|simply|bothered|actually)\b",
        HINDSIGHT,
    ),
    (
        "hindsight",
        r"\b(?:should(?:'ve|\s+have)\s+been\s+(?:obvious|clear|evident)"
        r"|(?:obvious|clear|evident)\s+to\s+(?:anyone|everyone|anybody)"
        r"|any\s+(?:competent|reasonable|experienced|good)\s+(?:engineer|developer|operator|person)"
        r"|anyone\s+(?:competent|paying\s+attention|with\s+experience))\b",
        HINDSIGHT,
    ),
    ("named-blame", r"{name}\s+{adverb}(?:{person_verbs}|{subject_verbs})", NAMED),
    ("named-blame", r"{name}'s\s+" + FAILING, NAMED),
    ("named-blame", r"\b(?:blam(?:e|ed|es|ing)|caused\s+by|fault\s+of)\s+(?:on\s+)?{name}", NAMED),
    ("person-blame", r"{anyone}\s+{adverb}{person_verbs}", PERSON_TO_CONDITION),
    ("person-blame", r"{person}\s+{adverb}{subject_verbs}", PERSON_TO_CONDITION),
    (
        "person-blame",
        r"\b(?:his|her|their|my|your)\s+" + FAILING + NOT_BLAME_NOUN,
        PERSON_TO_CONDITION,
    ),
    (
        "person-blame",
        r"\b(?:fault\s+of\s+|blam(?:e|ed|es|ing)\s+(?:it\s+|this\s+)?(?:on\s+)?)"
        r"(?:\b(?:him|her|them)\b|{person})",
        PERSON_TO_CONDITION,
    ),
    (
        "person-blame",
        r"\bthe\s+{role}\s+(?:who|that)\s+(?:\w+\s+){0,2}?(?:broke|caused|forgot|messed\s+up"
        r"|screwed\s+up|botched|(?:pushed|deployed|merged|approved|shipped|ran)\s+(?:the|a|that)\s+"
        r"(?:bad|broken|faulty|buggy|wrong))\b",
        PERSON_TO_CONDITION,
    ),
    (
        "person-blame",
        r"\b(?:the|a|an)\s+{role}\s+responsible\s+for\s+(?:the|this)\s+(?:outage|incident"
        r"|failure|mistake|breakage)\b",
        PERSON_TO_CONDITION,
    ),
    (
        "carelessness",
        r"\b(?:careless(?:ly|ness)?|negligen(?:t|tly|ce)|sloppy|sloppily|sloppiness"
        r"|incompeten(?:t|ce)|reckless(?:ly|ness)?|inattenti(?:ve|on))\b",
        EASY_TO_GET_WRONG,
    ),
    (
        "carelessness",
        r"\b(?:laziness|lazy(?![\s-](?:load|loaded|loading|evaluat\w*|init\w*|import\w*"
        r"|eval|iterat\w*|quer\w*|fetch\w*|propert\w*|sequence|val\w*|module|translation)\b))\b",
        EASY_TO_GET_WRONG,
    ),
    ("carelessness", r"\bbe(?:ing)?\s+more\s+careful\b", EASY_TO_GET_WRONG),
    (
        "carelessness",
        r"\b(?:didn't\s+bother|did\s+not\s+bother|couldn't\s+be\s+bothered"
        r"|(?:wasn't|was\s+not|weren't|were\s+not|not)\s+paying\s+attention)\b",
        EASY_TO_GET_WRONG,
    ),
]

# A refusal is not blame: "this was not human error", "no one is to blame".
NEGATED = re.compile(
    r"(?:\bnot|n't|\bnever|\bno|\bnor|\brather\s+than|\binstead\s+of|\bwithout|\bbeyond)\s+"
    r"(?:(?:just|simply|merely|only|a|an|the|any|to|blaming|blame|about|calling\s+it)\s+){0,2}$",
    re.IGNORECASE,
)
# Quoted words are mentioned, not used: guidance text that quotes a refusal
# ("avoid “human error”"). A long quotation (a chat message) is still read.
QUOTED = re.compile(r"\"[^\"\n]{1,80}\"|“[^”\n]{1,80}”|`[^`\n]{1,80}`|«[^»\n]{1,80}»")
QUOTE_MAX_WORDS = 8


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace("'", "['\u2019]"), re.IGNORECASE)


def _name_pattern(names: tuple[str, ...]) -> str:
    """Whole-word alternatives, longest first so "Alice Smith" wins over "Alice"."""
    if not names:
        return r"(?!)"  # matches nothing
    alternatives = (r"\s+".join(re.escape(part) for part in name.split()) for name in names)
    return r"(?<![\w@.-])@?(?:" + "|".join(alternatives) + r")(?![\w-])"


@lru_cache(maxsize=64)
def _compiled(names: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    name = _name_pattern(names)
    person = PERSON.replace("{role}", ROLE)
    pieces = {
        "{anyone}": ANYONE.replace("{person}", person).replace("{name}", name),
        "{subject}": f"(?:{person}|{name})",
        "{person}": person,
        "{name}": name,
        "{role}": ROLE,
        "{adverb}": ADVERB,
        "{person_verbs}": PERSON_VERBS,
        "{subject_verbs}": SUBJECT_VERBS,
    }
    rules = []
    for rule, pattern, suggestion in BLAME_RULES:
        if "{name}" in pattern and not names:
            continue
        for placeholder, piece in pieces.items():
            pattern = pattern.replace(placeholder, piece)
        rules.append((rule, _compile(pattern), suggestion))
    return tuple(rules)


def _normal_names(names: Iterable[str]) -> tuple[str, ...]:
    unique = {" ".join(name.split()) for name in names}
    return tuple(sorted((n for n in unique if len(n) > 1), key=lambda n: (-len(n), n.lower())))


def _mentioned(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in QUOTED.finditer(text) if len(m.group().split()) <= QUOTE_MAX_WORDS]


def blaming_phrases(text: str, *, names: Iterable[str] = ()) -> list[Flag]:
    """Blame in a piece of postmortem text, where it stands.

    ``names`` are the people on the incident (full names, first names,
    usernames): with one of them as the subject, a blame verb is flagged.
    """
    quoted = _mentioned(text)
    found = []
    for rule, pattern, suggestion in _compiled(_normal_names(names)):
        for match in pattern.finditer(text):
            start, end = match.span()
            if NEGATED.search(text, max(0, start - 40), start):
                continue
            if any(q_start <= start and end <= q_end for q_start, q_end in quoted):
                continue
            found.append(Flag(rule, match.group(), start, suggestion))
    # Where two rules flag the same words, the earlier and longer phrase stands.
    found.sort(key=lambda f: (f.start, -len(f.phrase)))
    flags: list[Flag] = []
    for flag in found:
        if not flags or flag.start >= flags[-1].start + len(flags[-1].phrase):
            flags.append(flag)
    return flags


# --- vague action items ---------------------------------------------------------

# Asking people to change: never verifiable, whatever the signal says.
PEOPLE = "people"
# Too vague to see done unless the signal (or the title itself) says how.
UNVERIFIABLE = "unverifiable"

TOOLING = (
    r"ci|pipeline|script|hook|lint(?:er)?|bot|job|automat\w*|tool(?:ing)?|alert\w*"
    r"|test\w*|build|deploy\w*|cli"
)
GENERIC_THING = (
    r"(?:monitoring|alerting|alerts|tests?|testing|test\s+coverage|coverage|observability"
    r"|documentation|docs|communications?|process(?:es)?|runbooks?|reliability|resilience"
    r"|logging|dashboards?|procedures?|security|performance|quality|visibility|oversight"
    r"|awareness|training|error\s+handling|on-?call|practices|hygiene|approach(?:\s+to\s+[\w-]+)?)"
)

# (kind, pattern, unless): a row does not apply where ``unless`` matches the title.
VAGUE_RULES: list[tuple[str, str, str | None]] = [
    (
        PEOPLE,
        r"\b(?:be|being|stay|remain)\s+(?:more\s+|extra\s+|very\s+)?(?:careful|vigilant|diligent"
        r"|attentive|thorough|cautious|mindful|aware|alert|focused)\b",
        None,
    ),
    (
        PEOPLE,
        r"\b(?:pay\s+(?:more\s+|closer\s+)?attention|take\s+(?:more\s+|extra\s+)?care"
        r"|try\s+harder|think\s+twice|remember\s+to|(?:don't|do\s+not|never)\s+forget)\b",
        None,
    ),
    (PEOPLE, r"\b(?:remind|encourage|urge)\s+(?:\w+\s+){1,3}?to\b", None),
    # "Double-check" is a person's habit unless a tool does the checking.
    (PEOPLE, r"\bdouble[- ]check\w*", r"\b(?:" + TOOLING + r")\b"),
    (
        UNVERIFIABLE,
        r"\b(?:monitor|alert|test|document|communicate|log|review|check|watch|track|coordinate"
        r"|escalate|plan)(?:ing)?\s+(?:\w+\s+)?(?:better|more\s+(?:closely|carefully|often"
        r"|thoroughly|effectively)|properly|harder)\b",
        None,
    ),
    (
        UNVERIFIABLE,
        r"\b(?:improve|enhance|strengthen|increase|boost|tighten|revisit|review|refine|harden"
        r"|rethink|optimi[sz]e|expand|better|more|additional)\s+(?:and\s+\w+\s+)?"
        r"(?:\S+\s+){0,2}?" + GENERIC_THING + r"\b",
        None,
    ),
    (
        UNVERIFIABLE,
        r"\b(?:look\s+into|keep\s+an\s+eye\s+on|think\s+about|consider|explore|discuss"
        r"|follow\s+up\s+(?:on|with)|raise\s+awareness|share\s+(?:the\s+)?learnings"
        r"|be\s+(?:more\s+)?proactive|investigate\s+(?:further|more|this|it|the\s+issue))\b",
        None,
    ),
    (
        UNVERIFIABLE,
        r"\b(?:(?:this|it|that)\s+(?:does(?:n't|\s+not)|never|won't|will\s+not)\s+happens?\s+again"
        r"|prevent(?:ing)?\s+(?:this|it|that)\s+from\s+happening"
        r"|prevent\s+(?:a\s+)?(?:recurrence|repeat)"
        r"|avoid\s+(?:this|similar|such)\s+(?:\w+\s+)?(?:in\s+(?:the\s+)?future|again))\b",
        None,
    ),
    (UNVERIFIABLE, r"^\s*(?:monitor|watch|track)\b", None),
    (
        UNVERIFIABLE,
        r"\bmake\s+(?:\S+\s+){1,3}?more\s+(?:resilient|robust|reliable|stable|secure|scalable"
        r"|maintainable|observable)\b",
        None,
    ),
    (
        UNVERIFIABLE,
        r"\b(?:conduct|hold|run|schedule|provide|organi[sz]e|do)\s+(?:\w+\s+){0,3}?training\b",
        None,
    ),
]


_VAGUE = [(kind, _compile(p), u and _compile(u)) for kind, p, u in VAGUE_RULES]

# A date says when, not what anyone sees: "done by Q3" measures nothing.
DATE = re.compile(
    r"\b(?:q[1-4]|h[12]|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|(?:19|20)\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\s+\d{1,2}(?:st|nd|rd|th)?)\b",
    re.IGNORECASE,
)
# Something anyone can see: a number, a threshold, a link, a code span, a path...
MEASURED = re.compile(
    r"\d|[<>≤≥=%]|https?://|`[^`]+`|\b[\w-]+/[\w-]+/|\b[\w/-]+\.(?:py|ya?ml|json|toml|tf|sh|conf)\b",
    re.IGNORECASE,
)
# ...or an observable event, named in a sentence long enough to say what.
OBSERVABLE = re.compile(
    r"\b(?:fails?|failing|passes|passing|pages?|paged|fires?|fired|blocks?|blocked|rejects?"
    r"|rejected|refuses?|refused|returns?|exits?|shows?|lists?|prints?|links?|records?"
    r"|recorded|dashboard|graph|ci|pipeline|merged|deployed|released|pull\s+request|ticket"
    r"|runbook|playbook|drill|game\s+day|exists?|contains?|every|each|no\s+longer"
    r"|none|cannot|can't|won't|alerts?|logs?|reports?)\b",
    re.IGNORECASE,
)
OBSERVABLE_MIN_WORDS = 5
# Words that say nothing about what anyone would see.
UNOBSERVABLE = re.compile(
    r"\b(?:better|improved|improve|more\s+(?:careful|robust|reliable|aware|resilient)|properly"
    r"|adequate(?:ly)?|sufficient(?:ly)?|as\s+(?:needed|appropriate)|where\s+(?:needed|possible)"
    r"|aware(?:ness)?|understands?|knows?|feels?|happier|confident)\b",
    re.IGNORECASE,
)


def _observable(text: str) -> bool:
    """Whether ``text`` says how anyone sees the work is done."""
    text = DATE.sub(" ", text)
    if MEASURED.search(text):
        return True
    return (
        len(text.split()) >= OBSERVABLE_MIN_WORDS
        and bool(OBSERVABLE.search(text))
        and not UNOBSERVABLE.search(text)
    )


def vague_action(title: str, signal: str = "") -> str | None:
    """Why an action item is too vague to be verified, or None when it is concrete.

    Asking people to change ("be more careful", "double-check") is never
    concrete. Vague tooling work ("improve tests", "monitor better") is
    concrete when the title itself measures something or the verification
    signal says what anyone will see.
    """
    title = " ".join(title.split())
    signal = " ".join(signal.split())
    for kind, pattern, unless in _VAGUE:
        match = pattern.search(title)
        if not match or (unless and unless.search(title)):
            continue
        phrase = match.group().strip()
        if kind == PEOPLE:
            return (
                f"“{phrase}” asks people to change, not the system: name the check, guard, "
                "default or automation that makes the mistake hard to make."
            )
        if MEASURED.search(DATE.sub(" ", title)) or _observable(signal):
            return None
        if signal:
            return (
                f"“{phrase}” cannot be seen done, and the verification signal “{signal}” does "
                "not say what anyone would see either: name it, e.g. “CI fails when …” or "
                "“an alert pages when …”."
            )
        return (
            f"“{phrase}” cannot be seen done: add a verification signal anyone can observe, "
            "e.g. “CI fails when …” or “an alert pages when …”."
        )
    return None
