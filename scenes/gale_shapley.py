"""Gale-Shapley stable matching, round by round.

Four proposers (left) and four receivers (right) each rank the other side. In every round each free
proposer proposes to the best receiver not yet tried (yellow arrows). Each receiver keeps the best
offer seen so far, a tentative match (green line), and rejects the rest (red, struck off the
proposer's list), even bumping an earlier partner. When nobody is free the matching is final and
stable: no proposer and receiver would both rather be with each other.

The algorithm runs in plain Python first; the animation only replays its recorded rounds.
"""

from manim import *

TAGS = [
    "algorithms", "stable matching", "gale-shapley", "game theory", "economics", "graphs",
    "discrete math", "step by step", "arrows", "highlighting",
]

# Preferences, best first. Chosen so that the run takes four rounds and two partners get bumped.
PROPOSER_PREFS = {"A": "ZXWY", "B": "ZXYW", "C": "YZWX", "D": "YWZX"}
RECEIVER_PREFS = {"W": "BDAC", "X": "CBAD", "Y": "DBAC", "Z": "DCBA"}

PROPOSE_COLOR, MATCH_COLOR, REJECT_COLOR = YELLOW, GREEN, RED


def gale_shapley_rounds(proposer_prefs, receiver_prefs):
    """Run proposer-optimal Gale-Shapley in parallel rounds.

    Returns a list of rounds; each round is a dict with
    ``proposals`` [(proposer, receiver)], ``accepted`` [(proposer, receiver)] (new tentative matches),
    ``rejected`` [(proposer, receiver)] (including partners bumped from an earlier round) and
    ``kept`` {receiver: proposer} for every receiver that was proposed to in the round.
    """
    next_choice = {p: 0 for p in proposer_prefs}
    holder = {}  # receiver -> proposer it tentatively keeps
    free = list(proposer_prefs)
    rounds = []
    while free:
        proposals = []
        for proposer in free:
            proposals.append((proposer, proposer_prefs[proposer][next_choice[proposer]]))
            next_choice[proposer] += 1
        accepted, rejected, free, kept = [], [], [], {}
        for receiver in sorted({r for _, r in proposals}):
            candidates = [p for p, r in proposals if r == receiver]
            if receiver in holder:
                candidates.append(holder[receiver])
            best = min(candidates, key=receiver_prefs[receiver].index)
            if holder.get(receiver) != best:
                accepted.append((best, receiver))
            rejected += [(p, receiver) for p in candidates if p != best]
            free += [p for p in candidates if p != best]
            holder[receiver] = kept[receiver] = best
        rounds.append({"proposals": proposals, "accepted": accepted, "rejected": rejected, "kept": kept})
    return rounds


def describe_round(number, record):
    """Two LaTeX captions for a round: the offers made, then what each receiver decided."""
    offers = r",\ ".join(rf"{p}\to {r}" for p, r in record["proposals"])
    verdicts = []
    for receiver, kept in sorted(record["kept"].items()):
        dropped = ",".join(p for p, r in record["rejected"] if r == receiver)
        verdicts.append(rf"{receiver}\text{{ keeps }}{kept}" + (rf"\text{{, drops }}{dropped}" if dropped else ""))
    return rf"\text{{Round {number}: }}{offers}", r";\quad ".join(verdicts)


def preference_list(name, ranking, color):
    """A row like ``A:  Z > X > W > Y`` as one MathTex; the k-th ranked name is submobject 2k + 2."""
    parts = [name, r":\ "]
    for k, choice in enumerate(ranking):
        parts += [r"\succ", choice] if k else [choice]
    tex = MathTex(*parts, font_size=30)
    tex[0].set_color(color)
    return tex


