"""Every mention of a chapter that is not written yet names it by number and title.

The course plan has fourteen chapters; the book grows into them. A forward reference to a
chapter that does not exist yet is written ``Chapter 10 (*Generalisation and data*)`` or
``Chapter 10, *Generalisation and data*``, so that a renumbering cannot leave a wrong number
behind unnoticed (the number and the title must agree) and nothing links to a missing page.
Once the chapter exists, the mention may become a link to it.
"""

import re

import pytest

from notebooks import CHAPTERS, ROOT, SOLUTIONS, ids, read

TITLES = {
    1: "The artificial neuron", 2: "Learning from data", 3: "Layers", 4: "Backpropagation",
    5: "Backprop in matrix form: recognising handwritten digits",
    6: "From numpy to PyTorch", 7: "Going deep", 8: "Convolutions and learned features",
    9: "Sequences and attention", 10: "Generalisation and data", 11: "Transfer learning",
    12: "Opening the black box, and hybrids", 13: "Training on GPUs", 14: "Scaling out",
}
MENTION = re.compile(r"\bChapter (\d+)\b")
PAGES = [ROOT / "intro.md", ROOT / "README.md", *sorted((ROOT / "backmatter").glob("*.md"))]


def written():
    return {int(p.name[:2]) for p in CHAPTERS}


def bad_mentions(text):
    """Unwritten chapters whose first mention in a paragraph lacks the title; unknown numbers."""
    found = []
    for paragraph in re.split(r"\n\s*\n", text):
        titled = set()
        for match in MENTION.finditer(paragraph):
            number = int(match.group(1))
            if number not in TITLES:
                found.append(f"no Chapter {number} in the plan")
            elif number not in written() and number not in titled:
                rest = paragraph[match.end():match.end() + len(TITLES[number]) + 4]
                if not rest.startswith((f" (*{TITLES[number]}*", f", *{TITLES[number]}*")):
                    found.append(f"Chapter {number}{rest[:30]}… "
                                 f"(write: Chapter {number} (*{TITLES[number]}*))")
                titled.add(number)
    return found


def markdown(path):
    if path.suffix == ".ipynb":
        return "\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")
    return path.read_text()


ALL = CHAPTERS + SOLUTIONS + PAGES


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_forward_references_name_the_chapter(path):
    found = bad_mentions(markdown(path))
    assert not found, f"chapter references to fix: {found}"


def test_titles_are_the_plans():
    plan = (ROOT.parent / "shared" / "COURSE_PLAN.md")
    if not plan.exists():
        pytest.skip("the course plan lives beside the checkout, not in it")
    text = plan.read_text()
    for number, title in TITLES.items():
        assert f"{number}. *{title}*" in text, (number, title)


def test_the_rule_itself(monkeypatch):
    # Judged as if only Chapters 1–9 were written, whatever the book holds today.
    monkeypatch.setattr(__import__(__name__), "written", lambda: set(range(1, 10)))
    assert bad_mentions("as Chapter 10 (*Generalisation and data*) shows") == []
    assert bad_mentions("Chapter 10, *Generalisation and data*, measures") == []
    assert bad_mentions("met again in Chapter 11") != []
    assert bad_mentions("Chapter 11 (*Generalisation and data*)") != []
    assert bad_mentions("Chapter 15 says") == ["no Chapter 15 in the plan"]
    # Once per paragraph is enough; a new paragraph names it again.
    assert bad_mentions("Chapter 13, *Training on GPUs*, shows it; Chapter 13 also…") == []
    assert bad_mentions("Chapter 13, *Training on GPUs*, shows it.\n\nChapter 13 also…") != []
