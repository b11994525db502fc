"""Duplicate detection for leads: one scoring function, multi-key blocking, a bulk scan.

Why this shape:

* **One scorer, one threshold.** Booth capture, import and the bulk scan all call
  :func:`~.scoring.match`, so a pair flagged at the booth is the pair the scan lists, with the same words.
* **rapidfuzz** does the string similarity (Indel-normalised ``ratio``). It is a maintained C++
  library with wheels for every platform we ship, needs no numpy, and a call on short strings
  costs a few hundred nanoseconds, which is what a million-lead scan in pure Python needs.
  recordlinkage would bring pandas/numpy and its own pair index for what is here ~300 lines;
  jellyfish/dedupe are slower per comparison or need training data.
* **Blocking** on several keys (exact email, email local part, phones, badge at an event,
  whole last name + start or end of the (formal) first name, whole first name + start or end
  of the last name, the same for the swapped names, company + last-name prefix) so each kind
  of variation keeps at least one key in common, while a record meets only a handful of
  others. A typo in a short first name *and* no shared email, phone or company is what it
  misses (see the benchmark's brute-force comparison). Blocks bigger than :data:`~.scan.MAX_BLOCK`
  (``smith|j`` in a million leads, ``info@``) are not compared all-against-all: their members
  are sorted by name and each is compared with its next :data:`~.scan.WINDOW` neighbours (sorted
  neighbourhood), so a huge block costs O(n·window) instead of O(n²). The pairs skipped that
  way are counted in :class:`~.keys.ScanStats`.
* **People known only by name and address** (registration lists, paper forms, old CRM
  exports: no email, no phone) have nothing this scorer can hold on to. They, and anyone with a
  date of birth, also go through :mod:`app.domain.record_linkage` (per-field comparison,
  Fellegi-Sunter weights, its own blocking). A pair either matcher finds is listed once, with
  the higher score and that matcher's reasons.
"""

