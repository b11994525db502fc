"""Building blocks of the demo data behind :mod:`app.services.demo_service`.

Import from :mod:`app.services.demo_service`; these modules are its implementation:

- :mod:`.seeded`: weighted choices and reproducible ids drawn from a seeded ``Random``
- :mod:`.reference`: the static world: countries and cities, the users, teams and queues of the
  seller's organisation, its trade shows
- :mod:`.vocabulary`: what leads are made of: products, reasons, campaigns, the status funnel,
  touches and the follow-up cadence
- :mod:`.pools`: names, companies, streets and phone numbers per country, built once per seed
  with Faker
- :mod:`.organisation`: the users, teams, queues and events rows (reused when they exist)
- :mod:`.schedule`: when leads arrive, and from which show
- :mod:`.leads`: one lead with its open tasks and history
- :mod:`.plan`: :class:`~app.services.demo.plan.DemoPlan`, the rows of one run, in chunks
"""