class GaleShapley(Scene):
    """Animates the Gale-Shapley proposal algorithm and highlights the stable matching it finds."""

    def construct(self):
        title = Tex(r"Gale--Shapley stable matching", font_size=42).to_edge(UP, buff=0.3)
        self.play(Write(title))

        rows_y = [1.65, 0.55, -0.55, -1.65]
        proposer_dots, receiver_dots, proposer_lists, receiver_lists = {}, {}, {}, {}
        for y, p, r in zip(rows_y, PROPOSER_PREFS, RECEIVER_PREFS):
            proposer_dots[p] = Dot([-1.9, y, 0], radius=0.12, color=BLUE)
            receiver_dots[r] = Dot([1.9, y, 0], radius=0.12, color=ORANGE)
            proposer_lists[p] = preference_list(p, PROPOSER_PREFS[p], BLUE).next_to(proposer_dots[p], LEFT, buff=0.4)
            receiver_lists[r] = preference_list(r, RECEIVER_PREFS[r], ORANGE).next_to(receiver_dots[r], RIGHT, buff=0.4)
        headers = VGroup(
            Tex(r"Proposers", font_size=32, color=BLUE).move_to([proposer_lists["A"].get_x(), 2.45, 0]),
            Tex(r"Receivers", font_size=32, color=ORANGE).move_to([receiver_lists["W"].get_x(), 2.45, 0]),
        )
        headers[1].align_to(headers[0], UP)  # align cap heights: centring would let the "p" descenders shift one
        legend = Tex(r"$u \succ v$: prefers $u$ to $v$", font_size=28, color=GREY_B).to_edge(DOWN, buff=0.3)

        self.play(
            FadeIn(headers),
            LaggedStart(*[GrowFromCenter(d) for d in [*proposer_dots.values(), *receiver_dots.values()]], lag_ratio=0.05),
            *[FadeIn(t) for t in [*proposer_lists.values(), *receiver_lists.values()]],
            FadeIn(legend),
        )

        def name_in_list(owner_list, ranking, choice):
            return owner_list[2 + 2 * ranking.index(choice)]

        status = Tex(r"Each free proposer asks the next name on their list", font_size=30).move_to(DOWN * 2.6)
        self.play(FadeIn(status))

        matches = {}  # (proposer, receiver) -> green line on screen
        for number, record in enumerate(gale_shapley_rounds(PROPOSER_PREFS, RECEIVER_PREFS), start=1):
            offers_tex, verdict_tex = describe_round(number, record)
            new_status = MathTex(offers_tex, font_size=32).move_to(status)
            verdict = MathTex(verdict_tex, font_size=32).move_to(status)
            arrows = {
                (p, r): Arrow(proposer_dots[p].get_center(), receiver_dots[r].get_center(), buff=0.18,
                              color=PROPOSE_COLOR, stroke_width=4, max_tip_length_to_length_ratio=0.08)
                for p, r in record["proposals"]
            }
            self.play(
                Transform(status, new_status),
                *[GrowArrow(arrow) for arrow in arrows.values()],
                *[name_in_list(proposer_lists[p], PROPOSER_PREFS[p], r).animate.set_color(PROPOSE_COLOR)
                  for p, r in record["proposals"]],
            )

            # Receivers decide: rejected offers (and bumped partners) turn red and vanish.
            decisions, gone = [], []
            for p, r in record["rejected"]:
                gone.append(matches.pop((p, r), None) or arrows[(p, r)])
                crossed_name = name_in_list(proposer_lists[p], PROPOSER_PREFS[p], r)
                strike = Line(LEFT, RIGHT, color=REJECT_COLOR, stroke_width=4)
                strike.match_width(crossed_name).scale(1.4).move_to(crossed_name)
                decisions += [
                    gone[-1].animate.set_color(REJECT_COLOR).set_opacity(0),
                    crossed_name.animate.set_color(GREY_B),
                    Create(strike),
                ]
            for p, r in record["accepted"]:
                line = Line(proposer_dots[p].get_center(), receiver_dots[r].get_center(),
                            buff=0.18, color=MATCH_COLOR, stroke_width=5)
                matches[(p, r)] = line
                decisions += [
                    ReplacementTransform(arrows[(p, r)], line),
                    name_in_list(proposer_lists[p], PROPOSER_PREFS[p], r).animate.set_color(MATCH_COLOR),
                    Indicate(name_in_list(receiver_lists[r], RECEIVER_PREFS[r], p), color=MATCH_COLOR),
                ]
            self.play(Transform(status, verdict), *decisions, run_time=1.2)
            self.remove(*gone)  # faded to nothing; take them out of the scene too

        # Nobody is free: the tentative matches are final and stable.
        final_status = Tex(r"Nobody is free: the matching is stable", font_size=32, color=MATCH_COLOR).move_to(status)
        pairs = sorted(matches)
        result = MathTex(
            r"\{" + r",\ ".join(rf"({p},{r})" for p, r in pairs) + r"\}", font_size=34,
        ).next_to(final_status, DOWN, buff=0.25)
        self.play(
            Transform(status, final_status),
            FadeOut(legend),
            *[name_in_list(receiver_lists[r], RECEIVER_PREFS[r], p).animate.set_color(MATCH_COLOR) for p, r in pairs],
            *[line.animate.set_stroke(width=9) for line in matches.values()],
            *[Flash(receiver_dots[r], color=MATCH_COLOR) for _, r in pairs],
        )
        self.play(Write(result))
        self.wait(1)
