"""The plain-Python baseline: the same codebook applied with ``re``, one sentence at a time.

Same patterns (one alternation, leftmost-first, as the engine), same clause limits, same
status rules and the same actor rules except anaphora across sentences (the loop sees one
sentence at a time). Used only by the benchmark, to show what the vectorised engine buys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from analysis.codebook import CATEGORY_STANCE, Codebook, pattern_to_regex
from analysis.indicators import LEFT_WINDOW, RIGHT_WINDOW

_SWAP = {"US": "MX", "MX": "US"}


def _alt(patterns: list[str]) -> str:
    if not patterns:
        return r"(?!x)x"
    return "(?:" + "|".join(f"(?:{pattern_to_regex(p)})" for p in patterns) + ")"


class BaselineCoder:
    """Compile the codebook for Python's ``re`` and code sentences in a loop."""

    def __init__(self, cb: Codebook) -> None:
        self.cb = cb
        st, ac, cl = cb.spec.status, cb.spec.actors, cb.spec.clauses
        flags = re.IGNORECASE
        self.indicator = re.compile(
            "|".join(f"(?:{pattern_to_regex(p)})" for _, p, _ in cb.pattern_table), flags
        )
        self.left_b = re.compile(rf"(?s)^.*(?:{cl.left_boundary})", flags)
        self.right_b = re.compile(rf"(?s)(?:{cl.right_boundary}).*$", flags)
        tail = rf"(?:\W+\w+){{0,{st.negated_max_gap}}}?\W*$"
        self.neg = re.compile(_alt(st.negated) + tail, flags)
        self.neg_exc = re.compile(_alt(st.negation_exceptions) + tail, flags)
        self.threat = re.compile(_alt(st.threat), flags)
        self.hyp_before = re.compile(_alt(st.hypothetical_before), flags)
        self.hyp_scope = re.compile(_alt(st.hypothetical_scope), flags)
        self.hyp_after = re.compile(
            rf"^(?:\s*[^\s;]+){{0,{st.hypothetical_after_max_gap}}}?\s*"
            + _alt(st.hypothetical_after),
            flags,
        )
        self.hedge = re.compile(_alt(st.hedge_speakers), flags)
        self.announced = re.compile(_alt(st.announced), flags)
        cues = "|".join(f"(?:{r.pattern})" for _, _, r in cb.actor_cue_table())
        cue = rf"(?:(?:{cues})(?:['’]s\b)?)"
        marker = _alt(ac.object_markers)
        det = r"(?:the\s+|a\s+|an\s+|el\s+|la\s+|los\s+)?"
        self.items = re.compile(rf"(?:{marker}\s+{det})?{cue}", flags)
        self.marker_start = re.compile(rf"^{marker}\s", flags)
        self.before = re.compile(
            rf"((?:{marker}\s+{det})?{cue})((?:\s+[^\s,;]+){{0,{ac.attributive_max_gap}}}?)\s*$",
            flags,
        )
        self.agent = re.compile(rf"^\s*{_alt(ac.agent_prepositions)}\s+{det}({cue})", flags)
        self.cp = re.compile(
            rf"^(?:\s*[^\s,;]+){{0,{ac.counterpart_max_gap}}}?\s+"
            rf"{_alt(ac.counterpart_prepositions)}\s+{det}({cue})",
            flags,
        )
        self.circ = re.compile(_alt(ac.circumstantial) + r"\s+(?:[^\s,;]+\s+){0,3}$", flags)
        self.joint = re.compile(_alt(ac.joint_modifiers) + r"(?:\s+[^\s,;]+){0,1}?\s*$", flags)
        self.pattern_of: dict[str, tuple[int, str] | None] = {}
        self.actor_of: dict[str, str | None] = {}
        self.t_profile = cb.category_profile("THREATEN")

    def _actor(self, cue: str | None) -> str | None:
        if cue is None:
            return None
        if cue not in self.actor_of:
            self.actor_of[cue] = self.cb.actor_of_cue(cue)
        a = self.actor_of[cue]
        return None if a in ("IGNORE", "ANAPHOR") else a

    def _first_subject(self, text: str) -> str | None:
        for m in self.items.finditer(text):
            s = m.group(0)
            if self.marker_start.search(s):
                continue
            a = self._actor(s)
            if a is not None:
                return a
        return None

    def code(self, doc_id: str, sent_id: int, start: int, text: str) -> list[tuple]:
        """Codes of one sentence, as tuples in the ``codes`` column order."""
        out: dict[tuple, tuple] = {}
        for m in self.indicator.finditer(text):
            matched = m.group(0)
            if matched not in self.pattern_of:
                self.pattern_of[matched] = self.cb.match_pattern(matched)
            hit = self.pattern_of[matched]
            if hit is None or hit[0] < 0:  # no match, or a non-act
                continue
            ind = self.cb.spec.indicators[hit[0]]
            s, e = m.span()
            left_s = text[max(0, s - LEFT_WINDOW) : s]
            left = self.left_b.sub("", left_s, count=1)
            right = self.right_b.sub("", text[e : e + RIGHT_WINDOW], count=1)
            negated = bool(self.neg.search(left)) and not self.neg_exc.search(left)
            threat = bool(self.threat.search(left[-self.cb.spec.status.threat_max_chars :]))
            hb = bool(self.hyp_before.search(left) or self.hyp_scope.search(left_s))
            ha = bool(self.hyp_after.search(right))
            hedge = bool(self.hedge.search(left_s)) and (hb or ha)
            if negated:
                status = "negated"
            elif hedge:
                status = "threatened"
            elif ha:
                status = "hypothetical"
            elif threat:
                status = "threatened"
            elif hb:
                status = "hypothetical"
            elif self.announced.search(left):
                status = "threatened"
            else:
                status = ind.status
            category, plover, mode, score = ind.category, ind.plover, ind.mode, float(ind.score)
            if not negated and (hedge or (threat and not ha)) and ind.stance == "coercion":
                category = "THREATEN"
                plover, mode, score = self.t_profile
            actor = self._attribute(ind, matched, left, right, left_s)
            key = (category, actor, status)
            if key not in out:
                out[key] = (
                    doc_id,
                    sent_id,
                    CATEGORY_STANCE[category],
                    category,
                    plover,
                    actor,
                    mode,
                    status,
                    score,
                    ind.id,
                    hit[1],
                    matched,
                    start + s,
                    start + e,
                )
        return list(out.values())

    def _attribute(self, ind, matched: str, left: str, right: str, left_s: str) -> str:
        if ind.fixed_actor and ind.actor:
            return ind.actor
        if ind.attributive:
            m = re.match(rf"^(?:\S+\s+){{0,1}}?({self.items.pattern})", matched, re.IGNORECASE)
            a = self._actor(m.group(1)) if m else None
            if a in ("US", "MX"):
                return a
            b = self.before.search(left)
            if b and not (self.marker_start.search(b.group(1)) and b.group(2).strip()):
                a = self._actor(self.marker_start.sub("", b.group(1)))
                if a and a != "OTHER":
                    return a
        if ind.stance == "cooperation" and (self.joint.search(left)):
            return "UNSPECIFIED"
        g = self.agent.search(right)
        if g and self._actor(g.group(1)):
            return self._actor(g.group(1))
        a = self._first_subject(left)
        if a:
            return a
        c = self.cp.search(right)
        if c and _SWAP.get(self._actor(c.group(1)) or ""):
            return _SWAP[self._actor(c.group(1))]
        if self.circ.search(left_s):
            return "UNSPECIFIED"
        if ind.actor:
            return ind.actor
        a = self._first_subject(left_s)
        return a if a and a != "OTHER" else "UNSPECIFIED"


def code_loop(rows: Iterable[tuple[str, int, int, str]], cb: Codebook) -> list[tuple]:
    """Code (doc_id, sent_id, start, text) rows one by one with the baseline coder."""
    coder = BaselineCoder(cb)
    out: list[tuple] = []
    for doc_id, sent_id, start, text in rows:
        out.extend(coder.code(doc_id, sent_id, start, text))
    return out
