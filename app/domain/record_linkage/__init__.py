"""Duplicates among people known by name, postal address and date of birth (record linkage).

Registration lists, paper forms and old CRM exports often carry no email and no phone, so the
contact-based matcher in :mod:`app.domain.dedupe` has nothing to hold on to. This package is the
textbook alternative (Fellegi and Sunter 1969; Christen, *Data Matching*, 2012):

* **Per-field comparison into agreement levels.** Each field has its own comparator: Jaro-Winkler
  for names (nicknames from the maintained ``nicknames`` list, first and last name tried both
  ways round), street names compared as normalised tokens (Str./Straße, St./Street, Ave/Avenue)
  with the house number parsed out and compared on its own, postcode exact or same area, city,
  state, and the date of birth exact, with day and month swapped, or with a typo in one part.
  The result of a pair is a small vector of levels, level 0 meaning "missing on one side".
* **Fellegi-Sunter weights.** For every field and level, ``m`` is the chance of seeing that level
  when the two records are the same person and ``u`` when they are not; the pair's evidence is
  the sum of ``log(m/u)`` over the fields present (a missing value adds nothing). With the prior
  share of true pairs among the compared ones this gives the probability that the two are the
  same person, which is the score (0-100) shown and compared with the usual minimum.
* **u by EM.** The calibrated table (:mod:`.weights`) (measured on the labelled generator in
  ``tests/dedupe_generator.py``, whose corruptions follow record-linkage corruption generators)
  is the starting point and a prior; a bulk scan re-estimates ``u`` and the share of true pairs
  by expectation-maximisation on its own candidate pairs, so a database where everyone lives at
  a few addresses does not count "same address" as strong evidence. A single pair (booth,
  import) is scored with the calibrated table.
* **Blocking.** Candidate pairs are the union of several blocks: phonetic name codes (NYSIIS
  from jellyfish, names in either order, nicknames by their formal name), postcode with house
  number, the main street token with house number and city, date of birth (day and month in
  either order) with the initials, plus a sorted-neighbourhood pass over a name and postcode
  key. (A Metaphone-of-first-name-and-postcode block was tried: it doubled the same-first-name
  pairs among the candidates and found almost nothing the others miss.)
"""

