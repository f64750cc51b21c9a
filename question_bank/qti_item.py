"""Read one QTI 2.1/2.2/3.0 choice item (an element tree) into a question draft.

QTI 3 names (`qti-choice-interaction`, `response-identifier`) are normalised to the QTI 2
spelling (`choiceInteraction`, `responseIdentifier`) so that one code path reads both; an item
that mixes the two spellings is refused, as it is valid in neither version.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from xml.etree.ElementTree import Element

from question_bank.located import Path, field_name
from question_bank.model import Problem
from question_bank.safe_xml import local_name, namespace
from question_bank.xml_bank import (
    Draft,
    IdMaker,
    number,
    option_letter,
    proportional_points,
    shown,
)
from question_bank.xml_text import element_text

ITEM_ROOTS = {"assessmentItem": 2, "qti-assessment-item": 3}
# (src of an image) -> (its media name, None) or (None, why it cannot be shown)
Fetch = Callable[[str], "tuple[str | None, str | None]"]
FEEDBACK = ("feedbackInline", "feedbackBlock", "templateInline", "templateBlock")
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,8}")
_QTI2_LOWER = frozenset({"value", "prompt", "mapping"})


def qti_version(root: Element) -> int | None:
    """2 for a QTI 2.x item, 3 for a QTI 3 item, None for anything else."""
    return ITEM_ROOTS.get(local_name(root.tag))


class ItemReader:
    """Reads items one by one; `problems` collects what is wrong, `drafts` what was read."""

    def __init__(self, ids: IdMaker, category: str) -> None:
        self.ids = ids
        self.category = category[:100]
        self.problems: list[Problem] = []
        self.drafts: list[Draft] = []

    def read(self, root: Element, lines: dict[Element, int], index: int, fetch: Fetch) -> None:
        item = _Item(self, root, lines, index, fetch)
        draft = item.read()
        if draft is not None:
            self.drafts.append(draft)


class _Item:
    def __init__(self, reader: ItemReader, root: Element, lines: dict[Element, int],
                 index: int, fetch: Fetch) -> None:
        self.reader, self.root, self.lines, self.fetch = reader, root, lines, fetch
        self.base: Path = ("questions", index)
        self.draft = Draft(index=index, line=lines.get(root), fields={})
        self.names: dict[Element, str] = {}
        self.keys: dict[str, str] = {}

    def add(self, element: Element | None, sub: Path, message: str) -> None:
        line = self.lines.get(element) if element is not None else self.draft.line
        self.reader.problems.append(Problem(line, field_name((*self.base, *sub)), message))
        self.draft.spoiled = True

    def read(self) -> Draft | None:
        if not self._one_dialect():
            return None
        _normalise(self.root, self.names)
        body = self.root.find("itemBody")
        if body is None:
            self.add(self.root, (), "the item has no itemBody")
            return None
        choice = self._choice_interaction(body)
        if choice is None:
            return None
        declaration = self._declaration(choice)
        fields = self.draft.fields
        fields["id"] = self.reader.ids.make(self.root.get("identifier"), self.draft.index + 1)
        fields["category"] = self.reader.category
        prompts = [e for e in choice if e.tag == "prompt"]
        self.draft.lines[("text",)] = self.lines.get(body, self.draft.line)
        fields["text"] = element_text(body, self._resolver(("text",)), replace={choice: prompts},
                                      skip=FEEDBACK)
        ids = self._options(choice)
        if declaration is not None and ids is not None:
            self._key(declaration, ids)
        return self.draft

    def _one_dialect(self) -> bool:
        version = ITEM_ROOTS[local_name(self.root.tag)]
        ns = namespace(self.root.tag)
        foreign = []
        for element in self.root.iter():
            name = local_name(element.tag)
            if namespace(element.tag) != ns:
                continue                # MathML, SVG and other vocabularies keep their names
            if version == 2 and name.startswith("qti-"):
                foreign.append(element)
            elif version == 3 and (name in _QTI2_LOWER or re.match(r"[a-z]+[A-Z]", name)):
                foreign.append(element)
        issues = []
        if (version == 2 and "v3p0" in ns) or (version == 3 and "v2p" in ns):
            issues.append(f"uses the QTI {5 - version} namespace")
        if foreign:
            names = ", ".join(dict.fromkeys(f"<{local_name(e.tag)}>" for e in foreign[:6]))
            issues.append(f"holds QTI {5 - version} elements ({names})")
        if not issues:
            return True
        self.add(foreign[0] if foreign else self.root, (),
                 f"this item's root <{local_name(self.root.tag)}> is spelled as in QTI "
                 f"{version}, but it {' and '.join(issues)}; it is valid in neither version: "
                 "export it again as QTI 2.1, 2.2 or 3.0")
        return False

    def _choice_interaction(self, body: Element) -> Element | None:
        found = [e for e in body.iter() if e.tag.endswith("Interaction")]
        others = [e for e in found if e.tag != "choiceInteraction"]
        for element in others:
            self.add(element, ("type",), f"interaction <{self.names.get(element, element.tag)}> "
                     "is not supported; only choice interactions (single or multiple answer) "
                     "can be imported")
        if others:
            return None
        if not found:
            self.add(body, ("type",), "the item has no interaction; only choice items "
                     "can be imported")
            return None
        if len(found) > 1:
            self.add(found[1], ("type",), f"the item has {len(found)} choice interactions; "
                     "only items with one can be imported")
            return None
        return found[0]

    def _declaration(self, choice: Element) -> Element | None:
        wanted = choice.get("responseIdentifier")
        for element in self.root.findall("responseDeclaration"):
            if element.get("identifier") == wanted:
                cardinality = element.get("cardinality")
                if cardinality not in ("single", "multiple"):
                    self.add(element, ("type",), f"cardinality {cardinality!r} is not "
                             "supported; a choice item is single or multiple")
                    return None
                return element
        self.add(choice, ("type",), f"no responseDeclaration for response {wanted!r}")
        return None

    def _options(self, choice: Element) -> list[str] | None:
        elements = [e for e in choice if e.tag == "simpleChoice"]
        ids = [(e.get("identifier") or "").strip() for e in elements]
        plain = all(_KEY_RE.fullmatch(i) for i in ids)
        options = []
        self.draft.lines[("options",)] = self.lines.get(choice, self.draft.line)
        for position, (element, identifier) in enumerate(zip(elements, ids, strict=True)):
            self.draft.lines[("options", position)] = self.lines.get(element, self.draft.line)
            if not identifier:
                self.add(element, ("options", position, "key"), "a choice has no identifier")
            text = element_text(element, self._resolver(("options", position, "text")),
                                skip=FEEDBACK)
            key = identifier if plain else option_letter(position)
            options.append({"key": key, "text": text})
        self.draft.fields["options"] = options
        self.keys = {identifier: option["key"] for identifier, option in zip(ids, options,
                                                                              strict=True)}
        return ids if all(ids) else None

    def _key(self, declaration: Element, ids: list[str]) -> None:
        correct_element = declaration.find("correctResponse")
        correct = [(v.text or "").strip() for v in declaration.findall("correctResponse/value")]
        values = self._mapping(declaration, ids)
        where = correct_element if correct_element is not None else declaration
        for value in correct:
            if value not in self.keys:
                self.add(where, ("key",), f"the correct response names {value!r}, which is "
                         "not a choice of this item")
        credited = [i for i in ids if values is not None and values[i] > 0]
        single = declaration.get("cardinality") == "single"
        options = self.draft.fields["options"]
        if single and values is not None and len(credited) > 1:
            points, uneven = proportional_points([values[i] for i in ids])
            for position in uneven:
                self.add(declaration.find("mapping"), ("options", position, "points"),
                         f"mapped value {shown(values[ids[position]])} gives "
                         f"{values[ids[position]] * 5 / max(values.values()):.2f} points; a "
                         "weighted question needs whole points (the best choice earns 5)")
            for option, value in zip(options, points, strict=True):
                option["points"] = value
            self.draft.fields["type"] = "weighted"
            return
        key = set(correct) or set(credited)
        if not key:
            self.add(declaration, ("key",), "the item gives no correct response (a custom "
                     "responseProcessing is not read): add a correctResponse")
            return
        if correct and values is not None and credited and set(credited) != set(correct):
            self.add(declaration.find("mapping"), ("key",), "the mapping gives credit to "
                     f"{', '.join(credited)} but the correct response is "
                     f"{', '.join(correct)}; partial-credit items cannot be imported")
        self.draft.fields["type"] = "single" if single else "multiple"
        for option, identifier in zip(options, ids, strict=True):
            option["correct"] = identifier in key

    def _mapping(self, declaration: Element, ids: list[str]) -> dict[str, float] | None:
        mapping = declaration.find("mapping")
        if mapping is None:
            return None
        default = number(mapping.get("defaultValue", "0"))
        if default is None:
            self.add(mapping, ("points",), f"defaultValue {mapping.get('defaultValue')!r} is "
                     "not a number")
            return None
        values = dict.fromkeys(ids, default)
        for entry in mapping.findall("mapEntry"):
            key, value = entry.get("mapKey", ""), number(entry.get("mappedValue"))
            if value is None:
                self.add(entry, ("points",), f"mappedValue {entry.get('mappedValue')!r} is not "
                         "a number")
            elif key not in values:
                self.add(entry, ("points",), f"the mapping names {key!r}, which is not a choice "
                         "of this item")
            else:
                values[key] = value
        return values

    def _resolver(self, sub: Path) -> Callable[[str, str, Element | None], str | None]:
        def resolve(src: str, alt: str, element: Element | None) -> str | None:
            name, problem = self.fetch(src)
            if problem:
                self.add(element, sub, problem)
            return name
        return resolve


def _normalise(root: Element, names: dict[Element, str]) -> None:
    """Spell every tag and attribute the QTI 2 way: `qti-simple-choice` -> `simpleChoice`."""
    for element in root.iter():
        name = local_name(element.tag)
        names[element] = name
        element.tag = _camel(name[4:]) if name.startswith("qti-") else name
        for attribute in [a for a in element.attrib if "-" in a and not a.startswith("{")]:
            element.attrib[_camel(attribute)] = element.attrib.pop(attribute)


def _camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
