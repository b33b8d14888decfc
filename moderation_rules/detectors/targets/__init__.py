"""Who is attacked and how: protected groups (hate), people and other groups (abuse).

Word lists can never enumerate every hateful sentence, but most share a shape: a TARGET (a
protected group, a person, "you") and a PREDICATE about it (a hateful attitude, an insult or a
dehumanising noun, a threat, an exclusion, a negated compliment).  This detector reads the
lists in ``lexicons/targets.yaml`` and matches those shapes on the folded text, then checks the
three things that turn a match harmless:

* negation of a negative predicate ("Muslims are not scum", "I don't hate gay people"), while a
  negated compliment still attacks ("women are never any good");
* counter-speech and quotation: the clause is in quotation marks or follows a reporting frame
  ("saying that X are vermin is disgusting", "people who call X animals ...");
* a target that is not a person (complaints about dinners and buses are never abuse).

Groups of people that are not protected (roles, professions, the school community, year
groups, supporters, residents: ``lexicons/people_groups.yaml``, which a school may extend) are
targets of ABUSE: with a dehumanising or insulting predicate, a contempt verb ("make me sick"),
a hatred verb ("I despise dentists") or a wish of death or violence.  A role that contains a
protected word ("dinner ladies", "year 9 girls") is the role, not the protected group.

Before matching it repairs common spelling evasions the character-level folding cannot undo:
a dropped, swapped or doubled letter in a listed word ("womne", "muslms") and missing spaces
("ihate women").  Known words are never "repaired" into listed ones.

Modules: ``lexicon`` (reading the YAML), ``phrase_regex`` and ``grammar`` (regex building
blocks), ``spelling_repair``, ``hate_rules`` (protected groups), ``people_targets`` (who an
abuse rule names), ``insult_rules`` and ``threat_rules`` (abuse of people), ``counter_speech``
(negation, quotes, reporting), ``evidence`` (spans), ``model_signals`` and ``detector``.
"""

from __future__ import annotations

from moderation_rules.detectors.targets.detector import TargetDetector
from moderation_rules.detectors.targets.lexicon import load_people_groups, load_target_lexicon
from moderation_rules.detectors.targets.phrase_regex import alt as _alt  # noqa: F401 (tests)
from moderation_rules.detectors.targets.spelling_repair import repair_tokens

__all__ = ["TargetDetector", "load_people_groups", "load_target_lexicon", "repair_tokens"]
